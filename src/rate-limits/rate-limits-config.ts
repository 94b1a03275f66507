import { isPlainObject, type Checker } from '../config/config-checker.ts';
import type { FeatureContext } from '../config/feature-options.ts';
import { parseWindow } from './parse-window.ts';

/** One field limit, with the semantics of graphql-rate-limit's `@rateLimit` directive. */
export interface FieldRateLimitConfig {
  /** Most reads per window. */
  max: number;
  /**
   * The window: milliseconds, or a duration such as `'30s'`, `'1m'`, `'1h'`.
   * @default '1m'
   */
  window?: string | number;
  /** The error message; by default `You are trying to access '<field>' too often`. */
  message?: string;
  /** Arguments whose values make separate counters (`['id']`: each id has its own budget). */
  identityArgs?: string[];
  /** A list argument whose length is the number of reads one call counts for. */
  arrayLengthField?: string;
}

/** Requests and summed cost a caller may spend per window. */
export interface PlanLimitsConfig {
  /** Requests per window. */
  requests?: { max: number; window?: string | number };
  /** Summed static cost (as the cost limit computes it) per window. */
  cost?: { max: number; window?: string | number };
}

/** Rate limits: per field (`@rateLimit` or here), and per consumer plan. */
export interface RateLimitsConfig {
  /**
   * Where counters live: in this process, or in `redis` (then every replica shares one exact count).
   * @default 'redis' when `redis` is configured, else 'memory'
   */
  store?: 'memory' | 'redis';
  /**
   * What happens to limited requests while Redis is unreachable or not answering: `'open'` lets
   * them through unchecked; `'closed'` answers `SERVICE_UNAVAILABLE` where the limit would have
   * answered `RATE_LIMITED`: a plan budget refuses the whole operation with HTTP 503, a field limit
   * answers its field `null` and the rest of the operation runs. The outage is logged when it starts
   * and when it ends, with the number of checks decided without Redis.
   * @default 'open'
   */
  onStoreFailure?: 'open' | 'closed';
  /**
   * Limits for fields of services whose SDL we do not own, by coordinate.
   * @example { 'Query.search': { max: 10, window: '1m', identityArgs: ['term'] } }
   */
  fields?: Record<string, FieldRateLimitConfig>;
  /**
   * Limits per plan name (a consumer's `plan`). Callers without a plan use `default`; anonymous
   * callers use `anonymous` (counted per client address).
   * @example { gold: { requests: { max: 6000, window: '1m' } }, default: { requests: { max: 600, window: '1m' } } }
   */
  plans?: Record<string, PlanLimitsConfig>;
}

/** A field limit, checked. */
export interface NormalizedFieldLimit {
  max: number;
  windowMs: number;
  message?: string;
  identityArgs: string[];
  arrayLengthField?: string;
  readOnly: boolean;
  uncountRejected: boolean;
}

/** Plan limits, checked. */
export interface NormalizedPlanLimits {
  requests?: { max: number; windowMs: number };
  cost?: { max: number; windowMs: number };
}

/** Rate limits with defaults filled in. */
export interface NormalizedRateLimits {
  store: 'memory' | 'redis';
  onStoreFailure: 'open' | 'closed';
  fields: Map<string, NormalizedFieldLimit>;
  plans: Map<string, NormalizedPlanLimits>;
}

/** Checks `rateLimits`; `hasRedis` says whether `redis` is configured. */
export function normalizeRateLimitsOptions(raw: unknown, hasRedis: boolean, { check }: FeatureContext): NormalizedRateLimits {
  if (raw !== undefined && !isPlainObject(raw)) check.fail('config.rateLimits', 'an object', raw);
  const limits = isPlainObject(raw) ? raw : {};
  check.knownKeys('config.rateLimits', limits, ['store', 'onStoreFailure', 'fields', 'plans']);
  const store = check.oneOf('config.rateLimits.store', limits['store'] ?? (hasRedis ? 'redis' : 'memory'), ['memory', 'redis'] as const);
  if (store === 'redis' && !hasRedis) check.problem('config.rateLimits.store: expected a top-level redis: { url } for the "redis" store, found none');
  const fields = new Map<string, NormalizedFieldLimit>();
  for (const [coordinate, rule] of Object.entries(record(check, 'config.rateLimits.fields', limits['fields']))) {
    const key = `config.rateLimits.fields.${coordinate}`;
    if (!/^[A-Za-z_]\w*\.[A-Za-z_]\w*$/.test(coordinate)) check.fail(key, 'a field coordinate such as "Query.search"', coordinate);
    const limit = normalizeFieldLimit(rule, key, check);
    if (limit) fields.set(coordinate, limit);
  }
  const plans = new Map<string, NormalizedPlanLimits>();
  for (const [name, plan] of Object.entries(record(check, 'config.rateLimits.plans', limits['plans']))) {
    const key = `config.rateLimits.plans.${name}`;
    if (!isPlainObject(plan)) {
      check.fail(key, 'an object with requests and/or cost', plan);
      continue;
    }
    check.knownKeys(key, plan, ['requests', 'cost']);
    const budget = (part: 'requests' | 'cost') => {
      const value = plan[part];
      if (value === undefined) return {};
      if (!isPlainObject(value)) {
        check.fail(`${key}.${part}`, 'an object { max, window }', value);
        return {};
      }
      check.knownKeys(`${key}.${part}`, value, ['max', 'window']);
      return {
        [part]: {
          max: check.integer(`${key}.${part}.max`, value['max'], 1, 1_000_000_000),
          windowMs: parseWindow(`${key}.${part}.window`, value['window'], check),
        },
      };
    };
    plans.set(name, { ...budget('requests'), ...budget('cost') });
  }
  return {
    store,
    onStoreFailure: check.oneOf('config.rateLimits.onStoreFailure', limits['onStoreFailure'] ?? 'open', ['open', 'closed'] as const),
    fields,
    plans,
  };
}

/** Checks one field limit, from the config or from a `@rateLimit` directive's arguments. */
export function normalizeFieldLimit(rule: unknown, key: string, check: Checker): NormalizedFieldLimit | undefined {
  if (!isPlainObject(rule)) {
    check.fail(key, 'an object { max, window, message, identityArgs, arrayLengthField }', rule);
    return undefined;
  }
  check.knownKeys(key, rule, ['max', 'window', 'message', 'identityArgs', 'arrayLengthField', 'readOnly', 'uncountRejected']);
  return {
    max: check.integer(`${key}.max`, rule['max'] ?? 5, 1, 1_000_000_000),
    windowMs: parseWindow(`${key}.window`, rule['window'], check),
    ...(rule['message'] === undefined || rule['message'] === null ? {} : { message: check.string(`${key}.message`, rule['message']) }),
    identityArgs: check.stringList(`${key}.identityArgs`, rule['identityArgs'] ?? []),
    ...(rule['arrayLengthField'] === undefined || rule['arrayLengthField'] === null
      ? {}
      : { arrayLengthField: check.string(`${key}.arrayLengthField`, rule['arrayLengthField']) }),
    readOnly: check.boolean(`${key}.readOnly`, rule['readOnly'] ?? false),
    uncountRejected: check.boolean(`${key}.uncountRejected`, rule['uncountRejected'] ?? false),
  };
}

function record(check: Checker, key: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (isPlainObject(value)) return value;
  check.fail(key, 'an object', value);
  return {};
}
