import type { PathParams } from './route-pattern.ts';
import type { NormalizedRoute } from './routes-config.ts';
import { ObjectSlot } from '../object-slot.ts';

/** A request that matched a plain REST route, as every plugin may read it. */
export interface RouteRequest extends PathParams {
  route: NormalizedRoute;
  /** The normalized path that matched. */
  pathname: string;
}

const matched = new ObjectSlot<Request, RouteRequest>('matched route');
const proxied = new WeakSet<Response>();

/**
 * The route a request matched, once the route marker (first in the plugin list) saw it; `undefined`
 * for every other request. Observers read it to count, log and trace route requests.
 */
export function routeOf(request: Request): RouteRequest | undefined {
  return matched.get(request);
}

/** Records the route a request matched (the route marker's job). */
export function setRoute(request: Request, route: RouteRequest): void {
  matched.set(request, route);
}

/**
 * Whether a response is a service's answer passed through a route: plugins that read or rewrite
 * error bodies leave it alone (it is the service's, whatever its status, and it streams).
 */
export function isProxiedResponse(response: Response): boolean {
  return proxied.has(response);
}

/** Marks a response as a service's answer passed through. */
export function markProxied(response: Response): Response {
  proxied.add(response);
  return response;
}
