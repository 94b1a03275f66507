import type { IncomingMessage, ServerResponse } from 'node:http';
import { assembleYoga } from './assemble-yoga.ts';
import type { GraphQLSchema } from 'graphql';
import type { ErrorCode } from '../errors.ts';
import type { Plugin, YogaServerInstance } from 'graphql-yoga';
import { buildClientViews, type ClientViews } from '../clients/client-views.ts';
import { useClientProfiles } from '../clients/use-client-profiles.ts';
import { systemClock, type Clock } from '../clock.ts';
import { composeSchema } from '../composition/compose-schema.ts';
import { createQueryPlanner, type QueryPlanner } from '../execution/create-query-planner.ts';
import type { NormalizedConfig } from '../config/normalize-config.ts';
import { useAccessLog } from '../plugins/use-access-log.ts';
import { useMetrics, type MetricsPlugin } from '../plugins/use-metrics.ts';
import { useTracing } from '../plugins/use-tracing.ts';
import { useIdentityForwarding } from '../plugins/use-identity-forwarding.ts';
import { openRateLimitStore, useRateLimits, type RateLimitStoreUse } from '../plugins/use-rate-limits.ts';
import { openResponseStore, useResponseCache } from '../plugins/use-response-cache.ts';
import { loadSources } from '../sources/load-sources.ts';
import { createFetchHooks, type FetchHooks, type OnFetch } from '../transport/fetch-hooks.ts';
import { createInstancePools, type InstancePools } from '../transport/instance-pools.ts';
import { discoverSources, type SourceDiscoveries } from '../transport/discovery/discover-sources.ts';
import type { DiscoveryClock } from '../transport/discovery/discovery-clock.ts';
import type { ResponseStore } from '../response-cache/response-store.ts';
import type { Registry } from '../registry/create-registry.ts';
import type { GraphFeed, GraphFollower } from '../registry/follow-registry.ts';
import { openRegistry } from '../registry/open-registry.ts';
import { useRegistryApi } from '../registry/use-registry-api.ts';
import { requestPathname } from '../routes/request-pathname.ts';
import { matchRoute } from '../routes/use-routes.ts';
import { useUsageRecording } from '../registry/use-usage-recording.ts';
import { SchemaError } from '../sources/schema-error.ts';
import type { SourcesRevision } from '../sources/watch-source-files.ts';
import { guardRequestSize } from './guard-request-size.ts';
import type { TransportContext } from '../plugins/use-transport-security.ts';
import { createGraphSlot, type GraphSlot } from './graph-slot.ts';
import { followRegistryGraphs, followSourceFiles, followSupergraphFile, servedOf, type GraphInput } from './follow-graphs.ts';
import type { LoadedSource } from '../sources/loaded-source.ts';
import { createBurstLog, type BurstLog } from '../observability/burst-log.ts';
import { createGatewayLogger, type Diagnostics, type GatewayLogger } from '../observability/gateway-logger.ts';
import { upstreamFailureLog } from '../observability/upstream-failure-log.ts';

/** One composed graph: what is built anew for each registry graph version and swapped whole. */
export interface ServedGraph {
  /** The registry graph version, or the supergraph file's revision (see `watchSupergraphFile`); `undefined` for the config's own sources. */
  version: number | undefined;
  /** What its answers carry in `x-concierge-schema-version`: the registry graph version, or the supergraph file's hash prefix; none for other config sources. */
  label: string | undefined;
  schema: GraphQLSchema;
  sources: readonly LoadedSource[];
  planner: QueryPlanner | undefined;
  /** Each client profile's view of this graph, when `clients` declares profiles. */
  views: ClientViews | undefined;
  yoga: YogaServerInstance<Record<string, unknown>, Record<string, unknown>>;
  /** Closes the sources' connection pools (once its last request is answered, see `GraphSlot`). */
  close(): Promise<void>;
}

