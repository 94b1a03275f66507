import type { AuthenticationConfig, ConsumerConfig } from '../auth/authentication-config.ts';
import type { ClientsConfig } from '../clients/clients-config.ts';
import type { LimitsConfig } from '../limits/limits-config.ts';
import type { LoggingConfig } from '../observability/logging-config.ts';
import type { AdminConfig, MetricsConfig, StatusPageConfig } from '../observability/metrics-config.ts';
import type { TracingConfig } from '../observability/tracing-config.ts';
import type { RateLimitsConfig } from '../rate-limits/rate-limits-config.ts';
import type { RedisConfig } from '../redis/redis-config.ts';
import type { RegistryConfig } from '../registry/registry-config.ts';
import type { ResponseCacheConfig } from '../response-cache/response-cache-config.ts';
import type { RouteConfig } from '../routes/routes-config.ts';
import type { AuthorizationConfig } from '../security/authorization-config.ts';
import type { IdentityConfig } from '../security/identity-config.ts';
import type { NetworkConfig } from '../security/network-config.ts';
import type { TlsConfig, UpstreamTlsConfig } from '../tls/tls-config.ts';
import type { BreakerConfig, RetriesConfig } from '../transport/resilience-config.ts';
import type { HealthCheckConfig, InstanceConfig, LoadBalancing, OutlierDetectionConfig } from '../transport/instances-config.ts';
import type { DiscoveryConfig } from '../transport/discovery/discovery-config.ts';
import type { MirrorConfig, VersionConfig, VersionOverrideConfig } from '../transport/traffic-config.ts';
import type { TrustedDocumentsConfig } from '../trusted-documents/trusted-documents-config.ts';
import type { QueryPlannerConfig } from './query-planner-config.ts';

/**
 * The gateway's configuration, as written in `gateway.config.ts` (or JSON). Every string may use
 * `${NAME}` or `${NAME:-default}` to read an environment variable.
 */
