/** What the progress line tells: requirements done of total, the current group, failures so far. */
export interface ProgressState {
  readonly requirementsDone: number;
  readonly requirementsTotal: number;
  readonly testsDone: number;
  readonly testsTotal: number;
  readonly group: string | null;
  readonly failures: number;
  /** Ms since the first test started; with it the line estimates the time left. */
  readonly elapsedMs?: number;
}

/**
 * The time left, extrapolated from the tests done so far and the time they took: "about N min
 * left", "under a minute left", or null before the first test is done or after the last.
 */
export function etaText(testsDone: number, testsTotal: number, elapsedMs: number): string | null {
  if (testsDone <= 0 || testsDone >= testsTotal || !(elapsedMs > 0)) return null;
  const leftMs = (elapsedMs / testsDone) * (testsTotal - testsDone);
  const min = Math.round(leftMs / 60_000);
  return min < 1 ? "under a minute left" : `about ${min} min left`;
}

export function progressText(s: ProgressState): string {
  const eta = s.elapsedMs === undefined ? null : etaText(s.testsDone, s.testsTotal, s.elapsedMs);
  return `[conformance] ${s.requirementsDone}/${s.requirementsTotal} requirements · ${s.testsDone}/${s.testsTotal} tests · group ${s.group ?? "-"} · ${s.failures} failure${s.failures === 1 ? "" : "s"}${eta ? ` · ${eta}` : ""}`;
}

export interface ProgressSink {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * One line that updates in place on a terminal; on a log (CI) a plain line each time a
 * requirement completes or a failure appears, so logs stay short.
 */
export class ProgressLine {
  private lastPlain = "";
  private shown = false;

  constructor(private readonly sink: ProgressSink) {}

  update(s: ProgressState): void {
    const text = progressText(s);
    if (this.sink.isTTY) {
      const width = Math.max(20, (this.sink.columns ?? 120) - 1);
      this.sink.write(`\r\u001b[2K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
      this.shown = true;
      return;
    }
    const key = `${s.requirementsDone}/${s.failures}`;
    if (key === this.lastPlain) return;
    this.lastPlain = key;
    this.sink.write(`${text}\n`);
  }

  /** Ends the in-place line so later output starts on a fresh line. */
  end(): void {
    if (this.sink.isTTY && this.shown) this.sink.write("\n");
    this.shown = false;
  }
}
