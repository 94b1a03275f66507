import type { NormalizedClientProfile } from './normalize-clients.ts';
import { ObjectSlot } from '../object-slot.ts';

/** The client profile a request was given, and how the metrics and the access log name it. */
export interface RequestClient {
  profile: NormalizedClientProfile;
  /** The version header's value as sent (at most 64 characters), for the access log. */
  version: string | undefined;
  /** The `client_version` label: a declared or early-seen version of the profile, else `other`. */
  versionLabel: string;
}

const clients = new ObjectSlot<Request, RequestClient>('client view');

/** The client profile of a request; `undefined` when the gateway declares no profiles (or before `useClientProfiles` ran). */
export function clientOf(request: Request): RequestClient | undefined {
  return clients.get(request);
}

/** Records the client profile of a request (the client-profiles plugin's job). */
export function setClient(request: Request, client: RequestClient): void {
  clients.set(request, client);
}

/** The `client` label of a request: its profile's name; `other` without profiles. */
export function clientLabel(request: Request): string {
  return clients.get(request)?.profile.name ?? 'other';
}
