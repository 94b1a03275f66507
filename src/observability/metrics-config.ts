import type { FeatureContext } from '../config/feature-options.ts';

/** STUB: replaced by the metrics work. */
export interface MetricsConfig {}

/** STUB: the admin key that protects /metrics and the status page. */
export interface AdminConfig {}

/** STUB: the status page. */
export interface StatusPageConfig {}

/** STUB. */
export interface NormalizedMetrics {}

/** Checks `metrics`, `admin` and `statusPage`. STUB. */
export function normalizeMetricsOptions(_metrics: unknown, _admin: unknown, _statusPage: unknown, _context: FeatureContext): NormalizedMetrics {
  return {};
}
