import type { ResponseHeaders } from './received-response.ts';

/**
 * Statuses kept, and only with an explicit `max-age` or `s-maxage`: the ones RFC 9111 calls
 * heuristically cacheable that a resolver reads as an answer (404 is a null field or NOT_FOUND,
 * which the service may declare as lasting). Redirects, 410 and every error status are not kept.
 */
const storableStatuses = new Set([200, 203, 204, 404]);

/**
 * The directives of a `Cache-Control` header: lower-case names to their value (`true` when bare).
 * A repeated directive keeps its first value, as RFC 9111 §4.2.1 allows.
 */
export function parseCacheControl(value: string | string[] | undefined): Map<string, string | true> {
  const directives = new Map<string, string | true>();
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  for (const match of text.matchAll(/([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*)))?/g)) {
    const name = match[1]!.toLowerCase();
    if (!directives.has(name)) directives.set(name, match[2] ?? match[3] ?? true);
  }
  return directives;
}

/**
 * How long, in milliseconds from when the call was sent, the gateway may reuse the answer to a GET
 * (0: not at all). The gateway is a shared cache (RFC 9111), so an answer is kept only when:
 *
 * - its status is 200, 203, 204 or 404;
 * - its `Cache-Control` has `s-maxage` or else `max-age` (no heuristic freshness, `Expires` is
 *   ignored), minus its `Age`, above 0 seconds;
 * - it has none of `no-store`, `no-cache` (we never revalidate) and `private`;
 * - it does not say `Vary: *`. Other `Vary` headers need no work: the key already holds every
 *   request header (see requestKey), which is stricter than any `Vary`;
 * - the call carried no `Authorization`, unless the answer says `public`, `s-maxage` or
 *   `must-revalidate` (RFC 9111 §3.5). Even then the key holds the credentials, so the answer is
 *   only reused for the same credentials.
 */
export function freshnessLifetime(status: number, responseHeaders: ResponseHeaders, requestHeaders: Record<string, string>): number {
  if (!storableStatuses.has(status)) return 0;
  const directives = parseCacheControl(responseHeaders['cache-control']);
  if (directives.has('no-store') || directives.has('no-cache') || directives.has('private')) return 0;
  if (headerList(responseHeaders['vary']).includes('*')) return 0;
  const sharedMaxAge = seconds(directives.get('s-maxage'));
  const lifetime = sharedMaxAge ?? seconds(directives.get('max-age'));
  if (lifetime === undefined) return 0;
  const sendsCredentials = Object.keys(requestHeaders).some((name) => name.toLowerCase() === 'authorization');
  if (sendsCredentials && sharedMaxAge === undefined && !directives.has('public') && !directives.has('must-revalidate')) return 0;
  const age = seconds(first(responseHeaders['age'])) ?? 0;
  return Math.max(0, lifetime - age) * 1000;
}

function seconds(value: string | true | undefined): number | undefined {
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function headerList(value: string | string[] | undefined): string[] {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return text.split(',').map((part) => part.trim());
}
