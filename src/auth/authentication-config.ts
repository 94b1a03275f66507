import type { FeatureContext } from '../config/feature-options.ts';

/** How callers prove who they are. STUB: replaced by the authentication work. */
export interface AuthenticationConfig {}

/** A declared consumer (an API-key holder). STUB. */
export interface ConsumerConfig {}

/** Authentication with defaults filled in. STUB. */
export interface NormalizedAuthentication {}

/** Checks `authentication` and `consumers`. STUB. */
export function normalizeAuthenticationOptions(_authentication: unknown, _consumers: unknown, _context: FeatureContext): NormalizedAuthentication {
  return {};
}
