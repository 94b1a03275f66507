import { createHash } from 'node:crypto';
import type { CachedResponse } from './response-store.ts';

/** What the response cache did for one request, for its HTTP headers. */
export type CacheOutcome =
  /** Not cacheable (a mutation, errors, no maxAge, a PRIVATE answer to an anonymous caller, a batch). */
  | { status: 'BYPASS' }
  /**
   * Served from the cache (`HIT`), or executed and stored (`MISS`). `shared`: any caller may be
   * served this answer, so HTTP caches may share it too; otherwise it is `private` to HTTP caches,
   * which key by URL only, even when the gateway shares it among callers with the same scopes.
   */
  | { status: 'HIT' | 'MISS'; entry: CachedResponse; etag: string; shared: boolean };

/** A strong ETag of a body: its SHA-256, base64url, quoted. */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url')}"`;
}

/**
 * The caching headers of a GraphQL response: `Cache-Control: public|private, max-age=N` with
 * `ETag` for a cacheable one, plus `Age` on a hit (HTTP caches count the age off max-age), else
 * `Cache-Control: no-store`; and `x-cache: HIT | MISS | BYPASS` for operators and tests.
 */
export function cachingHeaders(outcome: CacheOutcome, now = Date.now()): Record<string, string> {
  if (outcome.status === 'BYPASS') return { 'cache-control': 'no-store', 'x-cache': 'BYPASS' };
  const { entry, etag, status, shared } = outcome;
  return {
    'cache-control': `${shared ? 'public' : 'private'}, max-age=${entry.maxAge}`,
    etag,
    'x-cache': status,
    ...(status === 'HIT' ? { age: String(Math.max(0, Math.floor((now - entry.storedAt) / 1000))) } : {}),
  };
}

/** Whether `If-None-Match` names the ETag (weak comparison, as RFC 9110 prescribes for it), or is `*`. */
export function matchesIfNoneMatch(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((tag) => opaque(tag) === opaque(etag));
}