/** The composed gateway: the graph it serves now and the Node request handler that serves it. */
export interface Gateway {
  config: NormalizedConfig;
  /** The current graph's public schema. */
  readonly schema: GraphQLSchema;
  /** The current graph's sources. */
  readonly sources: readonly LoadedSource[];
  /** The current graph's query planner (federation, graphql and rest sources), when `queryPlanner` is on. */
  readonly planner: QueryPlanner | undefined;
  /** The current graph's Yoga: a request handed to it runs on it to the end. */
  readonly yoga: ServedGraph['yoga'];
  /** The registry graph version served; `undefined` when the config's sources are. */
  readonly version: number | undefined;
  /** The graphs served and still draining. */
  readonly graphs: GraphSlot<ServedGraph>;
  /** The registry it follows (`registry.follow`), and how: attempts, `reached(version)`. */
  readonly registry?: { registry: Registry; follower: GraphFollower; flushUsage(): Promise<void> };
  /** The supergraph file it follows (`supergraph.hotReload`), and how: attempts, `reached(revision)`. */
  readonly supergraphFile?: { file: string; follower: GraphFollower };
  /** The follower of `options.sourcesFeed`, when given and used. */
  readonly sourceFiles?: GraphFollower;
  /** Whether a request URL's path is a plain REST route's: its body then streams to the service, unmeasured by `maxRequestBytes`. */
  isRoute(url: string): boolean;
  /**
   * Serves one Node request on the graph current when it arrives, to the end (see `GraphSlot`),
   * its body measured against `maxRequestBytes` first unless it is a route's (see `guardRequestSize`).
   */
  handle(request: IncomingMessage, response: ServerResponse, context: TransportContext): void;
  /** Whether `/readyz` answers 200: composed and not draining. */
  readonly ready: boolean;
  /** Marks the gateway as draining: `/readyz` answers 503 from now on. */
  drain(): void;
  /** Counts a connection refused before any request was read (see answerClientErrors). */
  refused(code: ErrorCode): void;
  /** Where its messages go (see {@link GatewayOptions.logger}). */
  logger: GatewayLogger;
  /** Stops following the registry; closes every graph's pools and the shared stores. */
  close(): Promise<void>;
}

/** What a caller may hand a gateway instead of letting it open its own. */
export interface GatewayOptions {
  /** The registry to follow (a test's, or one the CLI opened): not closed with the gateway. */
  registry?: Registry;
  /**
   * Where the gateway's messages go (swaps, outages, discovery, instance ejections, planner
   * failures, TLS reloads): a pino logger or any object with these four methods.
   * @default pino on stdout at `logging.level`, in `logging.format` (see createGatewayLogger)
   */
  logger?: GatewayLogger;
  /** Every message as one plain line, whatever its level, instead of {@link logger} (a test's list). */
  log?: (message: string) => void;
  /**
   * New revisions of the config's sources to serve without a restart (`concierge dev`, see
   * `watchSourceFiles`); ignored when following a registry or a supergraph file.
   */
  sourcesFeed?: GraphFeed<SourcesRevision>;
  /** The time and timers of the sources' discoveries (DNS refreshes, announcement expiry): a test's. @default the process's */
  discoveryClock?: DiscoveryClock;
  /**
   * The time expiries read: JWT `exp`/`nbf` and JWKS refreshes, response-cache `maxAge`, rate-limit
   * windows (of the memory store; Redis counts on its own clock): a test's, which it advances. @default systemClock
   */
  clock?: Clock;
  /** Observes every upstream call beside the gateway's own observers: a test's (which waits for calls to start) or an embedder's. */
  onFetch?: OnFetch;
}

/** What every graph version shares: built once, surviving every swap. */
export interface Shared {
  config: NormalizedConfig;
  fetchHooks: FetchHooks;
  /** The sources' instance pools by name: health, ejections and latency survive a swap. */
  instancePools: InstancePools;
  observers: Array<Plugin & { last?: Plugin; endpoints?: Plugin }>;
  rateLimitStore: RateLimitStoreUse;
  responseStore: ResponseStore | undefined;
  identityForwarding: Plugin;
  /** Gives each request its client profile (built once: version labels outlive swaps). */
  clientProfiles: Plugin;
  surfaces: Plugin[];
  /** The sources' discoveries, applied by source name to every graph built. */
  discoveries: SourceDiscoveries | undefined;
  isReady: () => boolean;
  clock: Clock;
  diagnostics: Diagnostics;
  /** Planner exceptions, told once per burst across graph versions. */
  plannerFailures: BurstLog;
}

