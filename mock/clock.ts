/**
 * The mock's only source of time. Every lifetime (codes, tokens, sessions,
 * throttling windows) is computed from `clock.now()`, so the control API can
 * move 1-hour and 30-day boundaries in milliseconds.
 */
export interface Clock {
  /** Current mock time, epoch milliseconds. */
  now(): number;
  /** Moves the clock forward (or back, with a negative value) by `seconds`; returns the new time. */
  advance(seconds: number): number;
  /** Sets the clock to an absolute epoch-millisecond time; returns it. */
  set(epochMs: number): number;
}

/**
 * A clock that follows a time source plus an offset. The default source is the
 * wall clock, read here and nowhere else in the mock.
 */
export function createClock(source: () => number = () => Date.now()): Clock {
  let offsetMs = 0;
  return {
    now: () => source() + offsetMs,
    advance(seconds) {
      offsetMs += Math.round(seconds * 1000);
      return source() + offsetMs;
    },
    set(epochMs) {
      offsetMs = epochMs - source();
      return epochMs;
    },
  };
}

/** A clock that stands still unless moved: for unit tests. */
export function createManualClock(startMs = Date.UTC(2026, 0, 1)): Clock {
  let t = startMs;
  return {
    now: () => t,
    advance(seconds) {
      t += Math.round(seconds * 1000);
      return t;
    },
    set(epochMs) {
      t = epochMs;
      return t;
    },
  };
}
