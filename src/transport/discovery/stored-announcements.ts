import type { RegistryStore, StoredAnnouncement } from '../../registry/registry-store.ts';
import type { AnnouncedInstances, Announcement } from './announced-instances.ts';
import { systemClock, type DiscoveryClock } from './discovery-clock.ts';
import { sameInstances, sortedInstances, type InstanceSpec } from './instance-spec.ts';

/** The part of the registry's store that keeps announcements. */
export type AnnouncementStore = Pick<RegistryStore, 'announceInstance' | 'withdrawInstance' | 'announcedInstances'>;

/** How a gateway reads the announcements its registry keeps. */
export interface StoredAnnouncementsOptions {
  /** How often the store is read for what other gateways were told (`registry.pollInterval`), in milliseconds. */
  pollInterval: number;
  log(message: string): void;
  clock?: DiscoveryClock;
}

/**
 * Announcements kept in the schema registry's store (table `announced_instances`), so that every
 * gateway sharing it (PostgreSQL) serves the same instances, whichever gateway an instance
 * announced itself to, and a restarted gateway starts from the live ones. A gateway reads the
 * live rows every `pollInterval`, and at once after an announcement it received; a row expires at
 * its `expires_at` (read on the next read at or after it). Expiry times are written from the
 * announcing gateway's clock: keep gateway clocks in sync (NTP), as for any TTL.
 * A failed read keeps the last lists, logged once per burst.
 */
export function createStoredAnnouncements(store: AnnouncementStore, options: StoredAnnouncementsOptions): AnnouncedInstances {
  const { pollInterval, log, clock = systemClock } = options;
  const listeners = new Map<string, Set<(instances: InstanceSpec[]) => void>>();
  const told = new Map<string, InstanceSpec[]>();
  let timer: unknown;
  let started = false;
  let failing = false;
  let closed = false;
  let running: Promise<void> = Promise.resolve();

  const now = () => new Date(clock.now());
  const read = async () => {
    let rows: StoredAnnouncement[];
    try {
      rows = await store.announcedInstances(now());
    } catch (error) {
      if (!failing) log(`announced instances: reading them from the registry failed (${(error as Error).message}); the last lists stay`);
      failing = true;
      return pollInterval;
    }
    if (failing) log('announced instances: read from the registry again');
    failing = false;
    for (const [service, set] of listeners) {
      const instances = sortedInstances(rows.filter((row) => row.service === service).map(({ url, weight }) => ({ url, weight })));
      if (sameInstances(told.get(service) ?? [], instances)) continue;
      told.set(service, instances);
      for (const listener of set) listener(instances);
    }
    const watched = rows.filter((row) => listeners.has(row.service)).map((row) => row.expiresAt.getTime() - clock.now());
    return Math.max(0, Math.min(pollInterval, ...watched));
  };
  // One read at a time; each schedules the next, at the poll interval or the next expiry if sooner.
  const refresh = () => {
    running = running.then(async () => {
      if (closed) return;
      const next = await read();
      clock.clearTimeout(timer);
      if (!closed) timer = clock.setTimeout(refresh, next);
    });
    return running;
  };

  return {
    async announce(service, { url, weight }, ttl) {
      const at = clock.now();
      const row = await store.announceInstance({ service, url, weight, heartbeatAt: new Date(at), expiresAt: new Date(at + ttl) });
      await refresh();
      return shown(row);
    },
    async withdraw(service, url) {
      const removed = await store.withdrawInstance(service, url, now());
      await refresh();
      return removed;
    },
    list: async (service) => (await store.announcedInstances(now())).filter((row) => row.service === service).map(shown),
    watch(service, listener) {
      const set = listeners.get(service) ?? new Set();
      listeners.set(service, set);
      set.add(listener);
      if (!started) void refresh();
      started = true;
      return () => void set.delete(listener);
    },
    async close() {
      closed = true;
      clock.clearTimeout(timer);
      await running;
    },
  };
}

function shown({ url, weight, announcedAt, heartbeatAt, expiresAt }: StoredAnnouncement): Announcement {
  return { url, weight, announcedAt: announcedAt.getTime(), heartbeatAt: heartbeatAt.getTime(), expiresAt: expiresAt.getTime() };
}
