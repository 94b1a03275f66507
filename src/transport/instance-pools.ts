import { isDeepStrictEqual } from 'node:util';
import type { InstanceClock } from './instance-clock.ts';
import { createInstancePool, type InstancePool, type InstancePoolOptions, type InstanceStatus } from './instance-pool.ts';
import type { InstanceSpec } from './instances-config.ts';

/** A source's pool as one graph holds it; `release()` when the graph closes. */
export interface PoolLease {
  pool: InstancePool;
  release(): Promise<void>;
}

/** The instances of one source, as the status page and `/metrics` list them. */
export interface SourceInstances {
  service: string;
  instances: InstanceStatus[];
}

/**
 * A gateway's instance pools, one per source name, shared by the graphs it builds: health,
 * ejections and latency averages survive a schema swap (registry, supergraph file).
 */
export interface InstancePools {
  /**
   * The pool for `options.service`, created on first use. A graph built with the same settings
   * (connections, TLS, balancer, checks, ejection) shares it; a changed URL list is applied with
   * `update()`, so instances that stay keep their state. Changed settings get a new pool (state
   * starts over) while the old one serves the graph still draining. Closed when its last holder lets go.
   */
  lease(options: Omit<InstancePoolOptions, 'clock' | 'log' | 'random'>): PoolLease;
  /**
   * Applies a discovered list to the current pool of `service` (discovery, see
   * `src/transport/discovery/`); none yet: nothing to do, the first lease brings the list.
   */
  update(service: string, instances: readonly InstanceSpec[]): void;
  /** Every source's instances, by source name. */
  status(): SourceInstances[];
  /** Closes every pool. */
  close(): Promise<void>;
}

/** Options shared by all pools of a gateway. */
export interface InstancePoolsOptions {
  clock?: InstanceClock;
  log?: (message: string) => void;
  random?: () => number;
}

interface Entry {
  pool: InstancePool;
  settings: unknown;
  /** The list the config (or registry) gave last: discovery's own updates are not undone by a swap that did not change it. */
  configured: readonly InstanceSpec[];
  holders: number;
}

/** An empty set of pools. */
export function createInstancePools(shared: InstancePoolsOptions = {}): InstancePools {
  const current = new Map<string, Entry>();
  const all = new Set<Entry>();
  const release = async (entry: Entry) => {
    entry.holders -= 1;
    if (entry.holders > 0) return;
    all.delete(entry);
    if (current.get(entry.pool.service) === entry) current.delete(entry.pool.service);
    await entry.pool.close();
  };
  return {
    lease(options) {
      const { instances, ...rest } = options;
      const settings = { ...rest, tls: rest.tls ?? null };
      let entry = current.get(options.service);
      if (entry && isDeepStrictEqual(entry.settings, settings)) {
        if (!isDeepStrictEqual(entry.configured, instances)) entry.pool.update(instances);
        entry.configured = instances;
      } else {
        entry = { pool: createInstancePool({ ...options, ...shared }), settings, configured: instances, holders: 0 };
        current.set(options.service, entry);
        all.add(entry);
      }
      entry.holders += 1;
      const held = entry;
      let released = false;
      return {
        pool: held.pool,
        release: async () => {
          if (released) return;
          released = true;
          await release(held);
        },
      };
    },
    update: (service, instances) => current.get(service)?.pool.update(instances),
    status: () => [...current.values()].map(({ pool }) => ({ service: pool.service, instances: pool.status() })),
    close: async () => {
      const entries = [...all];
      all.clear();
      current.clear();
      await Promise.all(entries.map((entry) => entry.pool.close()));
    },
  };
}
