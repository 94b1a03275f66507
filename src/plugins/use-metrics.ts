import { getOperationAST, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { consumerOf } from '../auth/consumer.ts';
import { clientOf } from '../clients/client-of.ts';
import { isClientView } from '../clients/client-views.ts';
import type { NormalizedConfig } from '../config/normalize-config.ts';
import { createAdminGuard } from '../observability/admin-key.ts';
import { listenForMetrics } from '../observability/metrics-listener.ts';
import {
  consumerLabel,
  createOperationLabel,
  isUpstreamFailure,
  otherOperation,
  unknownOperationType,
  upstreamOutcome,
} from '../observability/metrics-labels.ts';
import {
  createMetricsRecorder,
  type ObservedError,
  type ObservedOperation,
  type RequestObservation,
  type UpstreamObservation,
} from '../observability/metrics-recorder.ts';
import { observedErrors, observedErrorsOfBody } from '../observability/metrics-results.ts';
import { renderStatusPage } from '../observability/status-page.ts';
import { errorResponse } from '../server/error-response.ts';
import { networkRefusal } from './use-network-rules.ts';
import { isProxiedResponse, routeOf } from '../routes/route-request.ts';
import { executionOf } from './use-query-plans.ts';
import type { LoadedSource } from '../sources/loaded-source.ts';
import type { FetchHooks } from '../transport/fetch-hooks.ts';
import type { SourceInstances } from '../transport/instance-pools.ts';
import type { DiscoveryObserver } from '../transport/discovery/create-discoveries.ts';
import type { InternalErrorComponent } from '../observability/gateway-logger.ts';
import type { ChangeCriticality } from '../registry/check-report.ts';
import type { ErrorCode } from '../errors.ts';
import { ObjectSlot } from '../object-slot.ts';
import { bindRun } from '../bind-run.ts';

/** The metrics plugin, its placed parts, and what the gateway tells it about schema swaps. */
export interface MetricsPlugin extends Plugin {
  close(): Promise<void>;
  /** Goes last in the plugin list (see createGateway). */
  last?: Plugin;
  /** The admin surfaces, placed after the network rules. */
  endpoints?: Plugin;
  /** Counts a registry graph version this gateway tried to serve (`concierge_schema_swaps_total`). */
  schemaSwapped(result: 'applied' | 'failed'): void;
  /** Where the status page's Schema tab reads from (`schema` in its data); `selected` is `data.json?version=` when given. */
  showSchema(provider: (selected?: number) => Promise<SchemaStatus>): void;
  /** Where `/metrics` and the status page's Instances table read each source's instances from. */
  showInstances(provider: () => readonly SourceInstances[]): void;
  /** What the sources' discoveries report (`concierge_discovered_instances`, `concierge_discovery_failures_total`). */
  discovery: DiscoveryObserver;
  /** Counts a failure the gateway survived (`concierge_internal_errors_total{component}`). */
  internalError(component: InternalErrorComponent): void;
  /** Counts a connection refused before any request was read (`concierge_errors_total{code}`, see answerClientErrors). */
  refused(code: ErrorCode): void;
}

/** What the status page's Schema tab shows: the served graph, the last swaps and checks. */
export interface SchemaStatus {
  /** The registry graph version served (or the supergraph file's revision); `null` when the config's sources are served. */
  version: number | null;
  /** With a hot-reloaded supergraph file: its path, and the served content's hash prefix (the `x-concierge-schema-version` header). */
  file?: { path: string; label: string };
  services: Array<{ name: string; version: number | null; kind: string }>;
  /** `label`: a supergraph file content's hash prefix. */
  swaps: Array<{ version: number; label?: string; result: 'applied' | 'failed'; reason: string | null; at: string; durationMs: number }>;
  /**
   * The last checks; `summary` says the result in words (`passed: 1 breaking (unused), 2 safe`),
   * `reason` why a failed one failed (its composition problems, or the breaking changes in use).
   */
  checks: Array<{
    id: number;
    service: string;
    action: string;
    passed: boolean;
    author: string;
    at: string;
    summary: string;
    counts: Record<ChangeCriticality, number>;
    reason: string | null;
  }>;
  /** The last graph versions, newest first: who made each, when, and which services changed. */
  history: Array<{ version: number; author: string; at: string; changes: Array<{ service: string; version: number; action: string }> }>;
  /** The changes from the previous graph version to the served one (or to `data.json?version=`), breaking ones first; `null` without a registry graph. */
  diff: {
    version: number;
    from: number | null;
    changes: Array<{ criticality: ChangeCriticality; message: string; path: string | null }>;
    note: string | null;
  } | null;
}

/** The `client` and `client_version` labels of a request: `other` for one refused before it had a profile. */
function clientLabels(request: Request): { name: string; version: string } {
  const client = clientOf(request);
  return client ? { name: client.profile.name, version: client.versionLabel } : { name: 'other', version: 'other' };
}

/** `data.json?version=N`: the graph version whose diff the Schema tab shows. */
function selectedVersion(request: Request): number | undefined {
  const value = new URL(request.url).searchParams.get('version');
  return value !== null && /^[1-9]\d{0,8}$/.test(value) ? Number(value) : undefined;
}

/** What the metrics know of one GraphQL request while it runs. */
interface RequestState {
  started: number;
  operations: ObservedOperation[];
  errors: ObservedError[];
  /** Whether Yoga produced the response from a result (else a plugin answered in onRequest). */
  processed: boolean;
}

/**
 * Prometheus metrics at `metrics.path` (or on `metrics.port`) and the status page at
 * `statusPage.path`, both behind the admin guard (loopback only, or the admin key) and served by
 * `endpoints`, which goes after the network rules and before any GraphQL work. Requests to the GraphQL endpoint are counted once answered, refusals included; upstream
 * calls through the fetch hooks. Both feed one recorder, so the page and the metrics agree.
 */
export async function useMetrics(config: NormalizedConfig, fetchHooks: FetchHooks, _sources: readonly LoadedSource[]): Promise<MetricsPlugin> {
  const { metrics: options, graphqlEndpoint } = config;
  const { statusPage } = options;
  if (!options.enabled && !statusPage.enabled)
    return {
      close: async () => {},
      schemaSwapped: () => {},
      showSchema: () => {},
      showInstances: () => {},
      discovery: { instances: () => {}, failure: () => {} },
      internalError: () => {},
      refused: () => {},
    };
  let schemaStatus: ((selected?: number) => Promise<SchemaStatus>) | undefined;
  let instances: () => readonly SourceInstances[] = () => [];
  const recorder = createMetricsRecorder({
    prefix: options.prefix,
    collectProcessMetrics: options.enabled && options.collectProcessMetrics,
    sources: config.sources,
  });
  const guard = createAdminGuard(options.admin);
  const operationLabel = createOperationLabel(options.operationNames, config.trustedDocuments.documents.values());
  const states = new ObjectSlot<Request, RequestState>('metrics state');
  let loaded: GraphQLSchema | undefined;

  fetchHooks.add(({ service, instance, version, mirror }) => (result) => {
    // A shadow copy is no call of the source's: counted by how it compared, never in the source's health.
    if (mirror) return void (result.mirror && recorder.mirror({ service, ...result.mirror }));
    const outcome = upstreamOutcome(result);
    const error = isUpstreamFailure(outcome) ? (result.error?.message ?? `answered HTTP ${result.status}`) : undefined;
    // Built field by field, not spread: one object per call, of one shape.
    const observation: UpstreamObservation = { service, instance: result.instance ?? instance, outcome, seconds: result.durationMs / 1000 };
    if (error) observation.error = error;
    if (version) observation.version = version;
    recorder.upstream(observation);
  });

  const getOnly = (request: Request, path: string) =>
    request.method === 'GET' ? undefined : errorResponse(request, 'METHOD_NOT_ALLOWED', `${path} answers GET only.`, { allow: 'GET' });
  // A connection refused before any request was read (see answerClientErrors), on either port.
  const refused = (code: ErrorCode) => recorder.metrics.errors.inc({ code });
  const serveMetrics = async (request: Request): Promise<Response> =>
    guard(request) ??
    getOnly(request, options.path) ??
    new Response(await recorder.metrics.exposition(), { headers: { 'content-type': recorder.metrics.registry.contentType, 'cache-control': 'no-store' } });
  const listener =
    options.enabled && options.port !== undefined
      ? await listenForMetrics(options.port, config.host, config, refused, async (request, incoming) =>
          new URL(request.url).pathname === options.path ? (networkRefusal(config.network, request, incoming) ?? serveMetrics(request)) : undefined,
        )
      : undefined;
  const page = statusPage.enabled ? renderStatusPage(statusPage.path) : undefined;
  const dataPath = `${statusPage.path.replace(/\/+$/, '')}/data.json`;
  const servePage = async (request: Request, data: boolean): Promise<Response> =>
    guard(request) ??
    getOnly(request, statusPage.path) ??
    (data
      ? new Response(
          JSON.stringify({
            ...recorder.statusData(),
            instances: instances(),
            ...(schemaStatus ? { schema: await schemaStatus(selectedVersion(request)) } : {}),
          }),
          { headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } },
        )
      : new Response(page?.html, { headers: page?.headers }));

  // A finished request's series: its operations, status, consumer, duration, error codes and cache result.
  const record = (request: Request, response: Response, state: RequestState) => {
    const cache = response.headers.get('x-cache');
    // Built field by field, not spread: one object per request, of one shape.
    const observation: RequestObservation = {
      operations: state.operations.length > 0 ? state.operations : [{ type: unknownOperationType, label: otherOperation }],
      status: response.status,
      consumer: consumerLabel(consumerOf(request)),
      seconds: (performance.now() - state.started) / 1000,
      errors: state.errors,
    };
    if (cache !== null) observation.cache = cache;
    if (config.clients.profiles.length > 0) observation.client = clientLabels(request);
    recorder.request(observation);
  };

  // Placed last in the plugin list (see createGateway): errors carry their final codes by then, and
  // the response its final status and the response cache's x-cache header.
  const last: Plugin = {
    onResultProcess({ request, result }) {
      const state = states.get(request);
      if (!state) return;
      state.processed = true;
      state.errors.push(...observedErrors(result));
    },
    // Synchronous unless a refusal's body must be read for its codes: a promise here makes Yoga chain every later hook.
    onResponse({ request, response }) {
      const state = states.get(request);
      if (!state) return;
      states.delete(request);
      const execution = executionOf(request);
      if (execution?.path === 'stitching') recorder.metrics.plannerFallbacks.inc({ reason: execution.reason });
      if (!state.processed && response.status >= 400 && !isProxiedResponse(response))
        return observedErrorsOfBody(response).then((errors) => {
          state.errors.push(...errors);
          record(request, response, state);
        });
      record(request, response, state);
    },
  };

  // Placed after the network rules (see createGateway): the admin surfaces are paths like any other.
  const endpoints: Plugin = {
    onRequest({ request, url: { pathname }, endResponse }) {
      if (page && (pathname === statusPage.path || pathname === dataPath)) return servePage(request, pathname === dataPath).then(endResponse);
      if (options.enabled && options.port === undefined && pathname === options.path) return serveMetrics(request).then(endResponse);
    },
  };

  return {
    last,
    endpoints,
    schemaSwapped: (result) => recorder.metrics.schemaSwaps.inc({ result }),
    showSchema(provider) {
      schemaStatus = provider;
    },
    showInstances(provider) {
      instances = provider;
      recorder.metrics.showInstances(provider);
    },
    discovery: {
      instances: (service, mechanism, count) => recorder.metrics.discoveredInstances.set({ service, mechanism }, count),
      failure: (service, mechanism) => recorder.metrics.discoveryFailures.inc({ service, mechanism }),
    },
    internalError: (component) => recorder.metrics.internalErrors.inc({ component }),
    refused,
    onRequest({ request, url: { pathname } }) {
      // A plain REST route's request counts as one operation of type `route`, labelled with its pattern.
      const route = routeOf(request);
      if (route && request.method !== 'OPTIONS')
        return void states.set(request, {
          started: performance.now(),
          operations: [{ type: 'route', label: route.route.pattern.text }],
          errors: [],
          processed: false,
        });
      if (pathname !== graphqlEndpoint || request.method === 'OPTIONS') return;
      if (request.method === 'GET' && request.headers.get('accept')?.includes('text/html')) return;
      states.set(request, { started: performance.now(), operations: [], errors: [], processed: false });
    },
    onParse({ context }) {
      const { request, params } = context as { request?: Request; params?: { query?: unknown; operationName?: unknown } };
      const state = request && states.get(request);
      if (!state) return;
      // Bound, not a closure over the request's state (see bindRun).
      return bindRun(recordOperation, { state, params, operationLabel });
    },
    // envelop announces the schema once when Yoga starts, then on every replacement.
    onSchemaChange({ schema }) {
      // Client views are set per request (see useClientViews): only a new graph is a load.
      if (schema === loaded || isClientView(schema)) return;
      loaded = schema;
      recorder.schemaLoaded();
    },
    close: async () => {
      await listener?.close();
    },
  };
}

/** Counts the operation a parse found (or an unparsable one) in the request's state. */
function recordOperation(
  {
    state,
    params,
    operationLabel,
  }: {
    state: RequestState;
    params: { query?: unknown; operationName?: unknown } | undefined;
    operationLabel: (name: string | undefined, text: string | undefined) => string;
  },
  { result }: { result: unknown },
): void {
  const operation =
    result instanceof Error ? undefined : getOperationAST(result as DocumentNode, typeof params?.operationName === 'string' ? params.operationName : undefined);
  const name = operation?.name?.value;
  const observed: ObservedOperation = {
    type: operation?.operation ?? unknownOperationType,
    label: operation ? operationLabel(name, typeof params?.query === 'string' ? params.query : undefined) : otherOperation,
  };
  if (name) observed.name = name;
  state.operations.push(observed);
}
