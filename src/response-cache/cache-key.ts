import { createHash } from 'node:crypto';
import type { Consumer } from '../auth/consumer.ts';
import type { CachePolicy } from './cache-policy.ts';

/** What a cache key is made of. */
export interface CacheKeyParts {
  /** The executed document, printed (so spacing and comments do not matter). */
  document: string;
  operationName: string | null | undefined;
  variables: unknown;
  /** Who may share the entry, from {@link audienceOf}. */
  audience: string;
  /** Values of request headers that reach services (`forwardHeaders`): their answers may depend on them. */
  headers: readonly string[];
}

/** The SHA-256 (hex) of the parts, variables as canonical JSON. */
export function cacheKey({ document, operationName, variables, audience, headers }: CacheKeyParts): string {
  return createHash('sha256')
    .update(JSON.stringify([document, operationName ?? '', canonicalJson(variables ?? {}), audience, headers]))
    .digest('hex');
}

/**
 * Who may be served an entry. PRIVATE: only the caller (how it authenticated, its id, and its
 * token's subject, since one API key may carry many users' tokens). PUBLIC: everyone, unless the
 * document reads fields authorization grants by caller, in which case callers with the same
 * standing (authenticated or not, and the same scopes) share it, as they are allowed the same
 * fields. `undefined` when the entry must not be cached: a PRIVATE answer to an anonymous caller,
 * who has no identity to key it by (a client address can be shared by a whole office).
 */
export function audienceOf(policy: CachePolicy, consumer: Consumer | undefined): string | undefined {
  if (policy.scope === 'PRIVATE') return consumer && JSON.stringify(['private', consumer.via, consumer.id, consumer.claims?.['sub'] ?? null]);
  if (!policy.callerDependent) return 'public';
  return JSON.stringify(['public', consumer ? [...consumer.scopes].sort() : null]);
}

/** JSON with object keys sorted at every depth, so that equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
