import { createHash, timingSafeEqual } from 'node:crypto';
import { errorResponse } from '../server/error-response.ts';
import type { NormalizedMetrics } from './metrics-config.ts';

/** Answers a request for an admin resource that lacks the admin key; `undefined` lets it through. */
export type AdminGuard = (request: Request) => Response | undefined;

const challenge = { 'www-authenticate': 'Basic realm="Concierge admin", charset="UTF-8"', 'cache-control': 'no-store' };

/**
 * The admin-key check of `/metrics` and the status page. The key comes in the configured header
 * (scrapers, curl), or as the password of HTTP Basic credentials (browsers ask for it, and send it
 * again with the page's own requests). Without a key: 401 `UNAUTHENTICATED`; with a wrong one in
 * the header: 403 `FORBIDDEN`; wrong Basic credentials get 401 again, so that browsers ask again.
 * Keys are compared by their SHA-256 in constant time. No admin key configured: all pass.
 */
export function createAdminGuard(admin: NormalizedMetrics['admin']): AdminGuard {
  if (!admin) return () => undefined;
  const expected = Buffer.from(admin.keyHash, 'hex');
  const matches = (key: string) => timingSafeEqual(createHash('sha256').update(key).digest(), expected);
  return (request) => {
    const key = request.headers.get(admin.header);
    if (key !== null) return matches(key) ? undefined : errorResponse(request, 'FORBIDDEN', `The admin key in ${admin.header} is not valid.`, { 'cache-control': 'no-store' });
    const password = basicPassword(request.headers.get('authorization'));
    if (password !== undefined && matches(password)) return undefined;
    const message = password === undefined ? `The admin key is required: send it in ${admin.header}, or as the password of Basic credentials.` : 'The admin key in the Basic credentials is not valid.';
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