/**
 * The composition root. What holds state across requests is built once: the upstream-call hooks,
 * the observers (metrics registry, tracer, access log), the rate-limit and response-cache stores
 * (Redis connections included), identity forwarding. What depends on the schema is built per graph
 * (`buildGraph`): the sources and their pools, the composed schema, the planner, and the plugins
 * that read the schema; with `registry.follow`, once per registry graph version, and with
 * `supergraph.hotReload`, once per new content of the supergraph file, swapped atomically
 * (see `GraphSlot`, `followRegistry`, `watchSupergraphFile`). Registered schemas need no running service, so a service
 * that is down only makes its own fields fail until it returns.
 */
export async function createGateway(config: NormalizedConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const { log: lines } = options;
  const logger = options.logger ?? (lines ? { error: lines, warn: lines, info: lines, debug: lines } : createGatewayLogger(config.logging));
  const log = (message: string) => logger.warn(message);
  const fetchHooks = createFetchHooks();
  if (options.onFetch) fetchHooks.add(options.onFetch);
  const clock = options.clock ?? systemClock;
  const opened: Array<{ close(): Promise<void> }> = [];
  // In reverse order of opening: the usage recorder writes to the registry before it closes.
  const closeShared = async () => {
    for (const resource of opened.reverse()) await resource.close();
  };
  let draining = false;
  const instancePools = createInstancePools({ log });
  const isRoute = (url: string) => config.routes.length > 0 && matchRoute(config.routes, requestPathname(url)) !== undefined;
  // Closed last: every graph's clients have let go of their pools by then.
  opened.push(instancePools);
  try {
    const registry = config.registry.follow ? (options.registry ?? (await openOwnRegistry(config, log, opened))) : undefined;
    const observers = [
      await useTracing(config, fetchHooks, [], logger),
      await useAccessLog(config, fetchHooks, [], logger),
      await useMetrics(config, fetchHooks, []),
    ];
    opened.push(...observers);
    const diagnostics: Diagnostics = { logger, internalError: (component) => (observers[2] as MetricsPlugin).internalError(component) };
    fetchHooks.add(upstreamFailureLog(diagnostics, clock));
    // Before the first graph, which is built against the instances the first DNS answers found.
    const discoveries = await discoverSources(config, {
      update: (service, instances) => instancePools.update(service, instances),
      observe: (observers[2] as MetricsPlugin).discovery,
      log,
      ...(options.discoveryClock ? { clock: options.discoveryClock } : {}),
      ...(registry ? { store: registry.store } : {}),
    });
    if (discoveries) opened.push(discoveries);
    const rateLimitStore = await openRateLimitStore(config.rateLimits, config.redis, clock, diagnostics);
    opened.push(rateLimitStore);
    const responseStore = config.responseCache.enabled ? await openResponseStore(config.responseCache, config.redis, clock, diagnostics) : undefined;
    if (responseStore) opened.push(responseStore);
    const usage = registry && useUsageRecording(registry, config.registry, { log });
    const surfaces = registry && usage ? [useRegistryApi(registry, config.registry), usage] : [];
    opened.push(...surfaces);
    const shared: Shared = {
      config,
      fetchHooks,
      instancePools,
      observers,
      rateLimitStore,
      responseStore,
      identityForwarding: await useIdentityForwarding(config.identity),
      clientProfiles: useClientProfiles(config.clients),
      surfaces: [...surfaces, ...(discoveries?.surface ? [discoveries.surface] : [])],
      discoveries,
      isReady: () => !draining,
      clock,
      diagnostics,
      plannerFailures: createBurstLog({ logger, subject: 'query planner', count: () => diagnostics.internalError('query_planner'), clock }),
    };
    const build = (input: GraphInput) => buildGraph(shared, input);
    const graphs = createGraphSlot(logger, await build(registry ? servedOf(config, await registry.latestGraph()) : servedOf(config, undefined)));
    const metrics = observers[2] as MetricsPlugin;
    metrics.showInstances(() => instancePools.status());
    const follower = registry && followRegistryGraphs(config, build, registry, graphs, log, metrics);
    const watched = !registry && config.supergraph?.hotReload ? followSupergraphFile(config, build, config.supergraph, graphs, log, metrics) : undefined;
    const sourceFiles = !registry && !watched && options.sourcesFeed ? followSourceFiles(build, options.sourcesFeed, graphs, logger, metrics) : undefined;
    return {
      config,
      logger,
      get schema() {
        return graphs.current.schema;
      },
      get sources() {
        return graphs.current.sources;
      },
      get planner() {
        return graphs.current.planner;
      },
      get yoga() {
        return graphs.current.yoga;
      },
      get version() {
        return graphs.current.version;
      },
      graphs,
      ...(registry && follower && usage ? { registry: { registry, follower, flushUsage: usage.flush } } : {}),
      ...(watched && config.supergraph ? { supergraphFile: { file: config.supergraph.file, follower: watched } } : {}),
      ...(sourceFiles ? { sourceFiles } : {}),
      isRoute,
      handle(request, response, context) {
        const serve = () => {
          const { graph, leave } = graphs.enter();
          response.once('close', leave);
          void graph.yoga(request, response, context);
        };
        // A route's body streams to its service, measured against the route's maxBodyBytes as it flows;
        // any other body is measured against maxRequestBytes before Yoga reads it.
        if (isRoute(request.url ?? '/')) serve();
        else guardRequestSize(request, config.maxRequestBytes, serve);
      },
      get ready() {
        return !draining;
      },
      drain() {
        draining = true;
      },
      refused: (code) => metrics.refused(code),
      close: async () => {
        draining = true;
        await follower?.close();
        await watched?.close();
        await sourceFiles?.close();
        await graphs.close();
        await closeShared();
      },
    };
  } catch (error) {
    await closeShared();
    throw error;
  }
}

