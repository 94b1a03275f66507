import type { UsageSample } from './registry-store.ts';

const hour = 3_600_000;

/** Usage counted in memory until it is written to the store. */
export interface UsageAggregate {
  /** Counts one use of each coordinate by one operation of one client, in the hour of `at`. */
  add(coordinates: readonly string[], documentHash: string, client: string, at: Date): void;
  /** Takes everything counted so far, as samples to store, and starts afresh. */
  take(): UsageSample[];
  /** Puts samples back (a write that failed), as far as the bound allows. */
  restore(samples: readonly UsageSample[]): void;
  /** Distinct (hour, coordinate, document, client) rows held. */
  readonly size: number;
  /** Uses dropped since the last `take` because the bound was reached. */
  readonly dropped: number;
}

/**
 * An hourly aggregate of operation usage, bounded: it holds at most `maxRows` distinct rows (hour,
 * coordinate, document, client); uses of a new row beyond that are dropped and counted, uses of a
 * row already held still count. Memory is thus bounded whatever clients send between two writes.
 */
export function createUsageAggregate(maxRows: number): UsageAggregate {
  let rows = new Map<string, UsageSample & { count: number }>();
  let dropped = 0;
  const count = (sample: UsageSample & { count: number }) => {
    const key = `${sample.at.getTime()}\u0000${sample.coordinate}\u0000${sample.documentHash}\u0000${sample.client}`;
    const row = rows.get(key);
    if (row) row.count += sample.count;
    else if (rows.size < maxRows) rows.set(key, { ...sample });
    else dropped += sample.count;
  };
  return {
    add(coordinates, documentHash, client, at) {
      const bucket = new Date(Math.floor(at.getTime() / hour) * hour);
      for (const coordinate of coordinates) count({ coordinate, documentHash, client, count: 1, at: bucket });
    },
    take() {
      const taken = [...rows.values()];
      rows = new Map();
      dropped = 0;
      return taken;
    },
    restore(samples) {
      for (const sample of samples) count({ ...sample, count: sample.count ?? 1 });
    },
    get size() {
      return rows.size;
    },
    get dropped() {
      return dropped;
    },
  };
}
