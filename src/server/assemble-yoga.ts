import type { GraphQLSchema } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import type { ClientViews } from '../clients/client-views.ts';
import { useClientViews } from '../clients/use-client-views.ts';
import { usePerClient } from '../clients/use-per-client.ts';
import type { QueryPlanner } from '../execution/create-query-planner.ts';
import type { NormalizedConfig } from '../config/normalize-config.ts';
import { batchingOption } from '../limits/limits-config.ts';
import { useAcceptableMediaTypes } from '../plugins/use-acceptable-media-types.ts';
import { useAuthentication } from '../plugins/use-authentication.ts';
import { useCodedRefusals } from '../plugins/use-coded-refusals.ts';
import { useAuthorization } from '../plugins/use-authorization.ts';
import { useErrorCodes } from '../plugins/use-error-codes.ts';
import { useConsumerNetworkRules, useNetworkRules } from '../plugins/use-network-rules.ts';
import { useOperationLimits } from '../plugins/use-operation-limits.ts';
import { useQueryPlans } from '../plugins/use-query-plans.ts';
import { useReservedAliases } from '../plugins/use-reserved-aliases.ts';
import { useTransportSecurity } from '../plugins/use-transport-security.ts';
import { useTrustedDocuments } from '../plugins/use-trusted-documents.ts';
import { collectAuthorizationRules } from '../security/collect-authorization-rules.ts';
import { corsOptions } from '../security/cors-options.ts';
import { useGraphiQLPage } from '../plugins/use-graphiql-page.ts';
import { useHealthEndpoints } from '../plugins/use-health-endpoints.ts';
import { useOperationDeadline } from '../transport/operation-deadline.ts';
import { routeOf } from '../routes/route-request.ts';
import { useRouteMarker, useRoutes } from '../routes/use-routes.ts';
import { useSchemaVersionHeader } from '../registry/use-schema-version-header.ts';
import type { LoadedSource } from '../sources/loaded-source.ts';
import { useRequestSizeLimit } from './guard-request-size.ts';
import { maskUnexpectedErrors } from './mask-unexpected-error.ts';
import { mergeExecuteHooks } from './merge-execute-hooks.ts';
import { mergeServerHooks } from './merge-server-hooks.ts';
import type { ServedGraph, Shared } from './create-gateway.ts';

/**
 * The Yoga server of one graph: its plugins, in the order requests meet them (see the README's
 * request flow), over the graph's schema, sources and planner, with the gateway's shared observers.
 */
