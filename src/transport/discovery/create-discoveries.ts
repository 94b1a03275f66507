import type { Plugin } from 'graphql-yoga';
import { ConfigError } from '../../config/config-error.ts';
import type { NormalizedAdmin } from '../../observability/metrics-config.ts';
import type { NormalizedRegistry } from '../../registry/registry-config.ts';
import { createAnnouncedInstances } from './announced-instances.ts';
import { canBeAnnounced, type AnnounceCredentials } from './announcer-of.ts';
import { systemClock, type DiscoveryClock } from './discovery-clock.ts';
import { describeDiscovery, type NormalizedDiscovery } from './discovery-config.ts';
import type { InstanceSpec } from './instance-spec.ts';
import { startDiscovery, type DiscoveryHandle } from './start-discovery.ts';
import { createStoredAnnouncements, type AnnouncementStore } from './stored-announcements.ts';
import { useInstanceAnnouncements } from './use-instance-announcements.ts';

/** A source as discovery sees it: its name, its discovery, and whether it has a configured URL to fall back to. */
export interface DiscoveredSource {
  name: string;
  discovery: NormalizedDiscovery;
  /** Whether the config gave `url`/`urls` (used until, and unless, discovery finds instances). */
  hasFallback: boolean;
  /** Whether building its schema asks the service (introspection, federation `_service`), which needs an instance at start-up. */
  readsSchemaAtStart?: boolean;
}

/** Where discovery reports what it found, for the metrics. */
export interface DiscoveryObserver {
  /** The instances `service` has now. */
  instances(service: string, mechanism: NormalizedDiscovery['mechanism'], count: number): void;
  /** One failed resolution. */
  failure(service: string, mechanism: NormalizedDiscovery['mechanism']): void;
}

/** What the gateway hands its discoveries. */
export interface DiscoveriesOptions {
  sources: readonly DiscoveredSource[];
  admin: NormalizedAdmin;
  registry: Pick<NormalizedRegistry, 'adminTokenHash' | 'publishTokens'>;
  /** Each new list of a source's instances (to its instance pool). */
  onInstances(service: string, instances: InstanceSpec[]): void;
  log(message: string): void;
  /** Metrics: the instances a source has now, and each failed resolution. */
  observe?: DiscoveryObserver;
  clock?: DiscoveryClock;
  /** The schema registry's store, when the gateway follows one: announcements are kept there, shared by every gateway using it. */
  store?: { store: AnnouncementStore; pollInterval: number };
}

/** The discoveries of a gateway's sources, shared by every graph it serves (keyed by source name). */
export interface Discoveries {
  /** The instances discovery knows for `service` now; `undefined` when it has no discovery. */
  current(service: string): InstanceSpec[] | undefined;
  /** The admin API for announced instances; `undefined` when no source takes announcements. */
  surface: Plugin | undefined;
  close(): Promise<void>;
}

/**
 * Starts every source's discovery and waits for the first DNS answers, so that the first graph is
 * built (schemas read from services, introspection, `_service`) against discovered instances. A
 * source with neither an instance nor a `url` to fall back to fails start-up, saying why. Announced
 * instances cannot exist before the gateway does: such a source starts with its `url`, or with no
 * instance (its fields fail with `SERVICE_UNAVAILABLE` until one announces itself), unless the
 * registry's store still holds live announcements from before a restart.
 */
export async function createDiscoveries(options: DiscoveriesOptions): Promise<Discoveries> {
  const { sources, log, observe, clock = systemClock } = options;
  const credentials: AnnounceCredentials = {
    admin: options.admin,
    registry: options.registry,
    sourceTokens: Object.fromEntries(
      sources.flatMap(({ name, discovery }) => (discovery.mechanism === 'announce' && discovery.tokenHash ? [[name, discovery.tokenHash]] : [])),
    ),
  };
  const announcing = new Map(sources.flatMap(({ name, discovery }) => (discovery.mechanism === 'announce' ? [[name, discovery] as const] : [])));
  const silent = [...announcing.keys()].filter((name) => !canBeAnnounced(name, credentials));
  if (silent.length > 0) {
    throw new ConfigError(
      silent.map(
        (name) =>
          `config.sources.${name}.discovery.announce: expected a credential that may announce (admin.keyHash, registry.adminTokenHash, registry.publishTokens.${name} or discovery.tokenHash), got none: an announcement without one would let anyone point the gateway anywhere`,
      ),
    );
  }
  const blind = sources.filter(({ discovery, hasFallback, readsSchemaAtStart }) => discovery.mechanism === 'announce' && !hasFallback && readsSchemaAtStart);
  if (blind.length > 0) {
    throw new ConfigError(
      blind.map(
        ({ name }) =>
          `config.sources.${name}.url: expected a url beside discovery.announce, since the source's schema is read from the service at start-up (introspection or federation _service), before any instance can announce itself; got none`,
      ),
    );
  }
  const announcements = options.store
    ? createStoredAnnouncements(options.store.store, { pollInterval: options.store.pollInterval, log, clock })
    : createAnnouncedInstances(clock);
  const handles = new Map<string, DiscoveryHandle>();
  const closeAll = async () => {
    await Promise.all([...handles.values()].map((handle) => handle.close()));
    await announcements.close();
  };
  for (const { name, discovery } of sources) {
    observe?.instances(name, discovery.mechanism, 0);
    const handle = startDiscovery(discovery, {
      service: name,
      clock,
      announcements,
      log,
      onInstances(instances) {
        observe?.instances(name, discovery.mechanism, instances.length);
        options.onInstances(name, instances);
      },
      onFailure: () => observe?.failure(name, discovery.mechanism),
    });
    handles.set(name, handle);
  }
  await Promise.all([...handles.values()].map((handle) => handle.ready()));
  const unresolved = sources.filter(
    ({ name, discovery, hasFallback }) => discovery.mechanism !== 'announce' && !hasFallback && handles.get(name)?.current().length === 0,
  );
  if (unresolved.length > 0) {
    await closeAll();
    throw new ConfigError(
      unresolved.map(
        ({ name, discovery }) =>
          `config.sources.${name}.discovery: expected ${describeDiscovery(discovery)} to find at least one instance at start-up (or a url to fall back to), got none: ${handles.get(name)?.problem() ?? 'no instance'}`,
      ),
    );
  }
  return {
    current: (service) => handles.get(service)?.current(),
    surface: announcing.size > 0 ? useInstanceAnnouncements({ sources: announcing, announcements, credentials, log }) : undefined,
    close: closeAll,
  };
}