export interface GatewayConfig {
  /**
   * TCP port to listen on. The `PORT` environment variable wins when set.
   * @default 4000
   */
  port?: number;
  /**
   * Address to listen on.
   * @default '0.0.0.0'
   */
  host?: string;
  /**
   * Folder of registered service schemas, one `<source>.graphql` file per source, relative to the
   * config file.
   * @default 'schemas'
   */
  schemasDir?: string;
  /**
   * Path of the GraphQL endpoint (and of GraphiQL for browsers).
   * @default '/graphql'
   */
  graphqlEndpoint?: string;
  /**
   * GraphiQL for browsers on the GraphQL endpoint, served from bundled assets. `false` turns it off.
   * @default true
   */
  graphiql?: boolean | GraphiQLConfig;
  /**
   * How long SIGTERM waits for in-flight requests before closing them, in milliseconds.
   * @default 10000
   */
  shutdownTimeout?: number;
  /**
   * The deadline of one client request, in milliseconds from its arrival: every upstream call it
   * makes gets what is left of it when that is less than the source's `timeout` (retries
   * included), and a call due after it is not made (`GATEWAY_TIMEOUT` on its fields). A call
   * shared by identical requests in flight keeps the deadline of the request that started it.
   * Plain routes are bounded by their own `timeout` instead. `0` sets none.
   * @default 30000 (Apollo Router's router timeout)
   */
  operationTimeout?: number;
  /**
   * Largest accepted request body, in bytes. Plain REST routes stream their bodies and have their
   * own limit (`routes.<pattern>.maxBodyBytes`) instead.
   * @default 1048576
   */
  maxRequestBytes?: number;
  /**
   * How long a client may take to send a request's headers, in milliseconds (a new connection's
   * first request: from connecting). Past it the client gets 408 `REQUEST_TIMEOUT` and the
   * connection is closed, so a client trickling its headers cannot hold connections open (Node's
   * own default is 60 s).
   * @default 10000 (Apollo Router's header read timeout)
   */
  headersTimeout?: number;
  /**
   * How long a client may take to send a whole request, headers and body, in milliseconds. Past it
   * the client gets 408 `REQUEST_TIMEOUT` and the connection is closed, so a client trickling a
   * body cannot hold connections open (Node's own default is 300 s). At least `headersTimeout`.
   * It bounds plain routes' uploads too (a 10 MiB body in 60 s needs 1.4 Mbit/s): raise it for
   * large ones over slow links. `0` sets none.
   * @default 60000 (nginx's body read timeout)
   */
  requestTimeout?: number;
  /**
   * Execute queries over federation sources with Concierge's own query planner: one plan per
   * document (cached), one `_entities` call per subgraph and position, results merged and shaped
   * without per-field resolvers. Operations it does not cover (`@interfaceObject`, subscriptions,
   * introspection, fields of other sources) go through stitching as before. `false` sends every
   * operation through stitching; an object turns the planner on with options.
   * @default true
   * @example { exposePlan: { scope: 'debug:plan' } }
   */
  queryPlanner?: boolean | QueryPlannerConfig;
  /**
   * The services to compose, by name. The name is what errors report as `extensions.service`.
   * Required unless `supergraph` gives the services.
   */
  sources?: Record<string, SourceConfig>;
  /**
   * A supergraph SDL file, as `rover supergraph compose` or `composeServices` writes it, instead of
   * `federation` sources: each `join__Graph` value (`@join__graph(name:, url:)`) becomes a federation
   * source of that name calling that URL. Nothing is asked of the subgraphs at start-up (no
   * `_service`), so they need not be running. The subgraphs mix with `graphql` and `rest` sources;
   * `sources` may then have no `federation` source and no source named like a subgraph.
   * Hot reload (serving each change of the file without a restart) is `hotReload: true` in the object
   * form; for either form, `concierge start --hot-reload` or the environment variable
   * `CONCIERGE_HOT_RELOAD=true` turns it on (`supergraph.hotReload: false` keeps it off).
   * @example './supergraph.graphql'
   * @example { file: './supergraph.graphql', defaults: { forwardHeaders: ['authorization'] }, subgraphs: { reviews: { url: '${REVIEWS_URL}' } } }
   */
  supergraph?: string | SupergraphConfig;
  /** How callers prove who they are: JWTs and API keys. Without it every caller is anonymous. */
  authentication?: AuthenticationConfig;
  /** Declared consumers (API-key holders), by name. */
  consumers?: Record<string, ConsumerConfig>;
  /** Address allow and deny lists, trusted proxies, browser origins (CORS) and CSRF prevention. */
  network?: NetworkConfig;
  /** The functions behind `@policy` in registered schemas. */
  authorization?: AuthorizationConfig;
  /** What upstream services are told about the caller. */
  identity?: IdentityConfig;
  /** Limits on operations: depth, aliases, cost, batching, introspection. Defaults are safe for production. */
  limits?: LimitsConfig;
  /** Persisted operations (a manifest), automatic persisted queries, and refusing other documents. */
  trustedDocuments?: TrustedDocumentsConfig;
  /** HTTPS for clients. */
  tls?: TlsConfig;
  /** The Redis that replicas share (distributed mode). Without it, counters and caches are in memory. */
  redis?: RedisConfig;
  /** Rate limits per field (`@rateLimit` or here) and per consumer plan. */
  rateLimits?: RateLimitsConfig;
  /** Caching of whole responses, with `@cacheControl` hints. */
  responseCache?: ResponseCacheConfig;
  /** The access log: one line per request with the upstream calls it made. */
  logging?: LoggingConfig;
  /** Prometheus metrics at /metrics. */
  metrics?: MetricsConfig;
  /** OpenTelemetry tracing, exported over OTLP/HTTP. */
  tracing?: TracingConfig;
  /** The live status page. */
  statusPage?: StatusPageConfig;
  /** The admin key that protects /metrics, the status page and admin endpoints when set. */
  admin?: AdminConfig;
  /**
   * The schema registry's store, for `concierge schema publish | check | history | diff | rollback |
   * delete | import`. Without it, the embedded store in `.concierge/registry` beside the config file.
   * @example { store: 'postgres', url: '${DATABASE_URL}', usageWindow: '14d' }
   */
  registry?: RegistryConfig;
  /**
   * Plain REST routes, by path pattern: requests whose path matches are proxied to a source's
   * service through the same front door as GraphQL (network rules, authentication, plans and rate
   * limits, the source's load balancing and breakers, access log, metrics, tracing, identity
   * headers), bodies streamed both ways. `/api/orders/*` matches `/api/orders` and everything below
   * it, `:id` one segment, anything else exactly; the most specific pattern wins. A pattern may not
   * take the gateway's own paths (the GraphQL endpoint, probes, admin surfaces).
   * @example { '/api/orders/*': { source: 'orders', methods: ['GET'] } }
   */
  routes?: Record<string, RouteConfig>;
  /**
   * Client profiles: a schema view (by `@tag` and coordinates), computed fields, trusted
   * documents, limits and a rate-limit plan per client, chosen by consumer, JWT claim or the
   * `graphql-client-name` header; requests are labelled by profile in the metrics and the access log.
   * @example { web: { default: true }, mobile: { names: ['shop-ios'], exclude: { coordinates: ['Order.payment'] } } }
   */
  clients?: ClientsConfig;
  /**
   * The profile of callers matching no other (or mark one profile `default: true`). Required once
   * `clients` is set.
   * @example 'web'
   */
  defaultClient?: string;
}

