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
  client.on('error', (error: Error & { code?: string }) => {
    if (down) return;
    down = true;
    console.error(`[concierge] redis (${purpose}) unreachable: ${error.code ?? error.message}; its failure policy applies until it returns`);
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    console.error(`[concierge] redis (${purpose}) reachable again`);
  });
  return client;
}
