import type { GraphQLSchema } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { composeSchema } from '../composition/compose-schema.ts';
import { createQueryPlanner, type QueryPlanner } from '../execution/create-query-planner.ts';
import type { NormalizedConfig } from '../config/normalize-config.ts';
import { batchingOption } from '../limits/limits-config.ts';
import { useAccessLog } from '../plugins/use-access-log.ts';
import { useAcceptableMediaTypes } from '../plugins/use-acceptable-media-types.ts';
import { useAuthentication } from '../plugins/use-authentication.ts';
import { useCodedRefusals } from '../plugins/use-coded-refusals.ts';
import { useMetrics } from '../plugins/use-metrics.ts';
import { useTracing } from '../plugins/use-tracing.ts';
import { useAuthorization } from '../plugins/use-authorization.ts';
import { useErrorCodes } from '../plugins/use-error-codes.ts';
import { useIdentityForwarding } from '../plugins/use-identity-forwarding.ts';
import { useConsumerNetworkRules, useNetworkRules } from '../plugins/use-network-rules.ts';
import { useOperationLimits } from '../plugins/use-operation-limits.ts';
import { useRateLimits } from '../plugins/use-rate-limits.ts';
import { useQueryPlans } from '../plugins/use-query-plans.ts';
import { useResponseCache } from '../plugins/use-response-cache.ts';
import { useTransportSecurity } from '../plugins/use-transport-security.ts';
import { useTrustedDocuments } from '../plugins/use-trusted-documents.ts';
import { collectAuthorizationRules } from '../security/collect-authorization-rules.ts';
import { corsOptions } from '../security/cors-options.ts';
import { useGraphiQLPage } from '../plugins/use-graphiql-page.ts';
import { useHealthEndpoints } from '../plugins/use-health-endpoints.ts';
import { loadSources } from '../sources/load-sources.ts';
import { createFetchHooks } from '../transport/fetch-hooks.ts';
import type { LoadedSource } from '../sources/loaded-source.ts';
import { useRequestSizeLimit } from './guard-request-size.ts';
import { maskUnexpectedError } from './mask-unexpected-error.ts';

/** The composed gateway: the schema and the Fetch-API/Node request handler that serves it. */
export interface Gateway {
  config: NormalizedConfig;
  schema: GraphQLSchema;
  sources: readonly LoadedSource[];
  /** The query planner (federation, graphql and rest sources), when `queryPlanner` is on. */
  planner: QueryPlanner | undefined;
  yoga: YogaServerInstance<Record<string, unknown>, Record<string, unknown>>;
  /** Whether `/readyz` answers 200: composed and not draining. */
  readonly ready: boolean;
  /** Marks the gateway as draining: `/readyz` answers 503 from now on. */
  drain(): void;
  /** Closes the sources' connection pools. */
  close(): Promise<void>;
}

/**
 * The composition root: loads the sources, stitches them and maps the configuration to Yoga's
 * ordered plugin list. Registered schemas need no running service, so a service that is down at
 * start-up only makes its own fields fail until it returns.
 */
export async function createGateway(config: NormalizedConfig): Promise<Gateway> {
  const fetchHooks = createFetchHooks();
  const sources = await loadSources(config, fetchHooks.dispatch);
  const opened: Array<{ close(): Promise<void> }> = [...sources];
  const closeAll = () => Promise.all(opened.map((resource) => resource.close())).then(() => undefined);
  try {
    const schema = composeSchema(sources);
    const observers = [await useTracing(config, fetchHooks, sources), await useAccessLog(config, fetchHooks, sources), await useMetrics(config, fetchHooks, sources)];
    opened.push(...observers);
    const rateLimits = await useRateLimits(config.rateLimits, config.redis, sources);
    opened.push(rateLimits);
    const responseCache = useResponseCache(config.responseCache, config.redis, sources, config.sources.flatMap((source) => source.forwardHeaders));
    opened.push(responseCache);
    return await assemble(config, schema, sources, { observers, rateLimits, responseCache }, closeAll);
  } catch (error) {
    await closeAll();
    throw error;
  }
}

