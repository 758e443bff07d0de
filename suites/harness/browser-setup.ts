/**
 * Gets the browser suites their Chromium before `npm test` runs them: when none is found, Playwright's
 * own download first, then (as root on a Debian-like system) Debian's `chromium` package. The
 * decision is pure; every side effect comes in through `BrowserSetupDeps`.
 */
import { ChromiumNotFoundError, type ChromiumChoice } from "./chromium.ts";

/** Where Chromium was looked for and found, or why not. */
export type Located = { readonly found: ChromiumChoice } | { readonly missing: ChromiumNotFoundError };

export interface CommandResult {
  readonly ok: boolean;
  /** The command's output, as far as it helps to explain a failure. */
  readonly output: string;
}

export interface BrowserSetupDeps {
  /** CHROMIUM_PATH, /usr/bin/chromium, Playwright's own (suites/harness/chromium.ts `resolveChromium`). */
  locate(): Located;
  /** Whether CHROMIUM_PATH is set: then it is the user's choice, and nothing is installed in its place. */
  readonly chromiumPathSet: boolean;
  /** `npx playwright install chromium`. */
  playwrightInstall(): CommandResult;
  readonly isRoot: boolean;
  /** apt-get is there (Debian, Ubuntu and their kin). */
  readonly debianLike: boolean;
  /** `apt-get install -y chromium`. */
  aptInstall(): CommandResult;
  /** `apt-get update`. */
  aptUpdate(): CommandResult;
  /** One line for the user. */
  say(line: string): void;
}

export type BrowserSetup =
  | { readonly outcome: "present"; readonly choice: ChromiumChoice }
  | { readonly outcome: "installed"; readonly via: "playwright" | "apt"; readonly choice: ChromiumChoice }
  | { readonly outcome: "failed"; readonly error: ChromiumNotFoundError; readonly tried: readonly string[] };

export const PLAYWRIGHT_INSTALL = "npx playwright install chromium";
export const APT_INSTALL = "apt-get install -y chromium";
export const APT_UPDATE = "apt-get update";

/** apt-get's words when its package lists are empty or stale (a fresh container). */
export function lacksPackageLists(output: string): boolean {
  return /Unable to locate package|has no installation candidate|Package '?chromium'? has no installation candidate|is not available, but is referred to/i.test(output);
}

function lastLine(output: string): string {
  return output.trim().split("\n").filter((l) => l.trim() !== "").pop()?.trim().slice(0, 200) ?? "no output";
}

/**
 * Finds Chromium, installing it when none is found. Says in one line what it installed, or why it
 * could not; stops at nothing itself: a failure is returned with the fix (ChromiumNotFoundError).
 */
export function ensureChromium(deps: BrowserSetupDeps): BrowserSetup {
  const first = deps.locate();
  if ("found" in first) return { outcome: "present", choice: first.found };
  if (deps.chromiumPathSet) {
    deps.say(`chromium: ${first.missing.message}`);
    return { outcome: "failed", error: first.missing, tried: [] };
  }
  const tried: string[] = [];

  const pw = deps.playwrightInstall();
  tried.push(`${PLAYWRIGHT_INSTALL}: ${pw.ok ? "ran, but no browser was found after it" : lastLine(pw.output)}`);
  if (pw.ok) {
    const after = deps.locate();
    if ("found" in after) {
      deps.say(`chromium: none found, installed Playwright's Chromium (${PLAYWRIGHT_INSTALL})`);
      return { outcome: "installed", via: "playwright", choice: after.found };
    }
  }

  if (deps.isRoot && deps.debianLike) {
    let apt = deps.aptInstall();
    if (!apt.ok && lacksPackageLists(apt.output)) {
      const update = deps.aptUpdate();
      if (update.ok) apt = deps.aptInstall();
      else tried.push(`${APT_UPDATE}: ${lastLine(update.output)}`);
    }
    tried.push(`${APT_INSTALL}: ${apt.ok ? "ran, but no browser was found after it" : lastLine(apt.output)}`);
    if (apt.ok) {
      const after = deps.locate();
      if ("found" in after) {
        deps.say(`chromium: none found and Playwright could not download one, installed Debian's chromium (${APT_INSTALL})`);
        return { outcome: "installed", via: "apt", choice: after.found };
      }
    }
  } else {
    tried.push(`${APT_INSTALL}: not tried (${deps.debianLike ? "not root" : "no apt-get on this system"})`);
  }

  const error = new ChromiumNotFoundError(`none found, and installing failed: ${tried.join("; ")}`);
  deps.say(`chromium: ${error.message}`);
  return { outcome: "failed", error, tried };
}
