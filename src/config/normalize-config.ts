import path from 'node:path';
import { ConfigError } from './config-error.ts';
import { normalizeAuthenticationOptions, type NormalizedAuthentication } from '../auth/authentication-config.ts';
import { normalizeClientsOptions, type NormalizedClients } from '../clients/normalize-clients.ts';
import { normalizeLimitsOptions, type NormalizedLimits } from '../limits/limits-config.ts';
import { normalizeLoggingOptions, type NormalizedLogging } from '../observability/logging-config.ts';
import { normalizeMetricsOptions, type NormalizedMetrics } from '../observability/metrics-config.ts';
import { normalizeTracingOptions, type NormalizedTracing } from '../observability/tracing-config.ts';
import { normalizeRateLimitsOptions, type NormalizedRateLimits } from '../rate-limits/rate-limits-config.ts';
import { normalizeRedisOptions, type NormalizedRedis } from '../redis/redis-config.ts';
import { normalizeRegistryOptions, type NormalizedRegistry } from '../registry/registry-config.ts';
import { registryApiPath } from '../registry/use-registry-api.ts';
import { announcePath } from '../transport/discovery/use-instance-announcements.ts';
import { normalizeRoutesOptions, type NormalizedRoute } from '../routes/routes-config.ts';
import { normalizeResponseCacheOptions, type NormalizedResponseCache } from '../response-cache/response-cache-config.ts';
import { normalizeAuthorizationOptions, type NormalizedAuthorization } from '../security/authorization-config.ts';
import { normalizeIdentityOptions, type NormalizedIdentity } from '../security/identity-config.ts';
import { normalizeNetworkOptions, type NormalizedNetwork } from '../security/network-config.ts';
import { normalizeSupergraphOptions, type NormalizedSupergraph } from '../sources/federation/supergraph-config.ts';
import { normalizeTlsOptions, normalizeUpstreamTlsOptions, type NormalizedTls, type NormalizedUpstreamTls } from '../tls/tls-config.ts';
import { normalizeDiscoveryOptions, undiscoveredUrl, type NormalizedDiscovery } from '../transport/discovery/discovery-config.ts';
import { normalizeBreakerOptions, normalizeRetriesOptions, type NormalizedBreaker, type NormalizedRetries } from '../transport/resilience-config.ts';
import { defaultMaxResponseBytes } from '../transport/read-bounded-text.ts';
import { normalizeSourceInstances, type NormalizedInstances } from '../transport/instances-config.ts';
import { normalizeMirrorOptions, normalizeVersionsOptions, type NormalizedMirror, type NormalizedVersions } from '../transport/traffic-config.ts';
import { normalizeTrustedDocumentsOptions, type NormalizedTrustedDocuments } from '../trusted-documents/trusted-documents-config.ts';
import type { GatewayConfig, GraphiQLConfig } from './define-config.ts';
import { createChecker, isPlainObject, show, type Checker } from './config-checker.ts';
import { normalizeClientTimeouts } from '../server/client-timeouts.ts';
import type { FeatureContext } from './feature-options.ts';
import { interpolateEnv } from './interpolate-env.ts';
import { normalizeQueryPlannerOptions, type NormalizedQueryPlanner } from './query-planner-config.ts';

/** A source with every default filled in. */
export interface NormalizedSource extends NormalizedInstances {
  name: string;
  kind: 'graphql' | 'rest' | 'federation';
  /** The URL calls go to; with `urls`, the first instance's. */
  url: string;
  /** Absolute path of the registered SDL file. */
  schemaPath: string;
  schemaFrom: 'file' | 'introspection';
  timeout: number;
  /** Lower-case header names. */
  forwardHeaders: string[];
  headers: Record<string, string>;
  connections: number;
  /** Most bytes of one upstream answer read (see `SourceConfig.maxResponseBytes`). */
  maxResponseBytes: number;
  batch: boolean;
  maxBatchSize: number;
  /** TLS towards the service, when configured. */
  tls?: NormalizedUpstreamTls;
  httpCache: boolean;
  dedupeInFlight: boolean;
  /** Retries of reading calls (`attempts: 0` when off). */
  retries: NormalizedRetries;
  /** The circuit breaker, or `false`. */
  breaker: NormalizedBreaker;
  /** Where its instances are discovered, when they are (`url` is then {@link undiscoveredUrl} unless given). */
  discovery?: NormalizedDiscovery;
  /** Other versions beside the stable one (canary, A/B), when it has some. */
  versions?: NormalizedVersions;
  /** The shadow its reading calls are copied to, when it has one. */
  mirror?: NormalizedMirror;
  /** For a subgraph of `config.supergraph`: the supergraph, whose SDL stands in for `_service`. */
  supergraph?: NormalizedSupergraph;
  /**
   * The SDL as the schema registry holds it: when set, no file is read and no service is asked
   * (introspection, `_service`), and problems name the SDL by `name` instead of `schemaPath`.
   */
  registered?: { sdl: string; name: string };
}