/** GraphiQL settings. */
export interface GraphiQLConfig {
  /**
   * Page title.
   * @default 'Concierge'
   */
  title?: string;
  /** The query in the editor when GraphiQL opens. */
  defaultQuery?: string;
  /** The variables (JSON text) in the variables editor when GraphiQL opens. */
  defaultVariables?: string;
  /**
   * The headers (JSON text) in the headers editor when GraphiQL opens, or a function giving them
   * for each page load, e.g. a short-lived development token. The page is rendered again (and
   * compressed, about 0.3 s of CPU) whenever the function's text changes, so let it change seldom.
   * @example async () => JSON.stringify({ authorization: `Bearer ${await freshToken()}` })
   */
  defaultHeaders?: string | (() => string | Promise<string>);
}

/** A service the gateway composes. */
export type SourceConfig = GraphQLSourceConfig | RestSourceConfig | FederationSourceConfig;

/** Settings every kind of source has. */
export interface SourceCommonConfig {
  /**
   * For `graphql`, the service's GraphQL endpoint; for `rest`, the base URL the `@http` paths are
   * appended to. May be omitted with `discovery`.
   * @example 'http://users:4001/graphql'
   */
  url?: string;
  /**
   * The registered SDL file, relative to the config file.
   * @default '<schemasDir>/<source name>.graphql'
   */
  schema?: string;
  /**
   * Time allowed for one upstream call, in milliseconds; past it the field fails with `GATEWAY_TIMEOUT`.
   * @default 10000
   */
  timeout?: number;
  /**
   * Client request headers passed on to this service (case-insensitive). No other client header is.
   * @default []
   * @example ['accept-language', 'x-tenant']
   */
  forwardHeaders?: string[];
  /** Fixed headers sent on every call to this service. */
  headers?: Record<string, string>;
  /**
   * Most bytes of one answer of this service the gateway reads before parsing it. A longer answer
   * is cut off, its connection closed, and the fields it would fill fail with
   * `DOWNSTREAM_SERVICE_ERROR` (not retried unless its status is 502, 503 or 504), so one runaway
   * answer cannot exhaust the gateway's memory. Plain routes stream answers and are not bounded.
   * @default 10485760 (10 MiB)
   * @example 52428800 // 50 MiB, for a service known to answer large lists
   */
  maxResponseBytes?: number;
  /**
   * Most keep-alive connections the gateway holds open to this service.
   * @default 64
   */
  connections?: number;
  /** TLS towards this service: a CA to trust, and a client certificate for mTLS. */
  tls?: UpstreamTlsConfig;
  /**
   * Keep GET answers of a REST service as long as its own `Cache-Control` allows (`max-age`, not
   * `private`, `no-store` or `no-cache`), in memory per gateway process.
   * @default true
   */
  httpCache?: boolean;
  /**
   * Send identical upstream requests in flight at the same moment (across client requests, with the
   * same identity headers) once, and share the answer.
   * @default true
   */
  dedupeInFlight?: boolean;
  /**
   * Retry reading calls (GET, HEAD, GraphQL queries) that found the service unreachable, timed out
   * or were answered 502/503/504, with jittered exponential backoff, within a retry budget and the
   * call's `timeout`. Mutations and other writes are never retried. `false` turns retries off.
   * @default { attempts: 2, budgetPercent: 20, backoff: '50ms', maxBackoff: '1s' }
   * @example { attempts: 3, budgetPercent: 10, attemptTimeout: '2s' }
   */
  retries?: false | RetriesConfig;
  /**
   * The service's circuit breaker: after repeated failures its fields fail at once with
   * `SERVICE_UNAVAILABLE` (the rest of the answer is served) until a trial call succeeds.
   * Off by default: with consecutive failures, one record the service always fails on would open
   * the circuit for every caller; prefer `failureRate` over a window for busy sources.
   * @default false
   * @example { threshold: 5, halfOpenAfter: '10s' }
   * @example { failureRate: 0.5, window: '30s', halfOpenAfter: '30s' }
   */
  breaker?: false | BreakerConfig;
  /**
   * Several instances of the service, instead of `url` (one or the other): each a URL, or
   * `{ url, weight }` (weight 1 to 1000, default 1). All share one protocol and one path, since
   * `tls` and the request paths are the source's. Each instance has its own connection pool; a
   * call goes to one picked by `loadBalancing` among those in rotation, and a retry to another.
   * @example ['http://products-1:4003', 'http://products-2:4003']
   * @example [{ url: 'http://big:4003', weight: 3 }, 'http://small:4003']
   */
  urls?: InstanceConfig[];
  /**
   * How a call picks an instance. `'least-request'` (Envoy's default choice) suits most services:
   * it needs no history and shies away from an instance whose calls pile up. Prefer
   * `'p2c-ewma'` when instances differ in speed, `'round-robin'` for an exact, even spread.
   * @default 'least-request'
   */
  loadBalancing?: LoadBalancing;
  /**
   * Active health checks of every instance, off the request path; an instance failing them is out
   * of rotation until it passes again. `true` uses the defaults.
   * @default false
   * @example { path: '/health', interval: '10s', timeout: '2s', healthyThreshold: 2, unhealthyThreshold: 3 }
   */
  healthCheck?: boolean | HealthCheckConfig;
  /**
   * Passive outlier ejection: an instance failing `consecutiveFailures` calls in a row (not
   * reachable, timeout, 5xx) leaves the rotation for a growing time, then comes back on probation.
   * A source with one instance is never ejected. `false` turns it off.
   * @default { consecutiveFailures: 5, baseEjectionTime: '30s', maxEjectionTime: '300s', maxEjectionPercent: 50 }
   */
  outlierDetection?: false | OutlierDetectionConfig;
  /**
   * Where the service's instances are found while the gateway runs, followed without a restart: DNS
   * A/AAAA records (re-resolved on their TTL), SRV records (lowest priority, weights), or instances
   * announcing themselves through the admin API (`PUT /_concierge/sources/<name>/instances`, expiring
   * without a heartbeat). `url` may then be omitted; when given, it is used until discovery finds
   * an instance. Start-up waits for the first DNS answer, and fails when it finds nothing and there
   * is no `url`. A failed resolution keeps the last instances.
   * @example { dns: 'products.internal', port: 4001, path: '/graphql' }
   * @example { srv: '_graphql._tcp.products.internal', path: '/graphql' }
   * @example { announce: true, ttl: '30s', allow: ['10.0.0.0/8'] }
   */
  discovery?: DiscoveryConfig;
  /**
   * Other versions of the service beside this one (`url` is the `stable` version): a canary, or the
   * B of an A/B test, by name. Each caller (consumer, else client address) is given one version by a
   * sticky hash, `weight` percent of the callers each, `stable` the rest; every call of one client
   * request goes to the same version. Calls are counted per version in `/metrics` (`version` label).
   * @example { v2: { url: 'http://orders-v2:4002/graphql', weight: 10 } }
   */
  versions?: Record<string, VersionConfig>;
  /**
   * Who may pick a version with the `concierge-version` header or cookie (`orders=v2`): by default
   * consumers with the scope `version:override`; `true` anyone, `false` nobody.
   * @default { header: 'concierge-version', cookie: 'concierge-version', scope: 'version:override' }
   */
  versionOverride?: boolean | VersionOverrideConfig;
  /**
   * A shadow service that receives a copy of a share of the reading calls (never mutations unless
   * asked), whose answers are compared with this service's and counted in
   * `concierge_mirror_requests_total`; clients only ever see this service's answers.
   * @example { url: 'http://orders-next:4002/graphql', percent: 10 }
   */
  mirror?: false | MirrorConfig;
}

