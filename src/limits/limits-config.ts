import { isPlainObject } from '../config/config-checker.ts';
import type { FeatureContext } from '../config/feature-options.ts';

/** Whether a feature is on, off, or decided by `NODE_ENV` (off when it is `production`). */
export type AutoSwitch = 'auto' | 'on' | 'off';

/**
 * Limits on the operations clients send, checked before anything is called upstream. Every refusal
 * is HTTP 400 with a message naming the limit and the measured value. The defaults are safe for
 * production; raise one only for a client that needs it.
 */
export interface LimitsConfig {
  /**
   * Deepest nesting of fields in an operation (`{ user { orders { id } } }` is 3); fragments count
   * as the fields they hold. Introspection fields (`__schema`, `__type`) count as one level: their
   * own depth is bounded by graphql-js's introspection depth rule.
   * @default 12
   */
  maxDepth?: number;
  /**
   * Most aliased fields in an operation, fragments counted each time they are spread.
   * @default 30
   */
  maxAliases?: number;
  /**
   * Most root fields (distinct response keys) in an operation: each may be a call to a service.
   * @default 20
   */
  maxRootFields?: number;
  /**
   * Most directive uses in an operation, fragments counted each time they are spread.
   * @default 50
   */
  maxDirectives?: number;
  /**
   * Most lexical tokens in a document, counted by the lexer before anything is parsed (counting
   * stops at the limit, so the refusal does not say how many there were).
   * @default 5000
   */
  maxTokens?: number;
  /**
   * Highest static cost of an operation, from `@cost` and `@listSize` in the registered schemas:
   * an object costs 1 (or its `@cost` weight), a scalar 0, and a list field multiplies its
   * elements' cost by its size (a slicing argument's value, else `assumedSize`, else
   * {@link defaultListSize}). Refused with `COST_ESTIMATED_TOO_EXPENSIVE` (extensions
   * `cost.estimated`, `cost.max`, as Apollo Router and Hive Router give them).
   *
   * The default admits four levels of nested lists of unknown size (10⁴ objects each costing a
   * little) and the standard federation benchmark query (cost 24,420), and refuses five
   * (10⁵ = 100,000): the exponential shape a cost limit exists to stop. Apollo Router and Hive
   * Router ship demand control off, Kong's `max_cost` is 0 (none); a gateway on the internet
   * should have one, so Concierge keeps one on with room for real queries.
   * @default 50000
   */
  maxCost?: number;
  /**
   * Size assumed for a list field without `@listSize` or a slicing argument's value.
   * @default 10
   */
  defaultListSize?: number;
  /**
   * Most operations in one batched request (a JSON array). `1` turns batching off: an array is
   * refused whatever its length.
   * @default 1
   */
  maxBatchedOperations?: number;
  /**
   * Schema introspection (`__schema`, `__type`). `'auto'` is off when `NODE_ENV` is `production`.
   * Where it is off, consumers declared with `introspection: true` may still introspect.
   * @default 'auto'
   */
  introspection?: AutoSwitch;
  /**
   * The "Did you mean ...?" suggestions of error messages, which reveal field, argument, type and
   * enum value names. `'auto'` hides them when `NODE_ENV` is `production`.
   * @default 'auto'
   */
  fieldSuggestions?: AutoSwitch;
}

/** Limits with every default filled in. */
export type NormalizedLimits = Required<LimitsConfig>;

const switches = ['auto', 'on', 'off'] as const;

/** The limits of a gateway that sets none. */
export const defaultLimits: NormalizedLimits = {
  maxDepth: 12,
  maxAliases: 30,
  maxRootFields: 20,
  maxDirectives: 50,
  maxTokens: 5000,
  maxCost: 50_000,
  defaultListSize: 10,
  maxBatchedOperations: 1,
  introspection: 'auto',
  fieldSuggestions: 'auto',
};

/**
 * Checks `limits` and fills in its defaults; problems go to `context.check`, named under `key`.
 * `base` gives the values of options left out (a client profile's limits start from the gateway's).
 */
export function normalizeLimitsOptions(
  raw: unknown,
  { check }: FeatureContext,
  key = 'config.limits',
  base: NormalizedLimits = defaultLimits,
): NormalizedLimits {
  if (raw !== undefined && !isPlainObject(raw)) check.fail(key, 'an object', raw);
  const limits = isPlainObject(raw) ? raw : {};
  check.knownKeys(key, limits, [
    'maxDepth',
    'maxAliases',
    'maxRootFields',
    'maxDirectives',
    'maxTokens',
    'maxCost',
    'defaultListSize',
    'maxBatchedOperations',
    'introspection',
    'fieldSuggestions',
  ]);
  return {
    maxDepth: check.integer(`${key}.maxDepth`, limits['maxDepth'] ?? base.maxDepth, 1, 1000),
    maxAliases: check.integer(`${key}.maxAliases`, limits['maxAliases'] ?? base.maxAliases, 0, 100_000),
    maxRootFields: check.integer(`${key}.maxRootFields`, limits['maxRootFields'] ?? base.maxRootFields, 1, 100_000),
    maxDirectives: check.integer(`${key}.maxDirectives`, limits['maxDirectives'] ?? base.maxDirectives, 0, 100_000),
    maxTokens: check.integer(`${key}.maxTokens`, limits['maxTokens'] ?? base.maxTokens, 1, 10_000_000),
    maxCost: check.integer(`${key}.maxCost`, limits['maxCost'] ?? base.maxCost, 1, Number.MAX_SAFE_INTEGER),
    defaultListSize: check.integer(`${key}.defaultListSize`, limits['defaultListSize'] ?? base.defaultListSize, 0, 1_000_000),
    maxBatchedOperations: check.integer(`${key}.maxBatchedOperations`, limits['maxBatchedOperations'] ?? base.maxBatchedOperations, 1, 1000),
    introspection: check.oneOf(`${key}.introspection`, limits['introspection'] ?? base.introspection, switches),
    fieldSuggestions: check.oneOf(`${key}.fieldSuggestions`, limits['fieldSuggestions'] ?? base.fieldSuggestions, switches),
  };
}

/** Yoga's `batching` option for the limits: off, or on with `maxBatchedOperations` as its limit. */
export function batchingOption(limits: NormalizedLimits): false | { limit: number } {
  return limits.maxBatchedOperations > 1 ? { limit: limits.maxBatchedOperations } : false;
}