/** The configuration with every default filled in and every value checked. */
export interface NormalizedConfig {
  port: number;
  host: string;
  schemasDir: string;
  graphqlEndpoint: string;
  graphiql: false | (GraphiQLConfig & { title: string });
  shutdownTimeout: number;
  /** Milliseconds from a request's arrival within which its upstream calls must be answered; `0` for none. */
  operationTimeout: number;
  /** The query planner's options; `false` sends every operation through stitching. */
  queryPlanner: false | NormalizedQueryPlanner;
  maxRequestBytes: number;
  /** Milliseconds a client has to send a request's headers. */
  headersTimeout: number;
  /** Milliseconds a client has to send a whole request; `0` for none. */
  requestTimeout: number;
  sources: NormalizedSource[];
  authentication: NormalizedAuthentication;
  network: NormalizedNetwork;
  authorization: NormalizedAuthorization;
  identity: NormalizedIdentity;
  limits: NormalizedLimits;
  trustedDocuments: NormalizedTrustedDocuments;
  /** HTTPS settings; `undefined` serves plain HTTP. */
  tls?: NormalizedTls;
  /** Shared Redis; `undefined` keeps every store in memory. */
  redis?: NormalizedRedis;
  rateLimits: NormalizedRateLimits;
  responseCache: NormalizedResponseCache;
  logging: NormalizedLogging;
  /** Metrics, the status page and the admin key. */
  metrics: NormalizedMetrics;
  tracing: NormalizedTracing;
  /** The schema registry's store (`concierge schema ...`). */
  registry: NormalizedRegistry;
  /** `config.supergraph`, when set: its file, and how a changed content becomes sources again. */
  supergraph?: SupergraphWatch;
  /** Client profiles (`clients`, `defaultClient`); none when not configured. */
  clients: NormalizedClients;
  /** Plain REST routes, most specific pattern first; none when not configured. */
  routes: NormalizedRoute[];
}

/** The supergraph file, and what a hot reload needs: the subgraph sources of a new content. */
export interface SupergraphWatch extends NormalizedSupergraph {
  /**
   * The subgraph sources of `text` as the file's new content, checked and defaulted as at start-up
   * with the same options (`defaults`, `subgraphs`). Throws a {@link ConfigError} with every problem.
   */
  subgraphSources(text: string): NormalizedSource[];
}

/** Where the config came from: relative paths resolve against `baseDir`; `env` feeds `${NAME}`. */
export interface NormalizeOptions {
  baseDir?: string;
  env?: NodeJS.ProcessEnv;
}

const topLevelKeys = [
  'port',
  'host',
  'schemasDir',
  'graphqlEndpoint',
  'graphiql',
  'shutdownTimeout',
  'operationTimeout',
  'maxRequestBytes',
  'headersTimeout',
  'requestTimeout',
  'queryPlanner',
  'sources',
  'supergraph',
  'authentication',
  'consumers',
  'network',
  'authorization',
  'identity',
  'limits',
  'trustedDocuments',
  'tls',
  'redis',
  'rateLimits',
  'responseCache',
  'logging',
  'metrics',
  'tracing',
  'statusPage',
  'admin',
  'registry',
  'clients',
  'defaultClient',
  'routes',
];
const sourceKeys = [
  'kind',
  'url',
  'schema',
  'timeout',
  'forwardHeaders',
  'headers',
  'connections',
  'maxResponseBytes',
  'schemaFrom',
  'batch',
  'maxBatchSize',
  'tls',
  'httpCache',
  'dedupeInFlight',
  'retries',
  'breaker',
  'versions',
  'versionOverride',
  'mirror',
  'discovery',
  'urls',
  'loadBalancing',
  'healthCheck',
  'outlierDetection',
];
const sourceName = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * Checks a raw configuration and fills in its defaults. Every mistake is reported at once, each as
 * `key: expected ..., got <value>`, in one {@link ConfigError}.
 */