/** A GraphQL service. */
export interface GraphQLSourceConfig extends SourceCommonConfig {
  kind: 'graphql';
  /**
   * Where the service's schema comes from: the registered SDL file, or an introspection query at
   * start-up (which reads the service's `_sdl` field when it has one, for its merge directives).
   * @default 'file'
   */
  schemaFrom?: 'file' | 'introspection';
  /**
   * Send the root fields that one level of a query needs from this service as one request.
   * @default true
   */
  batch?: boolean;
}

/** A REST service whose GraphQL face, with `@http` mapping directives, is the registered SDL file. */
export interface RestSourceConfig extends SourceCommonConfig {
  kind: 'rest';
  /**
   * Most keys a batch endpoint receives in one call; more are split across calls.
   * @default 100
   */
  maxBatchSize?: number;
}

/**
 * An Apollo Federation v2 subgraph. Its SDL is its answer to `{ _service { sdl } }` at start-up
 * (no registered file is read, so it must be running). All federation sources of a config are
 * composed into one supergraph, whose entities join by `@key` through the subgraphs' `_entities`,
 * and that supergraph is stitched with the other sources. To start from an already composed
 * supergraph file instead, see {@link GatewayConfig.supergraph}.
 * @example { kind: 'federation', url: 'http://reviews:4002/graphql' }
 */
