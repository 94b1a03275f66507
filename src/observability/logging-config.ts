import type { FeatureContext } from '../config/feature-options.ts';

/** STUB: replaced by the observability work. */
export interface LoggingConfig {}

/** STUB. */
export interface NormalizedLogging {}

/** Checks `logging`. STUB. */
export function normalizeLoggingOptions(_raw: unknown, _context: FeatureContext): NormalizedLogging {
  return {};
}
