import type { Plugin } from 'graphql-yoga';
import type { AuthorizationRules } from '../security/collect-authorization-rules.ts';
import type { NormalizedAuthorization } from '../security/authorization-config.ts';

/** STUB while written. */
export function useAuthorization(_rules: AuthorizationRules, _authorization: NormalizedAuthorization): Plugin {
  return {};
}