export interface FederationSourceConfig extends Omit<SourceCommonConfig, 'schema'> {
  kind: 'federation';
  /**
   * Send the operations that one level of a query needs from this subgraph as one request.
   * @default true
   */
  batch?: boolean;
}

/** A supergraph file and how the gateway calls its subgraphs. A plain string is `{ file }`. */
export interface SupergraphConfig {
  /** The supergraph SDL file, relative to the config file. */
  file: string;
  /**
   * Serve each change of the file without a restart, like Apollo Router's `--hot-reload`: the
   * file's folder is watched (a write, or a rename into place), a changed content is composed off
   * the request path and swapped in atomically (requests finish on the graph they started on). A
   * content that does not parse or compose keeps the running graph: logged once with the reason,
   * counted in `concierge_schema_swaps_total{result="failed"}` and listed on the status page.
   * Answers carry the served content's SHA-256 prefix (12 hex digits) in `x-concierge-schema-version`.
   * Not beside `registry.follow`, where the registry decides the graph.
   * @default false, or `CONCIERGE_HOT_RELOAD` (true/false, 1/0; set by `concierge start --hot-reload`)
   */
  hotReload?: boolean;
  /**
   * Options for every subgraph of the supergraph, so that one added later gets them too (each
   * subgraph may override them in `subgraphs`).
   * @example { timeout: 2000, forwardHeaders: ['authorization'] }
   */
  defaults?: Omit<SupergraphSubgraphConfig, 'url' | 'urls'>;
  /**
   * Options of single subgraphs, by their `join__graph(name:)`. `url` (or `urls`, several instances)
   * replaces the supergraph's, and is required for a subgraph the supergraph gives no URL (`url: ""`).
   * @example { reviews: { url: '${REVIEWS_URL:-http://reviews:4002/graphql}', timeout: 500 } }
   */
  subgraphs?: Record<string, SupergraphSubgraphConfig>;
}

/** How the gateway calls one subgraph of a supergraph file: a federation source's options, all optional. */
export type SupergraphSubgraphConfig = Partial<Omit<FederationSourceConfig, 'kind'>>;

/** Types a config file; returns it unchanged. */
export function defineConfig(config: GatewayConfig): GatewayConfig {
  return config;
}
