/** What a window says of one key (a service, an operation) over its last minutes. */
export interface WindowSummary {
  count: number;
  failed: number;
  /** Per second, over the part of the window the gateway has been up. */
  ratePerSecond: number;
  /** `failed / count`; 0 without calls. */
  errorRate: number;
  /** Estimated as Prometheus's `histogram_quantile(0.95, ...)` does; `undefined` without calls. */
  p95Seconds?: number;
}

/** Counts of one key in one minute: calls, failures and a latency histogram. */
interface Tally {
  count: number;
  failed: number;
  buckets: number[];
}

/** A per-minute ring buffer of tallies by key: bounded memory, however long the gateway runs. */
export interface MinuteWindow {
  record(key: string, seconds: number, failed: boolean, now?: number): void;
  /** Every key seen in the window, and the merge of all keys as `total`. */
  summarize(now?: number): { byKey: Map<string, WindowSummary>; total: WindowSummary; windowSeconds: number };
}

/**
 * A window of `minutes` one-minute slots (the current minute included) with latency histograms on
 * `bounds`, the same bucket bounds as the Prometheus histograms, so that the status page's p95
 * and `histogram_quantile(0.95, rate(..._bucket[5m]))` agree.
 */
export function createMinuteWindow(bounds: readonly number[], minutes = 5, startedAt = Date.now()): MinuteWindow {
  const slots: Array<{ minute: number; tallies: Map<string, Tally> }> = [];
  const slotOf = (now: number) => {
    const minute = Math.floor(now / 60_000);
    const index = minute % minutes;
    let slot = slots[index];
    if (!slot || slot.minute !== minute) slots[index] = slot = { minute, tallies: new Map() };
    return slot;
  };
  const bucketOf = (seconds: number) => {
    const index = bounds.findIndex((bound) => seconds <= bound);
    return index === -1 ? bounds.length : index;
  };
  return {
    record(key, seconds, failed, now = Date.now()) {
      const { tallies } = slotOf(now);
      let tally = tallies.get(key);
      if (!tally) tallies.set(key, (tally = { count: 0, failed: 0, buckets: new Array<number>(bounds.length + 1).fill(0) }));
      tally.count += 1;
      if (failed) tally.failed += 1;
      const bucket = bucketOf(seconds);
      tally.buckets[bucket] = (tally.buckets[bucket] ?? 0) + 1;
    },
    summarize(now = Date.now()) {
      const current = Math.floor(now / 60_000);
      const windowStart = Math.max((current - minutes + 1) * 60_000, startedAt);
      const windowSeconds = Math.max(1, (now - windowStart) / 1000);
      const merged = new Map<string, Tally>();
      const total: Tally = { count: 0, failed: 0, buckets: new Array<number>(bounds.length + 1).fill(0) };
      for (const slot of slots) {
        if (!slot || slot.minute <= current - minutes) continue;
        for (const [key, tally] of slot.tallies) {
          let sum = merged.get(key);
          if (!sum) merged.set(key, (sum = { count: 0, failed: 0, buckets: new Array<number>(bounds.length + 1).fill(0) }));
          add(sum, tally);
          add(total, tally);
        }
      }
      const summary = (tally: Tally): WindowSummary => ({
        count: tally.count,
        failed: tally.failed,
        ratePerSecond: tally.count / windowSeconds,
        errorRate: tally.count === 0 ? 0 : tally.failed / tally.count,
        ...(tally.count === 0 ? {} : { p95Seconds: quantile(0.95, tally.buckets, bounds) }),
      });
      return { byKey: new Map([...merged].map(([key, tally]) => [key, summary(tally)])), total: summary(total), windowSeconds };
    },
  };
}

function add(into: Tally, from: Tally): void {
  into.count += from.count;
  into.failed += from.failed;
  from.buckets.forEach((value, index) => (into.buckets[index] = (into.buckets[index] ?? 0) + value));
}

/**
 * Prometheus's estimate: find the bucket holding the q-th observation and interpolate linearly
 * inside it (from 0 for the first bucket). Past the last bound it answers the last bound.
 */
export function quantile(q: number, buckets: readonly number[], bounds: readonly number[]): number {
  const total = buckets.reduce((sum, value) => sum + value, 0);
  const rank = q * total;
  let below = 0;
  for (const [index, inBucket] of buckets.entries()) {
    if (below + inBucket >= rank && inBucket > 0) {
      const upper = bounds[index];
      if (upper === undefined) return bounds[bounds.length - 1] ?? 0;
      const lower = index === 0 ? 0 : (bounds[index - 1] ?? 0);
      return lower + ((upper - lower) * (rank - below)) / inBucket;
    }
    below += inBucket;
  }
  return bounds[bounds.length - 1] ?? 0;
}
