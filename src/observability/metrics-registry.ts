import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { SeriesCounter, SeriesHistogram } from './series-metrics.ts';
import type { SourceInstances } from '../transport/instance-pools.ts';

/** Seconds: the bucket bounds of both latency histograms (and of the status page's p95). */
export const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** A gateway's Prometheus metrics, in a registry of its own. */
export interface GatewayMetrics {
  registry: Registry;
  requests: SeriesCounter<'operation_type' | 'operation' | 'status_class' | 'consumer'>;
  requestDuration: SeriesHistogram<'operation_type' | 'operation'>;
  /** `version` only on calls to a source with versions (canary, A/B). */
  upstreamRequests: SeriesCounter<'service' | 'instance' | 'outcome' | 'version'>;
  upstreamDuration: SeriesHistogram<'service' | 'instance' | 'version'>;
  /** Shadow copies of calls (a source's `mirror`), by how they compared: same, different, failed, dropped, uncompared. */
  mirrorRequests: Counter<'service' | 'result'>;
  responseCache: Counter<'result'>;
  rateLimited: Counter<'scope'>;
  errors: Counter<'code'>;
  /** GraphQL requests by client profile and version (see `clients`): bounded to declared profiles, versions to declared or first-seen ones, the rest `other`. */
  clientRequests: SeriesCounter<'client' | 'client_version' | 'status_class'>;
  clientRequestDuration: SeriesHistogram<'client' | 'client_version'>;
  clientErrors: Counter<'client' | 'code'>;
  /** Operations the query planner left to stitching, by its reason (bounded: at most 100 distinct, then `other reasons`). */
  plannerFallbacks: Counter<'reason'>;
  schemaLoads: Counter;
  /** Registry graph versions this gateway tried to serve: `applied`, or `failed` (the running graph stayed). */
  schemaSwaps: Counter<'result'>;
  /** Each instance's state (1 for its current one of healthy, probation, ejected, unhealthy; 0 for the others), read at each scrape. */
  instanceState: Gauge<'service' | 'instance' | 'state'>;
  /** Calls in flight per instance, read at each scrape. */
  instanceOutstanding: Gauge<'service' | 'instance'>;
  /** Outlier ejections per instance since it joined its pool, read at each scrape. */
  instanceEjections: Counter<'service' | 'instance'>;
  /** Instances each source's discovery knows now, by mechanism (dns, srv, announce). */
  discoveredInstances: Gauge<'service' | 'mechanism'>;
  /** Failed discovery resolutions (the last instances stay), by source and mechanism. */
  discoveryFailures: Counter<'service' | 'mechanism'>;
  /** Failures the gateway survived and logged once per burst (see `createBurstLog`), by component. */
  internalErrors: Counter<'component'>;
  /** Where the per-instance series are read from (the gateway's instance pools). */
  showInstances(provider: () => readonly SourceInstances[]): void;
  /** The Prometheus text exposition: this gateway's metrics, then the process's when collected. */
  exposition(): Promise<string>;
}

const instanceStates = ['healthy', 'probation', 'ejected', 'unhealthy'] as const;

/**
 * Creates the metrics of one gateway. Each gateway has its own `Registry`, never prom-client's
 * global one, so that several gateways in one process (tests) neither collide nor add up.
 */
