import { isPlainObject, type Checker } from '../config/config-checker.ts';
import type { FeatureContext } from '../config/feature-options.ts';

/**
 * Caching of whole query responses, ruled by `@cacheControl(maxAge, scope)` hints in the registered
 * schemas: how long a response may be reused, and whether by every caller (PUBLIC) or only by the
 * one who asked (PRIVATE). Mutations invalidate the entries holding the objects they return.
 */
export interface ResponseCacheConfig {
  /**
   * Whether responses are cached. Caching is opt-in: a stale answer is a behaviour change.
   * @default false
   */
  enabled?: boolean;
  /**
   * Where entries live: in this process, or in the top-level `redis` (then every replica shares them,
   * and a mutation through one replica invalidates the entries of all).
   * @default 'redis' when `redis` is configured, else 'memory'
   */
  store?: 'memory' | 'redis';
  /**
   * Most bytes the memory store holds (response bodies, roughly); past it the least recently used
   * entries go.
   * @default 52428800 (50 MB)
   */
  maxBytes?: number;
  /**
   * Seconds a root field, or a field returning an object, may be cached when no hint says otherwise.
   * `0` caches only responses whose every such field has a hint.
   * @default 0
   */
  defaultMaxAge?: number;
  /**
   * Seconds by type name, replacing the `maxAge` of that type's `@cacheControl` hint.
   * @example { Product: 300 }
   */
  ttlPerType?: Record<string, number>;
  /**
   * Seconds by field coordinate, replacing the `maxAge` of that field's `@cacheControl` hint.
   * @example { 'Query.products': 30, 'Product.inventory': 0 }
   */
  ttlPerCoordinate?: Record<string, number>;
  /**
   * Adds `extensions.responseCache: { hit, ttl }` to cacheable responses (`ttl`: seconds left).
   * Hits and misses then differ in body, so the ETag is weak (`W/"..."`).
   * @default false
   */
  includeExtensionMetadata?: boolean;
  /** The purge endpoint: `POST <path>` with `{ "all": true }`, `{ "type": "Product" }` or `{ "type": "Product", "id": "7" }`. */
  purge?: {
    /**
     * Its path.
     * @default '/_concierge/cache'
     */
    path?: string;
    /**
     * The scope a consumer needs to purge.
     * @default 'cache:purge'
     */
    scope?: string;
  };
}

/** The response cache with defaults filled in. */
export interface NormalizedResponseCache {
  enabled: boolean;
  /** As configured; unset means `'redis'` when the gateway has a `redis`, else `'memory'`. */
  store?: 'memory' | 'redis';
  maxBytes: number;
  defaultMaxAge: number;
  ttlPerType: ReadonlyMap<string, number>;
  ttlPerCoordinate: ReadonlyMap<string, number>;
  includeExtensionMetadata: boolean;
  purge: { path: string; scope: string };
}

const keys = ['enabled', 'store', 'maxBytes', 'defaultMaxAge', 'ttlPerType', 'ttlPerCoordinate', 'includeExtensionMetadata', 'purge'];
const maxSeconds = 31_536_000;

/** Checks `responseCache`. */
export function normalizeResponseCacheOptions(raw: unknown, { check }: FeatureContext): NormalizedResponseCache {
  if (raw !== undefined && !isPlainObject(raw)) check.fail('config.responseCache', 'an object such as { enabled: true }', raw);
  const options = isPlainObject(raw) ? raw : {};
  check.knownKeys('config.responseCache', options, keys);
  const purge = options['purge'] ?? {};
  if (!isPlainObject(purge)) check.fail('config.responseCache.purge', 'an object { path, scope }', purge);
  const purgeOptions = isPlainObject(purge) ? purge : {};
  check.knownKeys('config.responseCache.purge', purgeOptions, ['path', 'scope']);
  return {
    enabled: check.boolean('config.responseCache.enabled', options['enabled'] ?? false),
    ...(options['store'] === undefined ? {} : { store: check.oneOf('config.responseCache.store', options['store'], ['memory', 'redis'] as const) }),
    maxBytes: check.integer('config.responseCache.maxBytes', options['maxBytes'] ?? 52_428_800, 1_024, 17_179_869_184),
    defaultMaxAge: check.integer('config.responseCache.defaultMaxAge', options['defaultMaxAge'] ?? 0, 0, maxSeconds),
    ttlPerType: seconds(check, 'config.responseCache.ttlPerType', options['ttlPerType'], /^[A-Za-z_]\w*$/, 'a type name such as "Product"'),
    ttlPerCoordinate: seconds(
      check,
      'config.responseCache.ttlPerCoordinate',
      options['ttlPerCoordinate'],
      /^[A-Za-z_]\w*\.[A-Za-z_]\w*$/,
      'a field coordinate such as "Query.products"',
    ),
    includeExtensionMetadata: check.boolean('config.responseCache.includeExtensionMetadata', options['includeExtensionMetadata'] ?? false),
    purge: {
      path: check.path('config.responseCache.purge.path', purgeOptions['path'] ?? '/_concierge/cache'),
      scope: check.string('config.responseCache.purge.scope', purgeOptions['scope'] ?? 'cache:purge'),
    },
  };
}

function seconds(check: Checker, key: string, value: unknown, name: RegExp, expected: string): Map<string, number> {
  const result = new Map<string, number>();
  if (value === undefined) return result;
  if (!isPlainObject(value)) {
    check.fail(key, 'an object of seconds by name', value);
    return result;
  }
  for (const [entry, ttl] of Object.entries(value)) {
    if (!name.test(entry)) check.fail(`${key}.${entry}`, expected, entry);
    result.set(entry, check.integer(`${key}.${entry}`, ttl, 0, maxSeconds));
  }
  return result;
}
