import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import type { NormalizedConfig } from '../config/normalize-config.ts';
import type { RateLimitStoreUse } from '../plugins/use-rate-limits.ts';
import { errorResponse } from '../server/error-response.ts';
import type { LoadedSource } from '../sources/loaded-source.ts';
import { admitRouteRequest } from './admit-route-request.ts';
import { proxyRoute } from './proxy-route.ts';
import { routeOf, setRoute, type RouteRequest } from './route-request.ts';
import type { NormalizedRoute } from './routes-config.ts';

type NodeContext = { req?: IncomingMessage; res?: ServerResponse };

/** The route a path matches (the most specific pattern), or `undefined`. */
export function matchRoute(routes: readonly NormalizedRoute[], pathname: string): RouteRequest | undefined {
  for (const route of routes) {
    const found = route.pattern.match(pathname);
    if (found) return { route, pathname, ...found };
  }
  return undefined;
}

/**
 * Marks requests whose path matches a route, first in the plugin list: the observers then count,
 * log and trace them as route requests, and authentication knows a route that is `optional`.
 * Built once per gateway; without routes it has no hook.
 */
export function useRouteMarker(routes: readonly NormalizedRoute[]): Plugin {
  if (routes.length === 0) return {};
  return {
    onRequest({ request, url }) {
      const matched = matchRoute(routes, url.pathname);
      if (matched) setRoute(request, matched);
    },
  };
}

/** What the route proxy shares with the gateway. */
export interface RoutesOptions {
  config: NormalizedConfig;
  rateLimitStore: RateLimitStoreUse;
}

/**
 * Plain REST routes, answered by proxying to the route's source, placed after every request-time
 * policy (network rules, authentication, consumer rules, identity) and answering before any
 * GraphQL work: see `admitRouteRequest` for the route's own checks and `proxyRoute` for the
 * pass-through. Built per graph, so a request is proxied through the sources of the graph it is
 * pinned to, to the end of its answer's body (see `GraphSlot`).
 */
export function useRoutes(sources: readonly LoadedSource[], { config, rateLimitStore }: RoutesOptions): Plugin<Record<string, unknown>, NodeContext> {
  if (config.routes.length === 0) return {};
  const admission = { authenticationRequired: config.authentication.required, rateLimits: config.rateLimits, rateLimitStore };
  const credentialHeaders = config.authentication.apiKeys ? [config.authentication.apiKeys.header] : [];
  return {
    // Synchronous for GraphQL requests: a promise here makes Yoga chain every later hook.
    onRequest({ request, serverContext, endResponse, fetchAPI }) {
      const matched = routeOf(request);
      if (!matched) return;
      return proxy(request, matched, serverContext, endResponse, fetchAPI.Response);
    },
  };

  async function proxy(
    request: Request,
    matched: RouteRequest,
    serverContext: NodeContext,
    endResponse: (response: Response) => void,
    Response: typeof globalThis.Response,
  ): Promise<void> {
    const admitted = await admitRouteRequest(request, matched, admission);
    if ('refusal' in admitted) return endResponse(admitted.refusal);
    const source = sources.find((candidate) => candidate.name === matched.route.source);
    if (!source) return endResponse(errorResponse(request, 'SERVICE_UNAVAILABLE', `Service "${matched.route.source}" is not in the graph served now.`));
    const { req: incoming, res: outgoing } = serverContext;
    endResponse(
      await proxyRoute({
        request,
        ...(incoming ? { incoming } : {}),
        ...(outgoing ? { outgoing } : {}),
        matched,
        source,
        network: config.network,
        credentialHeaders,
        answerHeaders: admitted.headers,
        Response,
      }),
    );
  }
}
