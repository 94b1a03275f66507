import type { FeatureContext } from '../config/feature-options.ts';

/** Operation limits. STUB: replaced by the limits work. */
export interface LimitsConfig {}

/** Limits with defaults filled in. STUB. */
export interface NormalizedLimits {}

/** Checks `limits`. STUB. */
export function normalizeLimitsOptions(_raw: unknown, _context: FeatureContext): NormalizedLimits {
  return {};
}