export function assembleYoga(
  shared: Shared,
  schema: GraphQLSchema,
  sources: readonly LoadedSource[],
  planner: QueryPlanner | undefined,
  { rateLimits, responseCache }: { rateLimits: Plugin; responseCache: Plugin },
  label: string | undefined,
  views: ClientViews | undefined,
): ServedGraph['yoga'] {
  const { config, observers, isReady } = shared;
  const { graphiql } = config;
  const profiles = config.clients.profiles;
  const clientViews = views && useClientViews(views);
  return createYoga<Record<string, unknown>>({
    schema,
    graphqlEndpoint: config.graphqlEndpoint,
    graphiql: false,
    landingPage: false,
    healthCheckEndpoint: '/__yoga_health',
    batching: batchingOption(config.limits),
    // Bodies are measured against maxRequestBytes before Yoga reads them (guardRequestSize, in
    // Gateway.handle); Yoga's own limit would pipe every body through a second stream to count it again.
    maxRequestBodySize: false,
    logging: false,
    maskedErrors: { maskError: maskUnexpectedErrors(shared.diagnostics.logger) },
    cors: corsOptions(config.network),
    // Their request, params, result and response hooks run in one loop each, in this order (see mergeServerHooks), and so do their execute hooks (mergeExecuteHooks).
    plugins: mergeExecuteHooks(
      mergeServerHooks([
        // Each request's deadline starts as it arrives; upstream calls get what is left of it.
        useOperationDeadline(config.operationTimeout),
        // Before the observers, whose response hooks then see a coded body where Yoga sent none.
        useCodedRefusals(),
        // Route requests are known as such before the observers count, log and trace them.
        useRouteMarker(config.routes),
        // Every answer says which registry graph version (or supergraph file content) served it, refusals included.
        ...(label === undefined ? [] : [useSchemaVersionHeader(label)]),
        // Observers first, so traces, the access log and metrics see every request, refusals included.
        ...observers,
        // Probes answer from anywhere, without parsing a request or counting against limits.
        useHealthEndpoints({ isReady }),
        // Cheap refusals before anything else answers or any credential is verified: hosts, address lists, origins, CSRF.
        useNetworkRules(config.network),
        // A body over maxRequestBytes, measured before Yoga reads it (see guardRequestSize).
        useRequestSizeLimit(config.maxRequestBytes),
        // HSTS and the HTTPS policy apply to every answer, refusals included; redirects keep a host the rules accepted.
        useTransportSecurity(config.tls),
        // The admin surfaces (metrics, status page), behind their own guard.
        ...observers.flatMap((observer) => (observer.endpoints ? [observer.endpoints] : [])),
        // The registry API (its own tokens) and usage recording, when following a registry; instance announcements (discovery).
        ...shared.surfaces,
        // Browsers asking the endpoint for HTML get GraphiQL, rendered on the first visit (again when its headers change) and compressed once.
        ...(graphiql
          ? [
              useGraphiQLPage({
                endpoint: config.graphqlEndpoint,
                headers: graphiql.defaultHeaders,
                render: async (headers) => (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(graphiqlOptions(graphiql, headers)),
              }),
            ]
          : []),
        // A client that accepts none of our media types is told so before anything runs.
        useAcceptableMediaTypes(),
        // Who is calling: a bad credential is 401 here, before the document is even parsed.
        useAuthentication(config.authentication, { optional: (request) => routeOf(request)?.route.authentication === 'optional', clock: shared.clock }),
        // The consumer's own address and origin restrictions need the consumer.
        useConsumerNetworkRules(),
        // The client profile needs the consumer (a header only chooses among what the identity allows).
        shared.clientProfiles,
        // The profile's schema view: its validation, introspection and execution (computed fields after the plans, see useClientViews).
        ...(clientViews ? [clientViews] : []),
        // Trusted documents replace or refuse the document before parsing (the profile's own manifest when it has one).
        usePerClient(
          useTrustedDocuments(config.trustedDocuments),
          new Map(profiles.flatMap((profile) => (profile.trustedDocuments ? [[profile.name, useTrustedDocuments(profile.trustedDocuments)] as const] : []))),
        ),
        // Parse- and validate-time limits on the document (the profile's own when it has them).
        usePerClient(
          useOperationLimits(config.limits, schema, sources),
          new Map(profiles.flatMap((profile) => (profile.limits ? [[profile.name, useOperationLimits(profile.limits, schema, sources)] as const] : []))),
        ),
        // Client aliases starting with `__` travel renamed from here on, and come back as written.
        useReservedAliases(),
        // Fields the consumer may not see are cut from the document before any upstream call.
        useAuthorization(collectAuthorizationRules(sources), config.authorization),
        // Request and cost budgets per plan, and field limits (cut like unauthorized fields).
        rateLimits,
        // A cached answer skips execution; counted against the limits above all the same.
        responseCache,
        // What upstream services are told about the caller.
        shared.identityForwarding,
        // Plain REST routes: every request-time policy above has run (identity included); proxied before any GraphQL work.
        useRoutes(sources, { config, rateLimitStore: shared.rateLimitStore }),
        // Operations the planner covers run their cached plan; the rest go through stitching, counted by reason.
        ...(planner ? [useQueryPlans(views?.planner ?? planner, config.queryPlanner)] : []),
        // Computed fields wrap the execution above: their needs fetched in their stead, then computed in-process.
        ...(clientViews ? [clientViews.computed] : []),
        // Every error leaves with an extensions.code from src/errors.ts.
        useErrorCodes(),
        // Last: the observers' counting parts, which need the final codes, status and cache result.
        ...observers.flatMap((observer) => (observer.last ? [observer.last] : [])),
      ]),
    ),
  });
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
