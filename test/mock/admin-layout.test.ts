/**
 * The admin console fits its window: at 1200 px (a laptop) and 390 px (a phone)
 * no table or form of any tab reaches outside its card, and the page never
 * scrolls sideways. Needs Chromium (skipped with the reason when none is found).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Browser, chromium } from "@playwright/test";
import { CHROMIUM_ARGS, ChromiumNotFoundError, resolveChromium } from "../../suites/harness/chromium.ts";
import { type Running, session, start, userToken } from "./helpers.ts";

const WIDTHS = [1200, 390];
const TABS = ["apps", "installed", "api-keys", "members"];

let t: Running;
let browser: Browser | null = null;
let skipReason: string | null = null;

before(async () => {
  t = await start();
  // Something on every tab, the longest fixture values included (demo-server's second redirect URI).
  userToken(t.mock, "member@acme.test", ["read:contacts", "write:contacts", "read:deals"], "demo-server");
  try {
    const choice = resolveChromium(() => chromium.executablePath());
    browser = await chromium.launch({ headless: true, args: CHROMIUM_ARGS, ...(choice.executablePath ? { executablePath: choice.executablePath } : {}) });
  } catch (e) {
    if (!(e instanceof ChromiumNotFoundError)) throw e;
    skipReason = e.message;
  }
});

after(async () => {
  await browser?.close();
  await t.close();
});

interface Overflow {
  readonly what: string;
  readonly left: number;
  readonly right: number;
}

describe("admin console layout", () => {
  for (const width of WIDTHS) {
    for (const tab of TABS) {
      it(`${tab} at ${width} px: every table and form stays inside its card`, async (ctx) => {
        if (!browser) return ctx.skip(skipReason ?? "no browser");
        const admin = session(t.mock, "admin@acme.test");
        const context = await browser.newContext({ viewport: { width, height: 900 } });
        try {
          const [name, value] = admin.cookie.split("=") as [string, string];
          await context.addCookies([{ name, value, url: t.base }]);
          const page = await context.newPage();
          const res = await page.goto(`${t.base}/admin/api-developers?tab=${tab}`);
          assert.equal(res?.status(), 200);
          const found = await page.evaluate(() => {
            const card = document.querySelector("main");
            if (!card) return { card: null, outside: [], pageScroll: 0, count: 0 };
            const c = card.getBoundingClientRect();
            const outside: Overflow[] = [];
            const items = [...card.querySelectorAll("table, form")];
            for (const el of items) {
              const r = el.getBoundingClientRect();
              if (r.width === 0 && r.height === 0) continue;
              const what = el.tagName === "FORM" ? `form ${el.getAttribute("action")}` : `table (${el.querySelector("th")?.textContent ?? ""}…)`;
              if (r.left < c.left - 0.5 || r.right > c.right + 0.5 || el.scrollWidth > el.clientWidth + 1) outside.push({ what, left: r.left - c.left, right: r.right - c.right });
            }
            return { card: { width: c.width }, outside, pageScroll: document.documentElement.scrollWidth - window.innerWidth, count: items.length };
          });
          assert.ok(found.card, "the page has its card");
          assert.ok(found.count > 0, "the tab shows tables or forms");
          assert.deepEqual(found.outside, [], `outside the ${found.card.width}px card`);
          assert.ok(found.pageScroll <= 0, `the page scrolls sideways by ${found.pageScroll}px`);
        } finally {
          await context.close();
        }
      });
    }
  }
});
