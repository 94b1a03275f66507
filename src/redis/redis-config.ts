import { isPlainObject } from '../config/config-checker.ts';
import type { FeatureContext } from '../config/feature-options.ts';

/** The Redis that replicas share for rate-limit counters and cached responses (distributed mode). */
export interface RedisConfig {
  /**
   * Connection URL.
   * @example '${REDIS_URL:-redis://127.0.0.1:6379}'
   */
  url: string;
  /**
   * Prefix of every key the gateway writes, so several gateways (or environments) can share a Redis.
   * @default 'concierge:'
   */
  keyPrefix?: string;
  /**
   * Milliseconds a command may take before it counts as a Redis failure (the store's failure policy applies).
   * @default 500
   */
  commandTimeout?: number;
}

/** Redis settings, checked. */
export interface NormalizedRedis {
  url: string;
  keyPrefix: string;
  commandTimeout: number;
}

/** Checks `redis`; `undefined` when the gateway runs with in-memory stores. */
export function normalizeRedisOptions(raw: unknown, { check }: FeatureContext): NormalizedRedis | undefined {
  if (raw === undefined) return undefined;
  if (!isPlainObject(raw)) {
    check.fail('config.redis', 'an object such as { url: "redis://127.0.0.1:6379" }', raw);
    return undefined;
  }
  check.knownKeys('config.redis', raw, ['url', 'keyPrefix', 'commandTimeout']);
  const url = check.string('config.redis.url', raw['url']);
  if (url && !/^rediss?:\/\/[^\s]+$/.test(url)) check.fail('config.redis.url', 'a redis:// or rediss:// URL', url);
  return {
    url,
    keyPrefix: check.string('config.redis.keyPrefix', raw['keyPrefix'] ?? 'concierge:'),
    commandTimeout: check.integer('config.redis.commandTimeout', raw['commandTimeout'] ?? 500, 1, 60_000),
  };
}
