import { createHash, timingSafeEqual } from 'node:crypto';
import type { NormalizedRegistry } from './registry-config.ts';

/** Who a registry API token is: the admin (every service), or one team (its service). */
export type TokenHolder = { name: 'admin'; service?: undefined } | { name: string; service: string };

/**
 * Finds whose token a request's `Authorization: Bearer <token>` carries, comparing SHA-256 digests
 * in constant time: `undefined` without a bearer token, `null` for a token nobody holds.
 */
export function tokenHolder(
  request: Request,
  { adminTokenHash, publishTokens }: Pick<NormalizedRegistry, 'adminTokenHash' | 'publishTokens'>,
): TokenHolder | null | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '');
  if (!match?.[1]) return undefined;
  const digest = createHash('sha256').update(match[1]).digest();
  const same = (hex: string) => timingSafeEqual(digest, Buffer.from(hex, 'hex'));
  if (adminTokenHash && same(adminTokenHash)) return { name: 'admin' };
  const service = Object.keys(publishTokens).find((name) => same(publishTokens[name] as string));
  return service === undefined ? null : { name: `token:${service}`, service };
}
