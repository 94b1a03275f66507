import { matchesKeyHash } from '../auth/api-keys.ts';
import { inRanges } from '../security/address-ranges.ts';
import { clientAddressOf } from '../security/client-address.ts';
import { errorResponse } from '../server/error-response.ts';
import type { NormalizedAdmin } from './metrics-config.ts';

/** Answers a request for an admin resource that lacks the admin key; `undefined` lets it through. */
export type AdminGuard = (request: Request) => Response | undefined;

const challenge = { 'www-authenticate': 'Basic realm="Concierge admin", charset="UTF-8"', 'cache-control': 'no-store' };

/**
 * The guard of `/metrics` and the status page: first the client address (as the network rules
 * established it) against `admin.ipAllow`, loopback only while no key is set, else 403
 * `FORBIDDEN`; then the admin key, when one is set. The key comes in the configured header
 * (scrapers, curl), or as the password of HTTP Basic credentials (browsers ask for it, and send it
 * again with the page's own requests). Without a key: 401 `UNAUTHENTICATED`; with a wrong one in
 * the header: 403 `FORBIDDEN`; wrong Basic credentials get 401 again, so that browsers ask again.
 * Keys are compared by their SHA-256 in constant time.
 */
export function createAdminGuard({ key, ipAllow, loopbackOnly }: NormalizedAdmin): AdminGuard {
  const addressGuard: AdminGuard = (request) => {
    if (!ipAllow || inRanges(ipAllow, clientAddressOf(request))) return undefined;
    const message = loopbackOnly
      ? 'This admin resource answers loopback callers only while no admin key is set: set admin.keyHash (or admin.ipAllow).'
      : 'This admin resource does not answer this address (admin.ipAllow).';
    return errorResponse(request, 'FORBIDDEN', message, { 'cache-control': 'no-store' });
  };
  if (!key) return addressGuard;
  const keyGuard = createKeyGuard(key);
  return (request) => addressGuard(request) ?? keyGuard(request);
}

function createKeyGuard(admin: NonNullable<NormalizedAdmin['key']>): AdminGuard {
  const matches = (key: string) => matchesKeyHash(key, admin.keyHash);
  return (request) => {
    const key = request.headers.get(admin.header);
    if (key !== null)
      return matches(key) ? undefined : errorResponse(request, 'FORBIDDEN', `The admin key in ${admin.header} is not valid.`, { 'cache-control': 'no-store' });
    const password = basicPassword(request.headers.get('authorization'));
    if (password !== undefined && matches(password)) return undefined;
    const message =
      password === undefined
        ? `The admin key is required: send it in ${admin.header}, or as the password of Basic credentials.`
        : 'The admin key in the Basic credentials is not valid.';
    return errorResponse(request, 'UNAUTHENTICATED', message, challenge);
  };
}

function basicPassword(authorization: string | null): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}
