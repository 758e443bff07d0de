import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createManualClock } from "../../mock/clock.ts";
import { FixtureError, loadFixtures, parseFixtures } from "../../mock/fixtures.ts";
import { Params } from "../../mock/http/params.ts";
import { appendQuery } from "../../mock/http/redirect.ts";
import { redactValue } from "../../mock/journal.ts";
import { fingerprint, newSecret, safeEqual } from "../../mock/secrets.ts";
import { escapeHtml, html, raw } from "../../mock/views/html.ts";

describe("fixtures", () => {
  it("the shipped fixtures match the design's identities", () => {
    const fx = loadFixtures();
    assert.deepEqual(fx.workspaces.map((w) => w.id), ["acme", "globex"]);
    assert.deepEqual(fx.apps.map((a) => a.clientId), ["demo-spa", "demo-cli", "demo-server", "demo-other"]);
    assert.deepEqual(fx.scopes.map((s) => s.name), ["read:contacts", "write:contacts", "read:deals", "write:deals"]);
  });

  it("a bad fixture is refused naming the file and the field", () => {
    const fx = structuredClone(loadFixtures());
    const app = fx.apps[0];
    assert.ok(app);
    app.scopes = ["read:everything"];
    assert.throws(
      () => parseFixtures(fx, "custom.json"),
      (e: unknown) => e instanceof FixtureError && e.message.includes("custom.json") && e.message.includes("apps.0.scopes.0"),
    );
    assert.throws(() => loadFixtures("/nonexistent/fixtures.json"), FixtureError);
  });
});

describe("params", () => {
  it("keeps duplicates and treats empty values as omitted (RFC 6749 §3.1)", () => {
    const p = Params.parse("a=1&a=2&b=&c=x+y&d=%20");
    assert.deepEqual(p.duplicated(["a", "b", "c"]), ["a"]);
    assert.equal(p.get("b"), undefined);
    assert.equal(p.has("b"), true);
    assert.equal(p.get("c"), "x y");
    assert.equal(p.get("d"), " ");
  });
});

describe("redirects", () => {
  it("keep the registered URI's own query (RFC 6749 §3.1.2)", () => {
    assert.equal(appendQuery("https://s.test/cb2?tenant=a", [["code", "c"], ["state", "a b&"]]), "https://s.test/cb2?tenant=a&code=c&state=a%20b%26");
    assert.equal(appendQuery("https://s.test/cb", [["error", "access_denied"]]), "https://s.test/cb?error=access_denied");
  });
});

describe("secrets", () => {
  it("are 256-bit, prefixed, distinct, and fingerprinted without revealing them", () => {
    const a = newSecret("pact_at_");
    const b = newSecret("pact_at_");
    assert.notEqual(a, b);
    assert.equal(a.length, "pact_at_".length + 43);
    assert.ok(!fingerprint(a).includes(a.slice(8, 20)));
    assert.ok(safeEqual(a, a));
    assert.equal(safeEqual(a, b), false);
  });

  it("the journal redacts secret parameters and anything shaped like a Pact secret", () => {
    const token = newSecret("pact_rt_");
    assert.ok(!redactValue("refresh_token", token).includes(token));
    assert.ok(!redactValue("note", `see ${token} here`).includes(token));
    assert.ok(!redactValue("authorization", "Basic ZGVtbzpzZWNyZXQ=").includes("ZGVtbzpzZWNyZXQ="));
    assert.equal(redactValue("scope", "read:contacts"), "read:contacts");
  });
});

describe("html", () => {
  it("escapes every interpolation unless marked safe", () => {
    assert.equal(html`<p>${"<script>x</script>"}</p>`.value, "<p>&lt;script&gt;x&lt;/script&gt;</p>");
    assert.equal(html`<p>${raw("<b>ok</b>")}</p>`.value, "<p><b>ok</b></p>");
    assert.equal(escapeHtml(`"'&`), "&quot;&#39;&amp;");
  });
});

describe("clock", () => {
  it("manual clock moves only when told", () => {
    const clock = createManualClock(0);
    assert.equal(clock.now(), 0);
    clock.advance(30 * 86400);
    assert.equal(clock.now(), 30 * 86400 * 1000);
    clock.set(5);
    assert.equal(clock.now(), 5);
  });
});
