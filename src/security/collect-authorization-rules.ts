import type { LoadedSource } from '../sources/loaded-source.ts';

/** STUB while written. */
export interface AuthorizationRules {}

/** STUB while written. */
export function collectAuthorizationRules(_sources: readonly LoadedSource[]): AuthorizationRules {
  return {};
}
