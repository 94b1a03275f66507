import type { FeatureContext } from '../config/feature-options.ts';

/** HTTPS for clients. STUB: replaced by the TLS work. */
export interface TlsConfig {}

/** TLS (or mTLS) towards one upstream source. STUB. */
export interface UpstreamTlsConfig {}

/** HTTPS settings with defaults filled in; `undefined` when the gateway serves plain HTTP. STUB. */
export interface NormalizedTls {}

/** Upstream TLS with files read. STUB. */
export interface NormalizedUpstreamTls {}

/** Checks `tls`. STUB. */
export function normalizeTlsOptions(_raw: unknown, _context: FeatureContext): NormalizedTls | undefined {
  return undefined;
}

/** Checks a source's `tls`. STUB. */
export function normalizeUpstreamTlsOptions(_raw: unknown, _key: string, _context: FeatureContext): NormalizedUpstreamTls | undefined {
  return undefined;
}
