import { createHash, timingSafeEqual } from 'node:crypto';
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
  if (admin.key && adminKey !== null && adminKey !== undefined) return same(digest(adminKey), admin.key.keyHash) ? { name: 'admin' } : null;
  const holder = tokenHolder(request, registry);
  if (holder !== null) return holder;
  const token = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '')?.[1] ?? '';
  const service = Object.keys(sourceTokens).find((name) => same(digest(token), sourceTokens[name] as string));
  return service === undefined ? null : { name: `token:${service}`, service };
}

/** Whether any credential could announce instances of `service`. */
export function canBeAnnounced(service: string, credentials: AnnounceCredentials): boolean {
  const { admin, registry, sourceTokens } = credentials;
  return (
    admin.key !== undefined || registry.adminTokenHash !== undefined || registry.publishTokens[service] !== undefined || sourceTokens[service] !== undefined
  );
}

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

function same(actual: Buffer, expectedHex: string): boolean {
  const expected = Buffer.from(expectedHex, 'hex');
  return expected.length === actual.length && timingSafeEqual(actual, expected);
}