async function openOwnRegistry(config: NormalizedConfig, log: (message: string) => void, opened: Array<{ close(): Promise<void> }>): Promise<Registry> {
  const registry = await openRegistry(config.registry, { usageWindow: config.registry.usageWindow, pollInterval: config.registry.pollInterval, log });
  opened.push(registry);
  return registry;
}

/** Builds one graph: its sources (from a registry graph version, a supergraph file or the config), schema, planner and Yoga. */
async function buildGraph(shared: Shared, { sources: normalized, version, label }: GraphInput): Promise<ServedGraph> {
  const { config } = shared;
  const sources = await loadSources(
    { sources: shared.discoveries ? normalized.map(shared.discoveries.apply) : normalized },
    shared.fetchHooks.dispatch,
    shared.instancePools,
  );
  const closeSources = () => Promise.all(sources.map((source) => source.close())).then(() => undefined);
  try {
    if (sources.length === 0)
      throw new SchemaError([`composition: no source: config.sources has none and the registry${version === undefined ? ' is empty' : ''}`]);
    const schema = composeSchema(sources);
    const planner = config.queryPlanner ? createQueryPlanner(schema, sources, { failures: shared.plannerFailures }) : undefined;
    const views = buildClientViews(schema, sources, config.clients, planner, (view) => createQueryPlanner(view, sources, { failures: shared.plannerFailures }));
    const graphPlugins = {
      rateLimits: await useRateLimits(config.rateLimits, config.redis, sources, shared.rateLimitStore),
      responseCache: useResponseCache(
        config.responseCache,
        config.redis,
        sources,
        config.sources.flatMap((source) => source.forwardHeaders),
        shared.responseStore,
        shared.clock,
        shared.diagnostics,
      ),
    };
    const yoga = assembleYoga(shared, schema, sources, planner, graphPlugins, label, views);
    return { version, label, schema, sources, planner, views, yoga, close: closeSources };
  } catch (error) {
    await closeSources();
    throw error;
  }
}
