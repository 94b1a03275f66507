import type { FeatureContext } from '../config/feature-options.ts';

/** Response caching. STUB: replaced by the response-cache work. */
export interface ResponseCacheConfig {}

/** Response cache with defaults filled in. STUB. */
export interface NormalizedResponseCache {}

/** Checks `responseCache`. STUB. */
export function normalizeResponseCacheOptions(_raw: unknown, _context: FeatureContext): NormalizedResponseCache {
  return {};
}
