import { Redis } from 'ioredis';
import type { NormalizedRedis } from './redis-config.ts';

/**
 * A Redis connection for one store. Commands fail fast while Redis is unreachable (no offline
 * queue), so a store's failure policy applies at once; ioredis reconnects on its own with backoff.
 * Each outage is logged once when it starts and once when it ends, never per command.
 */
export function createRedisClient(options: NormalizedRedis, purpose: string): Redis {
  const client = new Redis(options.url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeout,
    connectTimeout: Math.max(options.commandTimeout, 1_000),
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
  });
  let down = false;
  const markDown = (reason: string) => {
    if (down) return;
    down = true;
    console.error(`[concierge] redis (${purpose}) unreachable: ${reason}; its failure policy applies until it returns`);
  };
  client.on('error', (error: Error & { code?: string }) => markDown(error.code ?? error.message));
  // A lost connection that ioredis is about to retry; a deliberate disconnect never reconnects.
  client.on('reconnecting', () => markDown('connection lost'));
  client.on('ready', () => {
    if (!down) return;
    down = false;
    console.error(`[concierge] redis (${purpose}) reachable again`);
  });
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
