import type { Plugin } from 'graphql-yoga';

/** Options of {@link useHealthEndpoints}. */
export interface HealthEndpointsOptions {
  /** Whether the gateway takes traffic. */
  isReady: () => boolean;
  /**
   * Liveness path: 200 while the process serves HTTP.
   * @default '/healthz'
   */
  livenessPath?: string;
  /**
   * Readiness path: 200 once the schema is composed, 503 while draining for shutdown.
   * @default '/readyz'
   */
  readinessPath?: string;
}

/** `/healthz` and `/readyz` for load balancers and orchestrators, answered before any GraphQL work. */
export function useHealthEndpoints({ isReady, livenessPath = '/healthz', readinessPath = '/readyz' }: HealthEndpointsOptions): Plugin {
  const json = (body: unknown, status: number) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
  return {
    onRequest({ url, endResponse }) {
      if (url.pathname === livenessPath) endResponse(json({ status: 'ok' }, 200));
      else if (url.pathname === readinessPath) endResponse(isReady() ? json({ status: 'ready' }, 200) : json({ status: 'draining' }, 503));
    },
  };
}
