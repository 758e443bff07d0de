import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ChromiumNotFoundError, type ChromiumChoice } from "../../suites/harness/chromium.ts";
import { ensureChromium, lacksPackageLists, type BrowserSetupDeps, type CommandResult } from "../../suites/harness/browser-setup.ts";

const OK: CommandResult = { ok: true, output: "" };
const NO_NETWORK: CommandResult = { ok: false, output: "Downloading Chromium…\nError: getaddrinfo EAI_AGAIN cdn.playwright.dev" };
const NO_LISTS: CommandResult = { ok: false, output: "Reading package lists...\nE: Unable to locate package chromium" };
const SYSTEM: ChromiumChoice = { executablePath: "/usr/bin/chromium", source: "system" };
const OWN: ChromiumChoice = { executablePath: undefined, source: "playwright" };

/** A fake system: records every side effect in order; `installs` says what each install makes findable. */
function fakeSystem(opts: {
  present?: ChromiumChoice;
  chromiumPathSet?: boolean;
  playwright?: CommandResult;
  isRoot?: boolean;
  debianLike?: boolean;
  apt?: CommandResult[];
  update?: CommandResult;
}) {
  const calls: string[] = [];
  const said: string[] = [];
  let installed: ChromiumChoice | undefined = opts.present;
  const apt = [...(opts.apt ?? [OK])];
  const deps: BrowserSetupDeps = {
    locate: () => {
      calls.push("locate");
      return installed ? { found: installed } : { missing: new ChromiumNotFoundError("no CHROMIUM_PATH, no /usr/bin/chromium, no Playwright browser download") };
    },
    chromiumPathSet: opts.chromiumPathSet ?? false,
    playwrightInstall: () => {
      calls.push("playwright install");
      const r = opts.playwright ?? OK;
      if (r.ok) installed = OWN;
      return r;
    },
    isRoot: opts.isRoot ?? true,
    debianLike: opts.debianLike ?? true,
    aptInstall: () => {
      calls.push("apt-get install");
      const r = apt.shift() ?? OK;
      if (r.ok) installed = SYSTEM;
      return r;
    },
    aptUpdate: () => {
      calls.push("apt-get update");
      return opts.update ?? OK;
    },
    say: (line) => said.push(line),
  };
  return { deps, calls, said };
}

describe("ensureChromium: how npm test gets its browser", () => {
  it("installs nothing and says nothing when Chromium is found", () => {
    const f = fakeSystem({ present: SYSTEM });
    const r = ensureChromium(f.deps);
    assert.deepEqual(r, { outcome: "present", choice: SYSTEM });
    assert.deepEqual(f.calls, ["locate"]);
    assert.deepEqual(f.said, []);
  });

  it("tries Playwright's download first and says so in one line", () => {
    const f = fakeSystem({});
    const r = ensureChromium(f.deps);
    assert.equal(r.outcome, "installed");
    assert.equal(r.outcome === "installed" && r.via, "playwright");
    assert.deepEqual(f.calls, ["locate", "playwright install", "locate"]);
    assert.equal(f.said.length, 1);
    assert.match(f.said[0] as string, /installed Playwright's Chromium \(npx playwright install chromium\)/);
  });

  it("falls back to apt-get as root on a Debian-like system when the download fails", () => {
    const f = fakeSystem({ playwright: NO_NETWORK });
    const r = ensureChromium(f.deps);
    assert.equal(r.outcome === "installed" && r.via, "apt");
    assert.deepEqual(f.calls, ["locate", "playwright install", "apt-get install", "locate"]);
    assert.equal(f.said.length, 1);
    assert.match(f.said[0] as string, /installed Debian's chromium \(apt-get install -y chromium\)/);
  });

  it("runs apt-get update and installs again when apt-get has no package lists", () => {
    const f = fakeSystem({ playwright: NO_NETWORK, apt: [NO_LISTS, OK] });
    const r = ensureChromium(f.deps);
    assert.equal(r.outcome === "installed" && r.via, "apt");
    assert.deepEqual(f.calls, ["locate", "playwright install", "apt-get install", "apt-get update", "apt-get install", "locate"]);
    assert.equal(f.said.length, 1);
  });

  it("does not run apt-get update for other apt failures", () => {
    const f = fakeSystem({ playwright: NO_NETWORK, apt: [{ ok: false, output: "E: Could not get lock /var/lib/dpkg/lock-frontend" }] });
    const r = ensureChromium(f.deps);
    assert.equal(r.outcome, "failed");
    assert.deepEqual(f.calls, ["locate", "playwright install", "apt-get install"]);
  });

  it("does not use apt-get when not root, nor where there is no apt-get", () => {
    for (const opts of [{ isRoot: false }, { debianLike: false }]) {
      const f = fakeSystem({ playwright: NO_NETWORK, ...opts });
      const r = ensureChromium(f.deps);
      assert.equal(r.outcome, "failed");
      assert.deepEqual(f.calls, ["locate", "playwright install"]);
      assert.match(f.said[0] as string, opts.isRoot === false ? /not root/ : /no apt-get/);
    }
  });

  it("stops with the fix and what was tried when every source fails", () => {
    const f = fakeSystem({ playwright: NO_NETWORK, apt: [NO_LISTS, NO_LISTS] });
    const r = ensureChromium(f.deps);
    assert.equal(r.outcome, "failed");
    assert.ok(r.outcome === "failed" && r.error instanceof ChromiumNotFoundError);
    assert.deepEqual(f.calls, ["locate", "playwright install", "apt-get install", "apt-get update", "apt-get install"]);
    assert.equal(f.said.length, 1);
    const line = f.said[0] as string;
    assert.match(line, /Fix: apt-get install chromium, or npx playwright install chromium, or set CHROMIUM_PATH/);
    assert.match(line, /EAI_AGAIN/);
    assert.match(line, /Unable to locate package chromium/);
  });

  it("installs nothing in place of a CHROMIUM_PATH that does not exist", () => {
    const f = fakeSystem({ chromiumPathSet: true });
    const r = ensureChromium(f.deps);
    assert.equal(r.outcome, "failed");
    assert.deepEqual(f.calls, ["locate"]);
    assert.equal(f.said.length, 1);
  });

  it("recognises apt-get's words for missing package lists", () => {
    assert.ok(lacksPackageLists(NO_LISTS.output));
    assert.ok(lacksPackageLists("Package chromium is not available, but is referred to by another package."));
    assert.ok(!lacksPackageLists("E: Could not get lock"));
  });
});
