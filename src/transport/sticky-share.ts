import { callerIdentity } from '../rate-limits/caller-identity.ts';

/**
 * FNV-1a (32 bits) of a text's UTF-16 code units: a fast, well-spread hash with no state and no
 * dependency, the same in every gateway replica and every release, so a decision made from it
 * (a version, a mirrored request, an `@override` label) is the same wherever a caller lands.
 */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Where `key` falls among 10,000 equal slices of [0, 100): a percentile with two decimals, from `0` to `99.99`. */
export function stickyPercentile(key: string): number {
  return (fnv1a(key) % 10_000) / 100;
}

/**
 * Who a request comes from, for sticky decisions: the consumer (an API key's consumer name, else
 * the JWT's subject), else the client address, as the rate limits count callers
 * (see `callerIdentity`): `consumer:shop`, `subject:42`, `ip:203.0.113.9`.
 */
export function stickyCallerOf(request: Request): string {
  return callerIdentity(request).key;
}