export function normalizeConfig(raw: unknown, options: NormalizeOptions = {}): NormalizedConfig {
  const { baseDir = process.cwd(), env = process.env } = options;
  const problems: string[] = [];
  const check = createChecker(problems);
  const context = { check, baseDir };
  if (!isPlainObject(raw)) throw new ConfigError([`config: expected an object, got ${show(raw)}`]);
  const config = interpolateEnv(raw, env) as Partial<GatewayConfig> & Record<string, unknown>;
  check.knownKeys('config', config, topLevelKeys);

  const rawPort = env['PORT'];
  const portFromEnv = rawPort ? (Number.isNaN(Number(rawPort)) ? rawPort : Number(rawPort)) : undefined;
  const port = check.integer('config.port', portFromEnv ?? config.port ?? 4000, 0, 65535, portFromEnv !== undefined ? ' (from PORT)' : '');
  const schemasDir = path.resolve(baseDir, check.string('config.schemasDir', config.schemasDir ?? 'schemas'));
  const graphiql = normalizeGraphiQL(config.graphiql, check);

  const redis = normalizeRedisOptions(config.redis, context);
  const sources: NormalizedSource[] = [];
  const sourceContext = { ...context, schemasDir };
  const supergraphOf = (text: string | undefined, checker: Checker) => {
    const { supergraph, subgraphs } = normalizeSupergraphOptions(config.supergraph, config.sources, { ...context, check: checker }, env, text);
    return {
      supergraph,
      sources: subgraphs.map(({ name, options, keyOf }) => ({
        ...normalizeSource(name, options, keyOf, { ...sourceContext, check: checker }),
        ...optional('supergraph', supergraph),
      })),
    };
  };
  const { supergraph, sources: subgraphSources } = supergraphOf(undefined, check);
  // A gateway that follows the registry may take every source from it.
  const sourcesOptional = config.supergraph !== undefined || (isPlainObject(config.registry) && config.registry['follow'] !== false);
  const rawSources = config.sources ?? (sourcesOptional ? {} : undefined);
  if (!isPlainObject(rawSources) || (Object.keys(rawSources).length === 0 && !sourcesOptional)) {
    problems.push(`config.sources: expected ${sourcesOptional ? 'an object of sources' : 'an object with at least one source'}, got ${show(config.sources)}`);
  } else {
    for (const [name, source] of Object.entries(rawSources)) {
      const key = `config.sources.${name}`;
      if (!sourceName.test(name)) problems.push(`${key}: expected a name of letters, digits, - and _ starting with a letter, got "${name}"`);
      if (!isPlainObject(source)) {
        problems.push(`${key}: expected an object, got ${show(source)}`);
        continue;
      }
      check.knownKeys(key, source, sourceKeys);
      sources.push(normalizeSource(name, source, (option) => `${key}.${option}`, sourceContext));
    }
  }
  sources.push(...subgraphSources);

  const host = check.string('config.host', config.host ?? '0.0.0.0');
  const normalized: NormalizedConfig = {
    port,
    host,
    schemasDir,
    graphqlEndpoint: check.path('config.graphqlEndpoint', config.graphqlEndpoint ?? '/graphql'),
    graphiql,
    shutdownTimeout: check.integer('config.shutdownTimeout', config.shutdownTimeout ?? 10_000, 0, 600_000),
    operationTimeout: check.integer('config.operationTimeout', config.operationTimeout ?? 30_000, 0, 3_600_000),
    maxRequestBytes: check.integer('config.maxRequestBytes', config.maxRequestBytes ?? 1_048_576, 1, 1_073_741_824),
    ...normalizeClientTimeouts(config, check),
    queryPlanner: normalizeQueryPlannerOptions(config.queryPlanner, context),
    sources,
    authentication: normalizeAuthenticationOptions(config.authentication, config.consumers, context),
    network: normalizeNetworkOptions(config.network, context, host),
    authorization: normalizeAuthorizationOptions(config.authorization, context),
    identity: normalizeIdentityOptions(config.identity, context),
    limits: normalizeLimitsOptions(config.limits, context),
    trustedDocuments: normalizeTrustedDocumentsOptions(config.trustedDocuments, context),
    ...optional('tls', normalizeTlsOptions(config.tls, context)),
    ...optional('redis', redis),
    rateLimits: normalizeRateLimitsOptions(config.rateLimits, redis !== undefined, context),
    responseCache: normalizeResponseCacheOptions(config.responseCache, context),
    logging: normalizeLoggingOptions(config.logging, context),
    metrics: normalizeMetricsOptions(config.metrics, config.admin, config.statusPage, context),
    tracing: normalizeTracingOptions(config.tracing, context),
    registry: normalizeRegistryOptions(config.registry, context),
    ...optional('supergraph', supergraph && { ...supergraph, subgraphSources: (text: string) => reloaded(supergraphOf, text) }),
    clients: { profiles: [], defaultProfile: undefined },
    routes: [],
  };
  normalized.clients = normalizeClientsOptions(config['clients'], config['defaultClient'], {
    ...context,
    consumers: normalized.authentication.apiKeys?.consumers.map((consumer) => consumer.name) ?? [],
    plans: [...normalized.rateLimits.plans.keys()],
    limits: normalized.limits,
  });
  normalized.routes = normalizeRoutesOptions(config['routes'], context, {
    sources,
    sourcesFromRegistry: normalized.registry.follow,
    reservedPaths: reservedPaths(normalized),
  });
  if (supergraph?.hotReload && normalized.registry.follow) {
    check.fail('config.supergraph.hotReload', 'false beside registry.follow (the registry decides which graph is served)', true);
  }
  // A bad supergraph.defaults option is found once per subgraph.
  if (problems.length > 0) throw new ConfigError([...new Set(problems)]);
  return normalized;
}