async function assemble(
  config: NormalizedConfig,
  schema: GraphQLSchema,
  sources: readonly LoadedSource[],
  { observers, rateLimits, responseCache }: { observers: Array<Plugin & { last?: Plugin; endpoints?: Plugin }>; rateLimits: Plugin; responseCache: Plugin },
  closeAll: () => Promise<void>,
): Promise<Gateway> {
  let draining = false;
  const { graphiql } = config;
  const planner = config.queryPlanner ? createQueryPlanner(schema, sources) : undefined;
  const yoga = createYoga<Record<string, unknown>>({
    schema,
    graphqlEndpoint: config.graphqlEndpoint,
    graphiql: false,
    landingPage: false,
    healthCheckEndpoint: '/__yoga_health',
    batching: batchingOption(config.limits),
    logging: false,
    maskedErrors: { maskError: maskUnexpectedError },
    cors: corsOptions(config.network),
    plugins: [
      // Before the observers, whose response hooks then see a coded body where Yoga sent none.
      useCodedRefusals(),
      // Observers first, so traces, the access log and metrics see every request, refusals included.
      ...observers,
      // Probes answer from anywhere, without parsing a request or counting against limits.
      useHealthEndpoints({ isReady: () => !draining }),
      // Cheap refusals before anything else answers or any credential is verified: hosts, address lists, origins, CSRF.
      useNetworkRules(config.network),
      // A body over maxRequestBytes, measured before Yoga reads it (see guardRequestSize).
      useRequestSizeLimit(config.maxRequestBytes),
      // HSTS and the HTTPS policy apply to every answer, refusals included; redirects keep a host the rules accepted.
      useTransportSecurity(config.tls),
      // The admin surfaces (metrics, status page), behind their own guard.
      ...observers.flatMap((observer) => (observer.endpoints ? [observer.endpoints] : [])),
      // Browsers asking the endpoint for HTML get GraphiQL, rendered on the first visit (again when its headers change) and compressed once.
      ...(graphiql ? [useGraphiQLPage({ endpoint: config.graphqlEndpoint, headers: graphiql.defaultHeaders, render: async (headers) => (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(graphiqlOptions(graphiql, headers)) })] : []),
      // A client that accepts none of our media types is told so before anything runs.
      useAcceptableMediaTypes(),
      // Who is calling: a bad credential is 401 here, before the document is even parsed.
      useAuthentication(config.authentication),
      // The consumer's own address and origin restrictions need the consumer.
      useConsumerNetworkRules(),
      // Trusted documents replace or refuse the document before parsing.
      useTrustedDocuments(config.trustedDocuments),
      // Parse- and validate-time limits on the document.
      useOperationLimits(config.limits, schema, sources),
      // Fields the consumer may not see are cut from the document before any upstream call.
      useAuthorization(collectAuthorizationRules(sources), config.authorization),
      // Request and cost budgets per plan, and field limits (cut like unauthorized fields).
      rateLimits,
      // A cached answer skips execution; counted against the limits above all the same.
      responseCache,
      // What upstream services are told about the caller.
      await useIdentityForwarding(config.identity),
      // Operations the planner covers run their cached plan; the rest go through stitching, counted by reason.
      ...(planner ? [useQueryPlans(planner, config.queryPlanner)] : []),
      // Every error leaves with an extensions.code from src/errors.ts.
      useErrorCodes(),
      // Last: the observers' counting parts, which need the final codes, status and cache result.
      ...observers.flatMap((observer) => (observer.last ? [observer.last] : [])),
    ],
  });

  return {
    config,
    schema,
    sources,
    planner,
    yoga,
    get ready() {
      return !draining;
    },
    drain() {
      draining = true;
    },
    close: async () => {
      draining = true;
      await closeAll();
    },
  };
}

function graphiqlOptions(graphiql: Exclude<NormalizedConfig['graphiql'], false>, headers: string | undefined) {
  const { title, defaultQuery, defaultVariables } = graphiql;
  return {
    title,
    ...(defaultQuery ? { defaultQuery, defaultTabs: [{ query: defaultQuery, ...(defaultVariables ? { variables: defaultVariables } : {}) }] } : {}),
    // GraphiQL 5 fills the variables editor from `initialVariables` only, which Yoga passes as `variables`.
    ...(defaultVariables ? { variables: defaultVariables } : {}),
    ...(headers ? { headers } : {}),
    defaultEditorToolsVisibility: defaultVariables ? ('variables' as const) : false,
  };
}
