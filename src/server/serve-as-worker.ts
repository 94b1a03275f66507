import cluster from 'node:cluster';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { collectFieldLimits } from '../rate-limits/collect-field-limits.ts';
import type { WorkerMessage } from './run-workers.ts';
import type { RunningGateway } from './start-gateway.ts';

/**
 * How long a draining worker waits for its kept-alive connections to be used once more (and so
 * closed after that answer) before it closes the ones still idle. Bounds the extra drain time
 * that an idle keep-alive client costs.
 */
const keepAliveGrace = 1_000;

/**
 * A cluster worker's side of `concierge start --workers`: tells the primary where it listens,
 * tags every response with `x-concierge-worker: <worker id>`, and drains on SIGTERM or SIGINT,
 * which the primary sends when it stops or replaces it. SIGHUP is the primary's (a rolling
 * restart), so a worker ignores it.
 *
 * Draining loses no request, on new or kept-alive connections:
 * 1. `/readyz` turns 503 and every answer not yet sent carries `Connection: close`, so each
 *    kept-alive connection closes after its next answer and its client opens a new one, which the
 *    primary hands to a worker still listening. An idle kept-alive connection is not closed at
 *    once: its client may be sending a request on it right now, which would be lost. The worker
 *    waits until each is used once more or closed, at most `keepAliveGrace` ms.
 * 2. The gateway closes (`RunningGateway.close`: stop listening, in-flight requests finish within
 *    `shutdownTimeout`).
 * 3. The worker disconnects from the primary and only then exits. The primary hands each
 *    connection to a worker over IPC, and may have sent one before it learnt that this worker
 *    stopped listening: the worker must read it (and hand it back) before it exits, or the primary
 *    would hold that connection, unanswered, forever. The disconnect is acknowledged by the
 *    primary after every message it sent before, so once disconnected nothing is in flight.
 */
export function serveAsWorker(running: RunningGateway): void {
  const id = String(cluster.worker?.id);
  /** Each connection that carried a request, with its latest answer. */
  const connections = new Map<Socket, ServerResponse>();
  /** While draining: the connections open when it began, neither used since nor closed. */
  let waiting: Set<Socket> | undefined;
  let allSettled = () => {};
  const settle = (socket: Socket) => {
    if (waiting?.delete(socket) && waiting.size === 0) allSettled();
  };
  running.server.prependListener('request', ({ socket }, response) => {
    response.setHeader('x-concierge-worker', id);
    if (!connections.has(socket)) {
      socket.once('close', () => {
        connections.delete(socket);
        settle(socket);
      });
    }
    connections.set(socket, response);
    if (waiting) {
      response.setHeader('connection', 'close');
      settle(socket);
    }
  });

  /** Step 1: resolves once every connection open now was used once more or closed, or after the grace. */
  const closeKeptAlive = () =>
    new Promise<void>((resolve) => {
      running.gateway.drain();
      for (const response of connections.values()) if (!response.headersSent) response.setHeader('connection', 'close');
      waiting = new Set(connections.keys());
      const grace = setTimeout(resolve, keepAliveGrace);
      allSettled = () => {
        clearTimeout(grace);
        resolve();
      };
      if (waiting.size === 0) allSettled();
    });

  let drained: Promise<void> | undefined;
  const drain = () =>
    (drained ??= (async () => {
      await closeKeptAlive();
      const code = await running.close().then(
        () => 0,
        (error: unknown) => {
          console.error('[concierge] shutdown failed:', error);
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
    drainTimeout: keepAliveGrace + gateway.config.shutdownTimeout,
  });
}

/** Reports a start-up failure to the primary, which prints it once for all workers, then exits 1. */
export function reportWorkerFailure(message: string): void {
  send({ concierge: 'failed', message }, () => process.exit(1));
}

function send(message: WorkerMessage, then?: () => void): void {
  process.send?.(message, undefined, undefined, then);
}

/** Step 3: resolves once the primary acknowledged the disconnect (at once when it is gone already). */
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