/** The paths the gateway answers itself, which no route may take. */
function reservedPaths({ graphqlEndpoint, metrics, responseCache, sources }: NormalizedConfig): string[] {
  const statusPage = metrics.statusPage.path.replace(/\/+$/, '');
  return [
    graphqlEndpoint,
    '/healthz',
    '/readyz',
    metrics.path,
    metrics.statusPage.path,
    `${statusPage}/data.json`,
    responseCache.purge.path,
    `${registryApiPath}/publish`,
    ...sources.map((source) => announcePath(source.name)),
  ];
}

/** The subgraph sources of a new supergraph content, or a {@link ConfigError} with every problem. */
function reloaded(supergraphOf: (text: string, check: Checker) => { sources: NormalizedSource[] }, text: string): NormalizedSource[] {
  const problems: string[] = [];
  const { sources } = supergraphOf(text, createChecker(problems));
  if (problems.length > 0) throw new ConfigError([...new Set(problems)]);
  return sources;
}

/** One source's options, each named in problems by `keyOf(option)`, with its defaults filled in. */
function normalizeSource(
  name: string,
  source: Record<string, unknown>,
  keyOf: (option: string) => string,
  context: FeatureContext & { schemasDir: string },
): NormalizedSource {
  const { check, baseDir, schemasDir } = context;
  const kind = check.oneOf(keyOf('kind'), source['kind'], ['graphql', 'rest', 'federation'] as const);
  const instances = normalizeSourceInstances(source, keyOf, check);
  const discovery = normalizeDiscoveryOptions(source['discovery'], keyOf('discovery'), check);
  const url =
    source['urls'] === undefined
      ? discovery && source['url'] === undefined
        ? undiscoveredUrl
        : check.url(keyOf('url'), source['url'])
      : (instances.urls?.[0]?.url ?? 'http://invalid');
  const timeout = check.integer(keyOf('timeout'), source['timeout'] ?? 10_000, 1, 600_000);
  const normalized: NormalizedSource = {
    name,
    kind,
    url,
    schemaPath: path.resolve(baseDir, typeof source['schema'] === 'string' ? source['schema'] : path.join(schemasDir, `${name}.graphql`)),
    schemaFrom: check.oneOf(keyOf('schemaFrom'), source['schemaFrom'] ?? 'file', ['file', 'introspection'] as const),
    timeout,
    forwardHeaders: check.stringList(keyOf('forwardHeaders'), source['forwardHeaders'] ?? []).map((header) => header.toLowerCase()),
    headers: check.stringRecord(keyOf('headers'), source['headers'] ?? {}),
    connections: check.integer(keyOf('connections'), source['connections'] ?? 64, 1, 10_000),
    maxResponseBytes: check.integer(keyOf('maxResponseBytes'), source['maxResponseBytes'] ?? defaultMaxResponseBytes, 1, 1_073_741_824),
    batch: check.boolean(keyOf('batch'), source['batch'] ?? true),
    maxBatchSize: check.integer(keyOf('maxBatchSize'), source['maxBatchSize'] ?? 100, 1, 10_000),
    ...optional('tls', normalizeUpstreamTlsOptions(source['tls'], keyOf('tls'), context, source['urls'] === undefined ? source['url'] : undefined)),
    httpCache: check.boolean(keyOf('httpCache'), source['httpCache'] ?? true),
    dedupeInFlight: check.boolean(keyOf('dedupeInFlight'), source['dedupeInFlight'] ?? true),
    retries: normalizeRetriesOptions(source['retries'], keyOf('retries'), timeout, check),
    breaker: normalizeBreakerOptions(source['breaker'], keyOf('breaker'), check),
    ...instances,
    ...optional('discovery', discovery),
    ...optional('versions', normalizeVersionsOptions(source['versions'], source['versionOverride'], keyOf('versions'), keyOf('versionOverride'), check)),
    ...optional('mirror', normalizeMirrorOptions(source['mirror'], keyOf('mirror'), timeout, check)),
  };
  if (kind === 'federation' && source['schemaFrom'] !== undefined) {
    check.problem(
      `${keyOf('schemaFrom')}: expected no schemaFrom for a federation source (its SDL is the subgraph's { _service { sdl } } at start-up), got ${show(source['schemaFrom'])}`,
    );
  }
  if (kind === 'rest' && source['schemaFrom'] === 'introspection') {
    check.problem(`${keyOf('schemaFrom')}: expected "file" for a rest source (its GraphQL face is the registered SDL), got "introspection"`);
  }
  return normalized;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function normalizeGraphiQL(value: unknown, check: Checker): NormalizedConfig['graphiql'] {
  if (value === undefined || value === true) return { title: 'Concierge' };
  if (value === false) return false;
  if (!isPlainObject(value)) {
    check.fail('config.graphiql', 'true, false or an object', value);
    return false;
  }
  check.knownKeys('config.graphiql', value, ['title', 'defaultQuery', 'defaultVariables', 'defaultHeaders']);
  const graphiql: GraphiQLConfig & { title: string } = { title: check.string('config.graphiql.title', value['title'] ?? 'Concierge') };
  if (value['defaultQuery'] !== undefined) graphiql.defaultQuery = check.string('config.graphiql.defaultQuery', value['defaultQuery']);
  const headers = value['defaultHeaders'];
  if (typeof headers === 'function') graphiql.defaultHeaders = headers as () => string | Promise<string>;
  for (const key of ['defaultVariables', 'defaultHeaders'] as const) {
    if (value[key] === undefined || (key === 'defaultHeaders' && typeof headers === 'function')) continue;
    const text = check.string(`config.graphiql.${key}`, value[key]);
    try {
      JSON.parse(text);
      graphiql[key] = text;
    } catch {
      check.fail(`config.graphiql.${key}`, 'JSON text', text);
    }
  }
  return graphiql;
}
