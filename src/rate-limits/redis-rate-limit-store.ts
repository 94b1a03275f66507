import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Hit, HitResult, RateLimitStore } from './rate-limit-store.ts';

// Both scripts run atomically inside Redis and read Redis's own clock, so replicas with skewed
// clocks still agree. ARGV: window ms, max, weight, record ('always' | 'allowed' | 'never'), member id.
const slidingScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window, max, weight, record = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local used = redis.call('ZCARD', KEYS[1])
local allowed = used + weight <= max
if record == 'always' or (record == 'allowed' and allowed) then
  for i = 1, weight do redis.call('ZADD', KEYS[1], now, ARGV[5] .. ':' .. i) end
  used = used + weight
  redis.call('PEXPIRE', KEYS[1], window)
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local reset = 0
if oldest[2] then reset = tonumber(oldest[2]) + window - now end
return { allowed and 1 or 0, used, reset }
`;

const fixedScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window, max, weight, record = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local start = now - (now % window)
local key = KEYS[1] .. ':' .. start
local used = tonumber(redis.call('GET', key) or '0')
local allowed = used + weight <= max
if record == 'always' or (record == 'allowed' and allowed) then
  used = redis.call('INCRBY', key, weight)
  redis.call('PEXPIRE', key, window)
end
return { allowed and 1 or 0, used, start + window - now }
`;

type ScriptedRedis = Redis & {
  rateLimitSliding(key: string, window: number, max: number, weight: number, record: string, member: string): Promise<[number, number, number]>;
  rateLimitFixed(key: string, window: number, max: number, weight: number, record: string): Promise<[number, number, number]>;
};

/** Counters in Redis, shared by every replica; each check is one Lua script (one round trip). */
export function createRedisRateLimitStore(client: Redis, keyPrefix: string): RateLimitStore {
  client.defineCommand('rateLimitSliding', { numberOfKeys: 1, lua: slidingScript });
  client.defineCommand('rateLimitFixed', { numberOfKeys: 1, lua: fixedScript });
  const redis = client as ScriptedRedis;
  const result = ([allowed, used, resetMs]: [number, number, number]): HitResult => ({ allowed: allowed === 1, used, resetMs: Math.max(0, resetMs) });
  return {
    sliding: async ({ key, windowMs, max, weight, record }) =>
      result(await redis.rateLimitSliding(`${keyPrefix}rl:s:${key}`, windowMs, max, weight, record, randomUUID())),
    fixed: async ({ key, windowMs, max, weight, record }) => result(await redis.rateLimitFixed(`${keyPrefix}rl:f:${key}`, windowMs, max, weight, record)),
    close: async () => {
      client.disconnect();
    },
  };
}
