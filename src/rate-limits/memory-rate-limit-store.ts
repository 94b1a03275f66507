import { LRUCache } from 'lru-cache';
import { systemClock, type Clock } from '../clock.ts';
import type { Hit, HitResult, RateLimitStore } from './rate-limit-store.ts';

/**
 * Counters in this process (the embedded default). Exact for one process; replicas each count on
 * their own, which is why distributed mode uses Redis. Bounded to the most recent 100,000 counters.
 * Windows run on `clock`.
 */
export function createMemoryRateLimitStore(clock: Clock = systemClock): RateLimitStore {
  const logs = new LRUCache<string, number[]>({ max: 100_000 });
  const windows = new LRUCache<string, { start: number; used: number }>({ max: 100_000 });
  const recordIf = (record: Hit['record'], allowed: boolean) => record === 'always' || (record === 'allowed' && allowed);
  return {
    async sliding({ key, windowMs, max, weight, record }): Promise<HitResult> {
      const time = clock.now();
      const log = (logs.get(key) ?? []).filter((stamp) => stamp > time - windowMs);
      const allowed = log.length + weight <= max;
      if (recordIf(record, allowed)) for (let index = 0; index < weight; index += 1) log.push(time);
      logs.set(key, log);
      return { allowed, used: log.length, resetMs: log.length > 0 ? (log[0] as number) + windowMs - time : 0 };
    },
    async fixed({ key, windowMs, max, weight, record }): Promise<HitResult> {
      const time = clock.now();
      const start = time - (time % windowMs);
      const current = windows.get(key);
      const window = current && current.start === start ? current : { start, used: 0 };
      const allowed = window.used + weight <= max;
      if (recordIf(record, allowed)) window.used += weight;
      windows.set(key, window);
      return { allowed, used: window.used, resetMs: start + windowMs - time };
    },
    async close() {
      logs.clear();
      windows.clear();
    },
  };
}
