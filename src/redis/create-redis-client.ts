import { Redis } from 'ioredis';
import type { OutageLog } from './outage-log.ts';
import type { NormalizedRedis } from './redis-config.ts';

/**
 * A Redis connection for one store. Commands fail fast while Redis is unreachable (no offline
 * queue), so a store's failure policy applies at once; ioredis reconnects on its own with backoff.
 * What the connection sees goes to the store's outage log (one line per outage start and end).
 */
export function createRedisClient(options: NormalizedRedis, outage: OutageLog): Redis {
  const client = new Redis(options.url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeout,
    connectTimeout: Math.max(options.commandTimeout, 1_000),
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
  });
  client.on('error', (error: Error & { code?: string }) => outage.lost(error.code ?? error.message));
  // A lost connection that ioredis is about to retry; a deliberate disconnect never reconnects.
  client.on('reconnecting', () => outage.lost('connection lost'));
  client.on('ready', () => outage.answered());
  return client;
}

/**
 * Resolves once the client is connected, or after `timeoutMs` if Redis is not answering (the store's
 * failure policy then applies until it is), so a starting gateway does not refuse its first requests.
 */
export async function waitUntilReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    client.once('ready', done);
    function done() {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    }
  });
}
