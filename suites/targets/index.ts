import { fixtureTargetFile } from "./fixture-identities.ts";
import { loadTargetFile } from "./load.ts";
import { connectUrlTarget, startMockTarget, type Target } from "./target.ts";

export * from "./target.ts";
export * from "./schema.ts";
export * from "./load.ts";
export * from "./api-surface.ts";
export * from "./identities.ts";
export { fixtureTargetFile } from "./fixture-identities.ts";

export interface TargetSelection {
  /** "mock" or a base URL. */
  readonly target: string;
  /** A live target file. */
  readonly config?: string | undefined;
  /** Where the mock's app factory lives (tests point it at a stub). */
  readonly mockModule?: string | undefined;
}

/** Opens the selected target: the in-process mock, or a URL described by a file or the fixtures. */
export async function openTarget(sel: TargetSelection): Promise<Target> {
  if (sel.target === "mock") {
    const file = sel.config ? loadTargetFile(sel.config) : undefined;
    return startMockTarget((baseUrl) => (file ? { ...file, baseUrl } : fixtureTargetFile(baseUrl)), sel.mockModule);
  }
  const file = sel.config ? { ...loadTargetFile(sel.config), baseUrl: sel.target } : fixtureTargetFile(sel.target);
  return connectUrlTarget(file);
}
