import { existsSync } from "node:fs";

export interface ChromiumChoice {
  readonly executablePath: string | undefined;
  readonly source: "CHROMIUM_PATH" | "system" | "playwright";
}

export const CHROMIUM_ARGS = ["--disable-quic", "--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

export class ChromiumNotFoundError extends Error {
  constructor(detail: string) {
    super(`no Chromium found (${detail}). Fix: apt-get install chromium, or npx playwright install chromium, or set CHROMIUM_PATH`);
    this.name = "ChromiumNotFoundError";
  }
}

/** CHROMIUM_PATH, else /usr/bin/chromium, else Playwright's own download; throws with the fix otherwise. */
export function resolveChromium(playwrightExecutable: () => string | undefined): ChromiumChoice {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new ChromiumNotFoundError(`CHROMIUM_PATH=${fromEnv} does not exist`);
    return { executablePath: fromEnv, source: "CHROMIUM_PATH" };
  }
  if (existsSync("/usr/bin/chromium")) return { executablePath: "/usr/bin/chromium", source: "system" };
  let own: string | undefined;
  try {
    own = playwrightExecutable();
  } catch {
    own = undefined;
  }
  if (own && existsSync(own)) return { executablePath: undefined, source: "playwright" };
  throw new ChromiumNotFoundError("no CHROMIUM_PATH, no /usr/bin/chromium, no Playwright browser download");
}
