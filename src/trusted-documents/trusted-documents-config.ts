import type { FeatureContext } from '../config/feature-options.ts';

/** Persisted operations and APQ. STUB: replaced by the trusted-documents work. */
export interface TrustedDocumentsConfig {}

/** Trusted documents with defaults filled in. STUB. */
export interface NormalizedTrustedDocuments {}

/** Checks `trustedDocuments`. STUB. */
export function normalizeTrustedDocumentsOptions(_raw: unknown, _context: FeatureContext): NormalizedTrustedDocuments {
  return {};
}
