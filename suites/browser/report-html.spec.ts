/**
 * The HTML report opened in Chromium: structure by accessible names, the failing requirement's
 * redacted transcript, no console error and no request at all (the page is self-contained).
 * Also parses junit.xml with the browser's XML parser (well-formed, one case per scenario).
 */
import { expect, test } from "@playwright/test";
import { applyBaseline } from "../report/baseline.ts";
import { countsOf } from "../report/display.ts";
import { renderHtml } from "../report/render-html.ts";
import { renderJunit } from "../report/render-junit.ts";
import { sampleReport } from "../report/sample.ts";

const report = applyBaseline(sampleReport(), { entries: [{ id: "TOKEN-11", reason: "fix tracked in PACT-77", owner: "qa@pact", expires: "2099-01-01" }] }, { today: "2026-11-29", file: "baseline.json" });

test("the conformance HTML report is self-contained and names its parts", async ({ page }) => {
  const requests: string[] = [];
  const errors: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  await page.setContent(renderHtml(report), { waitUntil: "load" });

  await expect(page).toHaveTitle("Pact conformance: mock");
  await expect(page.getByRole("heading", { level: 1, name: "Pact conformance: mock" })).toBeVisible();
  const summary = page.getByRole("table", { name: "Summary" });
  const c = countsOf(report);
  await expect(summary.getByRole("cell").first()).toHaveText(String(c.failed - c.expected));
  await expect(page.getByRole("navigation", { name: "Groups" }).getByRole("link", { name: "TOKEN" })).toHaveAttribute("href", "#group-TOKEN");

  await expect(page.getByRole("heading", { level: 2, name: "Failures and warnings" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: "TOKEN: Token endpoint" })).toBeVisible();
  const tokenTable = page.getByRole("table", { name: "TOKEN requirements" });
  const row04 = tokenTable.getByRole("row", { name: /TOKEN-04/ });
  await expect(row04.getByRole("cell").nth(2)).toHaveText("failed");
  await expect(tokenTable.getByRole("row", { name: /TOKEN-11/ }).getByRole("cell").nth(2)).toHaveText("expected failure");
  await expect(row04.getByRole("link", { name: "§5.1" })).toHaveAttribute("href", "https://www.rfc-editor.org/rfc/rfc6749#section-5.1");
  await expect(page.getByRole("table", { name: "META requirements" }).getByRole("row", { name: /META-01/ }).getByRole("cell").nth(2)).toHaveText("passed");

  const transcript = page.getByRole("region", { name: "HTTP transcript of TOKEN-04" });
  await expect(transcript).toContainText("POST http://127.0.0.1:4010/oauth/token");
  await expect(transcript).toContainText('"expires_in":"3600"');
  await expect(transcript).toContainText("authorization: Basic [secret#1a2b3c4d]");
  await expect(page.locator("#detail-TOKEN-04").getByLabel("Replay command")).toHaveText("npm run conformance -- --target mock --grep TOKEN-04 --seed 42");

  // Row link to the details works without script.
  await row04.getByRole("link", { name: "TOKEN-04" }).click();
  await expect(page.getByRole("heading", { level: 3, name: /^TOKEN-04 / })).toBeInViewport();

  expect(errors).toEqual([]);
  expect(requests.filter((u) => !u.startsWith("about:") && !u.startsWith("data:"))).toEqual([]);
});

test("junit.xml is well-formed XML with one test case per requirement and scenario", async ({ page }) => {
  const xml = renderJunit(report);
  const result = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, "application/xml");
    const cases = [...doc.querySelectorAll("testcase")];
    return {
      parseError: doc.querySelector("parsererror")?.textContent ?? null,
      cases: cases.length,
      failures: cases.filter((c) => c.querySelector("failure")).map((c) => c.querySelector('property[name="requirement"]')?.getAttribute("value")),
      expected: cases.filter((c) => c.querySelector('property[name="status"]')?.getAttribute("value") === "expected").length,
      check: doc.querySelector("failure")?.textContent ?? "",
    };
  }, xml);
  expect(result.parseError).toBeNull();
  expect(result.cases).toBe(103);
  expect(result.failures).toEqual(["TOKEN-04"]);
  expect(result.expected).toBe(1);
  expect(result.check).toContain('<not "3600"> & nothing else');
});
