import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Seconds: the bucket bounds of both latency histograms (and of the status page's p95). */
export const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** A gateway's Prometheus metrics, in a registry of its own. */
export interface GatewayMetrics {
  registry: Registry;
  requests: Counter<'operation_type' | 'operation' | 'status_class' | 'consumer'>;
  requestDuration: Histogram<'operation_type' | 'operation'>;
  upstreamRequests: Counter<'service' | 'instance' | 'outcome'>;
  upstreamDuration: Histogram<'service' | 'instance'>;
  responseCache: Counter<'result'>;
  rateLimited: Counter<'scope'>;
  errors: Counter<'code'>;
  /** Operations the query planner left to stitching, by its reason (bounded: at most 100 distinct, then `other reasons`). */
  plannerFallbacks: Counter<'reason'>;
  schemaLoads: Counter;
  /** Registry graph versions this gateway tried to serve: `applied`, or `failed` (the running graph stayed). */
  schemaSwaps: Counter<'result'>;
  /** The Prometheus text exposition: this gateway's metrics, then the process's when collected. */
  exposition(): Promise<string>;
}

/**
 * Creates the metrics of one gateway. Each gateway has its own `Registry`, never prom-client's
 * global one, so that several gateways in one process (tests) neither collide nor add up.
 */
export function createGatewayMetrics(prefix: string, collectProcessMetrics: boolean): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];
  const processRegistry = collectProcessMetrics ? processMetrics(prefix) : undefined;
  return {
    registry,
    requests: new Counter({
      name: `${prefix}requests_total`,
      help: 'GraphQL requests (each operation of a batch counts), by operation and HTTP status class.',
      labelNames: ['operation_type', 'operation', 'status_class', 'consumer'],
      registers,
    }),
    requestDuration: new Histogram({
      name: `${prefix}request_duration_seconds`,
      help: 'Time from receiving a GraphQL request to its response headers.',
      labelNames: ['operation_type', 'operation'],
      buckets: [...latencyBuckets],
      registers,
    }),
    upstreamRequests: new Counter({
      name: `${prefix}upstream_requests_total`,
      help: 'Calls to upstream services, by outcome: 2xx, 3xx, 4xx, 5xx, timeout, unreachable or error (an unreadable answer).',
      labelNames: ['service', 'instance', 'outcome'],
      registers,
    }),
    upstreamDuration: new Histogram({
      name: `${prefix}upstream_duration_seconds`,
      help: 'Duration of calls to upstream services.',
      labelNames: ['service', 'instance'],
      buckets: [...latencyBuckets],
      registers,
    }),
    responseCache: new Counter({ name: `${prefix}response_cache_total`, help: 'Response cache lookups: HIT, MISS or BYPASS.', labelNames: ['result'], registers }),
    rateLimited: new Counter({ name: `${prefix}rate_limited_total`, help: 'Rate-limit rejections: whole operations (429) and single fields.', labelNames: ['scope'], registers }),
    errors: new Counter({ name: `${prefix}errors_total`, help: 'Errors sent to clients, by extensions.code.', labelNames: ['code'], registers }),
    plannerFallbacks: new Counter({ name: `${prefix}planner_fallbacks_total`, help: 'Operations the query planner left to stitching, by its reason.', labelNames: ['reason'], registers }),
    schemaLoads: new Counter({ name: `${prefix}schema_loads_total`, help: 'Schema compositions: 1 at start, then one per reload.', registers }),
    schemaSwaps: new Counter({ name: `${prefix}schema_swaps_total`, help: 'Registry graph versions this gateway tried to serve: applied, or failed (the running graph stayed).', labelNames: ['result'], registers }),
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