export function createGatewayMetrics(prefix: string, collectProcessMetrics: boolean): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];
  const processRegistry = collectProcessMetrics ? processMetrics(prefix) : undefined;
  let instances: () => readonly SourceInstances[] = () => [];
  const eachInstance = (record: (labels: { service: string; instance: string }, status: SourceInstances['instances'][number]) => void) => {
    for (const { service, instances: list } of instances()) for (const status of list) record({ service, instance: status.origin }, status);
  };
  return {
    registry,
    requests: new SeriesCounter({
      name: `${prefix}requests_total`,
      help: 'GraphQL requests (each operation of a batch counts), by operation and HTTP status class.',
      labelNames: ['operation_type', 'operation', 'status_class', 'consumer'],
      registers,
    }),
    requestDuration: new SeriesHistogram({
      name: `${prefix}request_duration_seconds`,
      help: 'Time from receiving a GraphQL request to its response headers.',
      labelNames: ['operation_type', 'operation'],
      buckets: [...latencyBuckets],
      registers,
    }),
    upstreamRequests: new SeriesCounter({
      name: `${prefix}upstream_requests_total`,
      help: 'Calls to upstream services, by outcome: 2xx, 3xx, 4xx, 5xx, timeout, unreachable or error (an unreadable answer).',
      labelNames: ['service', 'instance', 'outcome', 'version'],
      registers,
    }),
    upstreamDuration: new SeriesHistogram({
      name: `${prefix}upstream_duration_seconds`,
      help: 'Duration of calls to upstream services.',
      labelNames: ['service', 'instance', 'version'],
      buckets: [...latencyBuckets],
      registers,
    }),
    mirrorRequests: new Counter({
      name: `${prefix}mirror_requests_total`,
      help: "Shadow copies of a source's calls (mirror), by result: same or different answer, failed, dropped (too many in flight), uncompared.",
      labelNames: ['service', 'result'],
      registers,
    }),
    responseCache: new Counter({
      name: `${prefix}response_cache_total`,
      help: 'Response cache lookups: HIT, MISS or BYPASS.',
      labelNames: ['result'],
      registers,
    }),
    rateLimited: new Counter({
      name: `${prefix}rate_limited_total`,
      help: 'Rate-limit rejections: whole operations (429) and single fields.',
      labelNames: ['scope'],
      registers,
    }),
    errors: new Counter({ name: `${prefix}errors_total`, help: 'Errors sent to clients, by extensions.code.', labelNames: ['code'], registers }),
    clientRequests: new SeriesCounter({
      name: `${prefix}client_requests_total`,
      help: 'GraphQL requests by client profile and version, and HTTP status class (with client profiles declared).',
      labelNames: ['client', 'client_version', 'status_class'],
      registers,
    }),
    clientRequestDuration: new SeriesHistogram({
      name: `${prefix}client_request_duration_seconds`,
      help: 'Time from receiving a GraphQL request to its response headers, by client profile and version.',
      labelNames: ['client', 'client_version'],
      buckets: [...latencyBuckets],
      registers,
    }),
    clientErrors: new Counter({
      name: `${prefix}client_errors_total`,
      help: 'Errors sent to clients, by client profile and extensions.code.',
      labelNames: ['client', 'code'],
      registers,
    }),
    plannerFallbacks: new Counter({
      name: `${prefix}planner_fallbacks_total`,
      help: 'Operations the query planner left to stitching, by its reason.',
      labelNames: ['reason'],
      registers,
    }),
    schemaLoads: new Counter({ name: `${prefix}schema_loads_total`, help: 'Schema compositions: 1 at start, then one per reload.', registers }),
    schemaSwaps: new Counter({
      name: `${prefix}schema_swaps_total`,
      help: 'Registry graph versions this gateway tried to serve: applied, or failed (the running graph stayed).',
      labelNames: ['result'],
      registers,
    }),
    instanceState: new Gauge({
      name: `${prefix}upstream_instance_state`,
      help: "Each upstream instance's state: 1 for the current one of healthy, probation (re-admitted after an ejection), ejected (outlier detection) and unhealthy (active checks).",
      labelNames: ['service', 'instance', 'state'],
      registers,
      collect() {
        this.reset();
        eachInstance((labels, { state }) => instanceStates.forEach((candidate) => this.set({ ...labels, state: candidate }, candidate === state ? 1 : 0)));
      },
    }),
    instanceOutstanding: new Gauge({
      name: `${prefix}upstream_instance_outstanding`,
      help: 'Calls in flight to each upstream instance.',
      labelNames: ['service', 'instance'],
      registers,
      collect() {
        this.reset();
        eachInstance((labels, { outstanding }) => this.set(labels, outstanding));
      },
    }),
    instanceEjections: new Counter({
      name: `${prefix}upstream_instance_ejections_total`,
      help: 'Outlier ejections of each upstream instance since it joined its source.',
      labelNames: ['service', 'instance'],
      registers,
      collect() {
        this.reset();
        eachInstance((labels, { ejections }) => this.inc(labels, ejections));
      },
    }),
    discoveredInstances: new Gauge({
      name: `${prefix}discovered_instances`,
      help: "Instances each source's discovery knows now (DNS, SRV or announced).",
      labelNames: ['service', 'mechanism'],
      registers,
    }),
    discoveryFailures: new Counter({
      name: `${prefix}discovery_failures_total`,
      help: 'Failed discovery resolutions (timeout, SERVFAIL, refused); the last instances stay.',
      labelNames: ['service', 'mechanism'],
      registers,
    }),
    internalErrors: new Counter({
      name: `${prefix}internal_errors_total`,
      help: 'Failures the gateway survived (a planner exception, a cache invalidation or Redis command that failed, an unreachable service), by component; each burst is logged once.',
      labelNames: ['component'],
      registers,
    }),
    showInstances(provider) {
      instances = provider;
    },
    async exposition() {
      const own = await registry.metrics();
      return processRegistry ? `${own}\n${await processRegistry.metrics()}` : own;
    },
  };
}

const processRegistries = new Map<string, Registry>();

/**
 * The process's metrics, one registry per prefix for the whole process. prom-client's collectors
 * install event-loop and GC observers that are never removed, so collecting them per gateway would
 * leak one set per gateway started; and they describe the process, which all its gateways share.
 */
function processMetrics(prefix: string): Registry {
  let registry = processRegistries.get(prefix);
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix });
    processRegistries.set(prefix, registry);
  }
  return registry;
}
