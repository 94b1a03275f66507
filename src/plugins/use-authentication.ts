import type { Plugin } from 'graphql-yoga';
import type { NormalizedAuthentication } from '../auth/authentication-config.ts';

/** Verifies JWTs and API keys and records the request's consumer. STUB: replaced by the authentication work. */
export function useAuthentication(_options: NormalizedAuthentication): Plugin {
  return {};
}
