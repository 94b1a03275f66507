import type { DiscoveryClock } from '../../src/transport/discovery/discovery-clock.ts';

/** A clock that moves only when the test says so; due timers run on `advance`. */
export interface ManualClock extends DiscoveryClock {
  /** Moves time forward by `ms`, running every timer due by then, in order. */
  advance(ms: number): void;
  /** Milliseconds from now to each pending timer, soonest first. */
  pending(): number[];
  /** Resolves with the delay of the next timer set from now on (a refresh done, its successor scheduled). */
  nextTimer(): Promise<number>;
}

/** A {@link ManualClock} starting at `start`. */
export function createManualClock(start = Date.parse('2026-12-01T00:00:00Z')): ManualClock {
  let now = start;
  let nextId = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  const waiting: Array<(ms: number) => void> = [];
  return {
    now: () => now,
    setTimeout(callback, ms) {
      nextId += 1;
      timers.set(nextId, { at: now + ms, callback });
      for (const resolve of waiting.splice(0)) resolve(ms);
      return nextId;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, timer]) => timer.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = until;
    },
    nextTimer: () => new Promise((resolve) => waiting.push(resolve)),
    pending: () => [...timers.values()].map((timer) => timer.at - now).sort((a, b) => a - b),
  };
}
