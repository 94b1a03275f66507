import type { Plugin } from 'graphql-yoga';
import type { NormalizedConfig, NormalizedSource } from '../../config/normalize-config.ts';
import type { DiscoveryClock } from './discovery-clock.ts';
import { undiscoveredUrl } from './discovery-config.ts';
import { createDiscoveries, type DiscoveryObserver } from './create-discoveries.ts';
import type { InstanceSpec } from './instance-spec.ts';
import type { AnnouncementStore } from './stored-announcements.ts';

/** The discoveries of a gateway's config sources, as the composition root uses them. */
export interface SourceDiscoveries {
  /** The announcement API, when a source takes announcements. */
  surface: Plugin | undefined;
  /**
   * `source` with the instances its discovery knows now as its `urls` (and its first as `url`,
   * which schema reads at start-up use); unchanged for a source without discovery. Applied by name
   * to every graph built, so a registry or supergraph swap keeps the discovered instances.
   */
  apply(source: NormalizedSource): NormalizedSource;
  /** The instances calls go to for `service` now; `undefined` without discovery. */
  current(service: string): InstanceSpec[] | undefined;
  close(): Promise<void>;
}

/** What the gateway hands over: where lists go (the source's instance pool), metrics, messages. */
export interface DiscoverSourcesOptions {
  /** Applies a new list to the source's instance pool. */
  update(service: string, instances: InstanceSpec[]): void;
  observe?: DiscoveryObserver;
  log(message: string): void;
  clock?: DiscoveryClock;
  /** The registry's store, when the gateway follows a registry: announcements are kept there. */
  store?: AnnouncementStore;
}

/**
 * Starts the discovery of every config source that has one (`undefined` when none has). A source's
 * `url`/`urls`, when given, are its fallback: used whenever discovery knows no instance (before the
 * first answer, after the list was emptied, while no instance is announced).
 */
export async function discoverSources(config: NormalizedConfig, options: DiscoverSourcesOptions): Promise<SourceDiscoveries | undefined> {
  const discovered = config.sources.filter((source) => source.discovery !== undefined);
  if (discovered.length === 0) return undefined;
  const fallbacks = new Map(discovered.map((source) => [source.name, fallbackOf(source)]));
  const effective = (service: string, instances: InstanceSpec[]) => (instances.length > 0 ? instances : (fallbacks.get(service) ?? []));
  const discoveries = await createDiscoveries({
    sources: discovered.flatMap(({ discovery, ...source }) =>
      discovery
        ? [{ name: source.name, discovery, hasFallback: (fallbacks.get(source.name) ?? []).length > 0, readsSchemaAtStart: readsSchemaAtStart(source) }]
        : [],
    ),
    admin: config.metrics.admin,
    registry: config.registry,
    onInstances: (service, instances) => options.update(service, effective(service, instances)),
    log: options.log,
    ...(options.observe ? { observe: options.observe } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.store ? { store: { store: options.store, pollInterval: config.registry.pollInterval } } : {}),
  });
  const current = (service: string) => {
    const known = discoveries.current(service);
    return known && effective(service, known);
  };
  return {
    surface: discoveries.surface,
    apply(source) {
      const instances = current(source.name);
      if (!instances) return source;
      return { ...source, url: instances[0]?.url ?? source.url, urls: instances };
    },
    current,
    close: () => discoveries.close(),
  };
}

function fallbackOf(source: NormalizedSource): InstanceSpec[] {
  if (source.urls) return [...source.urls];
  return source.url === undiscoveredUrl ? [] : [{ url: source.url, weight: 1 }];
}

/** Whether building the source's schema asks the service itself (introspection, federation `_service`). */
function readsSchemaAtStart(source: Omit<NormalizedSource, 'discovery'>): boolean {
  return source.schemaFrom === 'introspection' || (source.kind === 'federation' && !source.supergraph && !source.registered);
}
