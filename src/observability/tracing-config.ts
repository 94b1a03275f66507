import type { FeatureContext } from '../config/feature-options.ts';

/** STUB: replaced by the observability work. */
export interface TracingConfig {}

/** STUB. */
export interface NormalizedTracing {}

/** Checks `tracing`. STUB. */
export function normalizeTracingOptions(_raw: unknown, _context: FeatureContext): NormalizedTracing {
  return {};
}
