import type { AnnouncedInstances } from './announced-instances.ts';
import type { DiscoveryClock } from './discovery-clock.ts';
import type { NormalizedDiscovery } from './discovery-config.ts';
import { followDns } from './follow-dns.ts';
import type { InstanceSpec } from './instance-spec.ts';

/** What a running discovery tells, and where it reads time. */
export interface DiscoveryHooks {
  /** Called with the whole new list each time it changes (not when a refresh finds the same). */
  onInstances(instances: InstanceSpec[]): void;
  /** Operator messages: a failure burst starting and ending, a list emptied. */
  log(message: string): void;
  /** Called for every failed resolution (to count them). */
  onFailure?(error: Error): void;
  /** Time and timers. @default the process's, timers unref'ed */
  clock?: DiscoveryClock;
  /** The source's name, for messages and announcements. @default 'source' */
  service?: string;
  /** Where announced instances are kept; required with `announce`. */
  announcements?: AnnouncedInstances;
}

/** A running discovery. */
export interface DiscoveryHandle {
  /** Settles once the first resolution is done, whatever it found (announcements: once read). */
  ready(): Promise<void>;
  /** The instances known now (the last good list). */
  current(): InstanceSpec[];
  /** Why the last resolution found nothing, while it does not; `undefined` after a good one. */
  problem(): string | undefined;
  /** Stops refreshing (waits for a resolution in flight). */
  close(): Promise<void>;
}

/** Starts following a source's instances: DNS (A/AAAA or SRV), or its announcements. */
export function startDiscovery(discovery: NormalizedDiscovery, hooks: DiscoveryHooks): DiscoveryHandle {
  if (discovery.mechanism !== 'announce') return followDns(discovery, hooks);
  const { announcements, service = 'source', onInstances } = hooks;
  if (!announcements) throw new Error('startDiscovery: announce needs hooks.announcements');
  let current: InstanceSpec[] = [];
  let told = false;
  const stop = announcements.watch(service, (instances) => {
    told = true;
    current = instances;
    onInstances(instances);
  });
  // Announcements kept in the registry outlive a restart: the first graph starts from them.
  const first = announcements.list(service).then((list) => {
    if (told || list.length === 0) return;
    current = list.map(({ url, weight }) => ({ url, weight }));
    onInstances(current);
  });
  return {
    ready: () => first,
    current: () => current,
    problem: () => (current.length === 0 ? `no instance of ${service} is announced` : undefined),
    close: async () => stop(),
  };
}
