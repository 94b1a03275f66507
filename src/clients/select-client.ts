import type { Consumer } from '../auth/consumer.ts';
import type { NormalizedClientProfile, NormalizedClients } from './normalize-clients.ts';

/** The request headers that name the client, the conventional one first, then Apollo's. */
export const clientNameHeaders = ['graphql-client-name', 'apollographql-client-name'] as const;
/** The request headers that give the client's version. */
export const clientVersionHeaders = ['graphql-client-version', 'apollographql-client-version'] as const;

/**
 * The profile of a caller. Identity first: the profiles its consumer or a claim of its verified
 * JWT selects, among which the client-name header may choose; without one, the header chooses
 * among the public profiles (no `consumers`, no `claim`); else the default. A header anyone can
 * send thus never reaches a profile the caller's identity does not allow.
 */
export function selectClient(clients: NormalizedClients, consumer: Consumer | undefined, headerName: string | undefined): NormalizedClientProfile | undefined {
  const named = (profile: NormalizedClientProfile) => headerName !== undefined && profile.names.includes(headerName);
  const allowed = clients.profiles.filter((profile) => identityMatches(profile, consumer));
  if (allowed.length > 0) return allowed.find(named) ?? allowed[0];
  return clients.profiles.find((profile) => isPublic(profile) && named(profile)) ?? clients.defaultProfile;
}

/** Whether a profile is restricted to consumers or claims. */
export function isPublic(profile: NormalizedClientProfile): boolean {
  return profile.consumers.length === 0 && profile.claim === undefined;
}

function identityMatches(profile: NormalizedClientProfile, consumer: Consumer | undefined): boolean {
  if (!consumer) return false;
  if (consumer.name !== undefined && profile.consumers.includes(consumer.name)) return true;
  if (!profile.claim) return false;
  const value = consumer.claims?.[profile.claim.name];
  return value === profile.claim.value || (Array.isArray(value) && value.includes(profile.claim.value));
}

/** The first of `names` the request carries, trimmed; `undefined` when none has a value. */
export function firstHeader(request: Request, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = request.headers.get(name)?.trim();
    if (value) return value;
  }
  return undefined;
}
