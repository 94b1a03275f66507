import type { Plugin } from 'graphql-yoga';
import type { NormalizedIdentity } from '../security/identity-config.ts';

/** STUB while written. */
export async function useIdentityForwarding(_identity: NormalizedIdentity): Promise<Plugin> {
  return {};
}
