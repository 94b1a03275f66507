import { systemClock, type DiscoveryClock } from './discovery-clock.ts';
import { sortedInstances, type InstanceSpec } from './instance-spec.ts';

/** One announced instance, as the admin API lists it. */
export interface Announcement extends InstanceSpec {
  /** When it was first announced (since its last expiry or withdrawal), ms since the epoch. */
  announcedAt: number;
  /** When its last heartbeat was received. */
  heartbeatAt: number;
  /** When it is dropped unless announced again. */
  expiresAt: number;
}

/**
 * The instances announced to a gateway, per source, each until its TTL runs out without a
 * heartbeat: in the gateway's memory ({@link createAnnouncedInstances}), or in the schema registry's
 * store, shared by every gateway following it (`createStoredAnnouncements`).
 */
export interface AnnouncedInstances {
  /** Registers `url` for `service`, or renews it (a heartbeat; a changed weight applies at once). New when `announcedAt === heartbeatAt`. */
  announce(service: string, instance: InstanceSpec, ttl: number): Promise<Announcement>;
  /** Removes an instance at once; whether it was there. */
  withdraw(service: string, url: string): Promise<boolean>;
  /** A service's live announcements, sorted by URL. */
  list(service: string): Promise<Announcement[]>;
  /** Calls `listener` with a service's instances each time they change (announced, withdrawn, expired); returns the unsubscribe. */
  watch(service: string, listener: (instances: InstanceSpec[]) => void): () => void;
  close(): Promise<void>;
}

/**
 * An empty set of announcements in this gateway's memory, expiring on `clock`. Every gateway
 * replica must then be announced to (each instance announces to each replica).
 */
export function createAnnouncedInstances(clock: DiscoveryClock = systemClock): AnnouncedInstances {
  const services = new Map<string, Map<string, Announcement>>();
  const listeners = new Map<string, Set<(instances: InstanceSpec[]) => void>>();
  const timers = new Map<string, unknown>();

  const instancesOf = (service: string) => sortedInstances([...(services.get(service)?.values() ?? [])].map(({ url, weight }) => ({ url, weight })));
  const changed = (service: string) => {
    const instances = instancesOf(service);
    for (const listener of listeners.get(service) ?? []) listener(instances);
  };
  // One timer per service, at its earliest expiry; re-armed after every change.
  const arm = (service: string) => {
    clock.clearTimeout(timers.get(service));
    timers.delete(service);
    const entries = services.get(service);
    if (!entries || entries.size === 0) return;
    const next = Math.min(...[...entries.values()].map((entry) => entry.expiresAt));
    timers.set(
      service,
      clock.setTimeout(() => expire(service), Math.max(0, next - clock.now())),
    );
  };
  const expire = (service: string) => {
    const entries = services.get(service);
    const now = clock.now();
    let removed = false;
    for (const [url, entry] of entries ?? []) {
      if (entry.expiresAt > now) continue;
      entries?.delete(url);
      removed = true;
    }
    arm(service);
    if (removed) changed(service);
  };

  return {
    async announce(service, { url, weight }, ttl) {
      const entries = services.get(service) ?? new Map<string, Announcement>();
      services.set(service, entries);
      const now = clock.now();
      const previous = entries.get(url);
      const entry = { url, weight, announcedAt: previous?.announcedAt ?? now, heartbeatAt: now, expiresAt: now + ttl };
      entries.set(url, entry);
      arm(service);
      if (previous?.weight !== weight) changed(service);
      return entry;
    },
    async withdraw(service, url) {
      const removed = services.get(service)?.delete(url) ?? false;
      if (removed) {
        arm(service);
        changed(service);
      }
      return removed;
    },
    list: async (service) => [...(services.get(service)?.values() ?? [])].sort((a, b) => (a.url < b.url ? -1 : 1)),
    watch(service, listener) {
      const set = listeners.get(service) ?? new Set();
      listeners.set(service, set);
      set.add(listener);
      return () => void set.delete(listener);
    },
    async close() {
      for (const timer of timers.values()) clock.clearTimeout(timer);
      timers.clear();
    },
  };
}
