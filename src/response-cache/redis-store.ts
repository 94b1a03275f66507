import { silentDiagnostics, type Diagnostics } from '../observability/gateway-logger.ts';
import type { Redis } from 'ioredis';
import { createRedisClient, waitUntilReady } from '../redis/create-redis-client.ts';
import { createOutageLog } from '../redis/outage-log.ts';
import type { NormalizedRedis } from '../redis/redis-config.ts';
import { systemClock, type Clock } from '../clock.ts';
import { isExpired, type CachedResponse, type ResponseStore } from './response-store.ts';

// KEYS[1] the entry, KEYS[2..] the index sets of its entities and types; ARGV: value, ttl, member.
// An index set lives as long as the longest entry it lists.
const storeScript = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local ttl = tonumber(ARGV[2])
for i = 2, #KEYS do
  redis.call('SADD', KEYS[i], ARGV[3])
  if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
end`;

// KEYS: index sets; ARGV[1] the prefix of entry keys. Deletes the entries listed and the sets.
const removeScript = `
local removed = 0
for i = 1, #KEYS do
  for _, member in ipairs(redis.call('SMEMBERS', KEYS[i])) do removed = removed + redis.call('DEL', ARGV[1] .. member) end
  redis.call('DEL', KEYS[i])
end
return removed`;

type ScriptedRedis = Redis & {
  conciergeCacheStore(keyCount: number, ...keysAndArgs: Array<string | number>): Promise<unknown>;
  conciergeCacheRemove(keyCount: number, ...keysAndArgs: string[]): Promise<number>;
};

/**
 * The store shared by replicas. Under `<redis.keyPrefix>cache:`: `entry:<key>` strings (the
 * entry as JSON, with a PX TTL), and `entity:<Type>:<id>` and `type:<Type>` sets of entry keys that
 * expire with the longest entry they list. Storing and removing are Lua scripts, so an entry and
 * its index change together; this needs a single Redis (not Cluster: the keys of one script
 * would live in different slots).
 *
 * While Redis is unreachable, reads miss and writes are dropped at once (no command queue), so
 * requests are answered by the services; the outage is logged once (see OutageLog). Only
 * the requests of a gateway's first moments wait, for its first connection (at most a second or
 * `commandTimeout`), so that a replica that just started shares the others' entries at once.
 *
 * An entry expires twice: Redis drops it `maxAge` after it was stored, on Redis's clock (that is
 * what frees the memory), and a read finds it expired once `maxAge` has passed since its
 * `storedAt`, on `clock`. Whichever comes first wins, so a replica whose clock runs a little ahead
 * misses a little early, and none serves an entry past its `maxAge`; a test moves `clock` instead
 * of waiting for Redis.
 */
export function createRedisStore(
  options: NormalizedRedis,
  clock: Clock = systemClock,
  { logger, internalError }: Diagnostics = silentDiagnostics,
): ResponseStore {
  const outage = createOutageLog({
    logger,
    count: () => internalError('response_cache_store'),
    purpose: 'response cache',
    policy: 'requests are answered by the services',
  });
  const client = createRedisClient(options, outage) as ScriptedRedis;
  client.defineCommand('conciergeCacheStore', { lua: storeScript });
  client.defineCommand('conciergeCacheRemove', { lua: removeScript });
  const prefix = `${options.keyPrefix}cache:`;
  const entryPrefix = `${prefix}entry:`;
  let starting: Promise<void> | undefined = waitUntilReady(client, Math.max(options.commandTimeout, 1_000)).then(() => {
    starting = undefined;
  });
  const ready = async () => {
    if (starting) await starting;
    return client.status === 'ready';
  };
  const unreachable = () => new Error('the response cache store (redis) is unreachable');
  const remove = async (sets: readonly string[]) => {
    if (!(await ready())) throw unreachable();
    return sets.length === 0 ? 0 : client.conciergeCacheRemove(sets.length, ...sets, entryPrefix);
  };

  return {
    async get(key) {
      if (!(await ready())) return undefined;
      try {
        const text = await client.get(entryPrefix + key);
        outage.answered();
        const entry = text === null ? undefined : (JSON.parse(text) as CachedResponse);
        return entry && !isExpired(entry, clock.now()) ? entry : undefined;
      } catch (error) {
        outage.failedCommand((error as Error).message);
        return undefined;
      }
    },
    async set(key, { entities, types, ...entry }, ttlMs) {
      if (!(await ready())) return;
      const sets = [...entities.map((entity) => `${prefix}entity:${entity}`), ...types.map((type) => `${prefix}type:${type}`)];
      await client.conciergeCacheStore(1 + sets.length, entryPrefix + key, ...sets, JSON.stringify(entry), ttlMs, key).then(
        () => outage.answered(),
        (error: Error) => outage.failedCommand(error.message),
      );
    },
    invalidate: (entities) => remove(entities.map((entity) => `${prefix}entity:${entity}`)),
    purgeType: (type) => remove([`${prefix}type:${type}`]),
    async purgeAll() {
      if (!(await ready())) throw unreachable();
      let removed = 0;
      const stream = client.scanStream({ match: `${escapeGlob(prefix)}*`, count: 500 });
      for await (const keys of stream as AsyncIterable<string[]>) {
        const entries = keys.filter((key) => key.startsWith(entryPrefix));
        const others = keys.filter((key) => !key.startsWith(entryPrefix));
        if (entries.length > 0) removed += await client.del(...entries);
        if (others.length > 0) await client.del(...others);
      }
      return removed;
    },
    async close() {
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
