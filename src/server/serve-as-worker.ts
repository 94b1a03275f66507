import cluster from 'node:cluster';
import { describeError } from '../observability/gateway-logger.ts';
import { collectFieldLimits } from '../rate-limits/collect-field-limits.ts';
import type { WorkerMessage } from './run-workers.ts';
import type { RunningGateway } from './start-gateway.ts';

/**
 * A cluster worker's side of `concierge start --workers`: tells the primary where it listens,
 * tags every response with `x-concierge-worker: <worker id>`, and drains on SIGTERM or SIGINT,
 * which the primary sends when it stops or replaces it. SIGHUP is the primary's (a rolling
 * restart), so a worker ignores it.
 *
 * Draining loses no request, on new or kept-alive connections:
 * 1. The gateway closes as a single process does (`RunningGateway.close`, track-connections.ts):
 *    it stops listening, so the primary hands new connections to the workers still listening;
 *    every answer carries `Connection: close`, so each kept-alive client opens a new connection
 *    for its next request; idle connections stay open for one more request until their announced
 *    keep-alive timeout; all within `shutdownTimeout`.
 * 2. The worker disconnects from the primary and only then exits. The primary hands each
 *    connection to a worker over IPC, and may have sent one before it learnt that this worker
 *    stopped listening: the worker must read it (and hand it back) before it exits, or the primary
 *    would hold that connection, unanswered, forever. The disconnect is acknowledged by the
 *    primary after every message it sent before, so once disconnected nothing is in flight.
 */
export function serveAsWorker(running: RunningGateway): void {
  const id = String(cluster.worker?.id);
  running.server.prependListener('request', (_request, response) => response.setHeader('x-concierge-worker', id));
  let drained: Promise<void> | undefined;
  const drain = () =>
    (drained ??= (async () => {
      const code = await running.close().then(
        () => 0,
        (error: unknown) => {
          running.gateway.logger.error(`shutdown failed: ${describeError(error, true)}`);
          return 1;
        },
      );
      await disconnectFromPrimary();
      process.exit(code);
    })());
  process.on('SIGTERM', drain);
  process.on('SIGINT', drain);
  process.on('SIGHUP', () => {});
  const { gateway } = running;
  send({
    concierge: 'listening',
    url: `${running.url}${gateway.config.graphqlEndpoint}`,
    sources: gateway.sources.length,
    inProcessState: inProcessState(running),
    drainTimeout: gateway.config.shutdownTimeout,
  });
}

/** Reports a start-up failure to the primary, which prints it once for all workers, then exits 1. */
export function reportWorkerFailure(message: string): void {
  send({ concierge: 'failed', message }, () => process.exit(1));
}

function send(message: WorkerMessage, then?: () => void): void {
  process.send?.(message, undefined, undefined, then);
}

/** Step 2: resolves once the primary acknowledged the disconnect (at once when it is gone already). */
function disconnectFromPrimary(): Promise<void> {
  const { worker } = cluster;
  if (!worker || !process.connected) return Promise.resolve();
  return new Promise((resolve) => {
    worker.once('disconnect', resolve);
    worker.disconnect();
  });
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
