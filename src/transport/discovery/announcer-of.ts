import { matchesKeyHash } from '../../auth/api-keys.ts';
import type { NormalizedAdmin } from '../../observability/metrics-config.ts';
import type { NormalizedRegistry } from '../../registry/registry-config.ts';
import { tokenHolder } from '../../registry/registry-tokens.ts';

/** Who may announce instances: the admin (every source), or one source's own token. */
export type Announcer = { name: string; service?: undefined } | { name: string; service: string };

/** The credentials that may announce, from the config. */
export interface AnnounceCredentials {
  /** The admin key (`admin.keyHash`, sent in its header). */
  admin: NormalizedAdmin;
  /** The registry API's tokens: `adminTokenHash` (every source) and `publishTokens` (their own source). */
  registry: Pick<NormalizedRegistry, 'adminTokenHash' | 'publishTokens'>;
  /** `discovery.tokenHash` of each announcing source that has one. */
  sourceTokens: Record<string, string>;
}

/**
 * Finds who a request announces as: the admin key in its header (`x-admin-key`), or a bearer token
 * (the registry's admin token, a service's publish token, or a source's `discovery.tokenHash`).
 * `undefined` without any credential, `null` for one nobody holds. Digests compared in constant time.
 */
export function announcerOf(request: Request, credentials: AnnounceCredentials): Announcer | null | undefined {
  const { admin, registry, sourceTokens } = credentials;
  const adminKey = admin.key && request.headers.get(admin.key.header);
  if (admin.key && adminKey !== null && adminKey !== undefined) return matchesKeyHash(adminKey, admin.key.keyHash) ? { name: 'admin' } : null;
  const holder = tokenHolder(request, registry);
  // A bearer token the registry does not know may still be a source's own `discovery.tokenHash`.
  return holder === null ? (tokenHolder(request, { publishTokens: sourceTokens }) ?? null) : holder;
}

/** Whether any credential could announce instances of `service`. */
export function canBeAnnounced(service: string, credentials: AnnounceCredentials): boolean {
  const { admin, registry, sourceTokens } = credentials;
  return (
    admin.key !== undefined || registry.adminTokenHash !== undefined || registry.publishTokens[service] !== undefined || sourceTokens[service] !== undefined
  );
}
