/**
 * Upstream calls, counted by the services themselves: each answers `GET /_stats` with
 * `{"requests": n}` (requests served, `/_stats` excluded). Counters live in the services' process
 * and are never reset from here; the bench takes differences.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export type Counts = Record<string, number>;

/** Reads every service's counter at once. */
export async function readCounts(serviceUrls: Record<string, string>): Promise<Counts> {
  const entries = await Promise.all(
    Object.entries(serviceUrls).map(async ([name, url]) => {
      const response = await fetch(`${url}/_stats`);
      if (!response.ok) throw new Error(`${name} /_stats answered ${response.status}`);
      const { requests } = (await response.json()) as { requests?: unknown };
      if (typeof requests !== 'number') throw new Error(`${name} /_stats: expected {"requests": n}`);
      return [name, requests] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/**
 * Reads the counters until two reads `intervalMs` apart agree: requests a load run left in flight
 * (the server keeps working on them after the client's sockets close) have then made their calls.
 * Gives up waiting after `timeoutMs`.
 */
export async function readSettledCounts(serviceUrls: Record<string, string>, intervalMs = 200, timeoutMs = 15_000): Promise<Counts> {
  const deadline = Date.now() + timeoutMs;
  let previous = await readCounts(serviceUrls);
  for (;;) {
    await sleep(intervalMs);
    const next = await readCounts(serviceUrls);
    if (sum(next) === sum(previous) || Date.now() > deadline) return next;
    previous = next;
  }
}

/** `after - before` per service. */
export function subtract(after: Counts, before: Counts): Counts {
  return Object.fromEntries(Object.entries(after).map(([name, count]) => [name, count - (before[name] ?? 0)]));
}

export function sum(counts: Counts): number {
  return Object.values(counts).reduce((total, count) => total + count, 0);
}

/** `"users 1, orders 1, ..."`, leaving out services that were not called. */
export function describe(counts: Counts): string {
  const called = Object.entries(counts).filter(([, count]) => count !== 0);
  return called.length ? called.map(([name, count]) => `${name} ${count}`).join(', ') : 'none';
}
