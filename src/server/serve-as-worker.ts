import cluster from 'node:cluster';
import { collectFieldLimits } from '../rate-limits/collect-field-limits.ts';
import type { WorkerMessage } from './run-workers.ts';
import type { RunningGateway } from './start-gateway.ts';

/**
 * A cluster worker's side of `concierge start --workers`: tells the primary where it listens,
 * tags every response with `x-concierge-worker: <worker id>`, and drains (in-flight requests
 * finish, then exit 0) on SIGTERM or SIGINT, which the primary sends when it stops or replaces it.
 * SIGHUP is the primary's (a rolling restart), so a worker ignores it.
 */
export function serveAsWorker(running: RunningGateway): void {
  const id = String(cluster.worker?.id);
  running.server.prependListener('request', (_request, response) => response.setHeader('x-concierge-worker', id));
  let draining = false;
  const drain = () => {
    if (draining) return;
    draining = true;
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('[concierge] shutdown failed:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', drain);
  process.on('SIGINT', drain);
  process.on('SIGHUP', () => {});
  const { gateway } = running;
  send({ concierge: 'listening', url: `${running.url}${gateway.config.graphqlEndpoint}`, sources: gateway.sources.length, inProcessState: inProcessState(running) });
}

/** Reports a start-up failure to the primary, which prints it once for all workers, then exits 1. */
export function reportWorkerFailure(message: string): void {
  send({ concierge: 'failed', message }, () => process.exit(1));
}

function send(message: WorkerMessage, then?: () => void): void {
  process.send?.(message, undefined, undefined, then);
}

/** The features that keep per-process state, because no `redis` backs them. */
function inProcessState({ gateway }: RunningGateway): string[] {
  const { rateLimits, responseCache, redis } = gateway.config;
  const limited = rateLimits.plans.size > 0 || collectFieldLimits(gateway.sources, rateLimits.fields).size > 0;
  return [
    ...(rateLimits.store === 'memory' && limited ? ['rate limits'] : []),
    ...(responseCache.enabled && (responseCache.store ?? (redis ? 'redis' : 'memory')) === 'memory' ? ['the response cache'] : []),
  ];
}
