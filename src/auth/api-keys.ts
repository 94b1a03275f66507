import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new API key and the hash to declare in `consumers`. The key itself is never stored. */
export interface CreatedApiKey {
  /** `ck_` and 32 random bytes, base64url. */
  key: string;
  /** Hex SHA-256 of `key`: a consumer's `keyHash`. */
  keyHash: string;
}

/** Hex SHA-256 of an API key, as `consumers.<name>.keyHash` holds it. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Whether `secret` hashes to `keyHash` (hex SHA-256), compared in constant time. */
export function matchesKeyHash(secret: string, keyHash: string): boolean {
  const expected = Buffer.from(keyHash, 'hex');
  const actual = createHash('sha256').update(secret, 'utf8').digest();
  return expected.length === actual.length && timingSafeEqual(actual, expected);
}

/** A new random API key and its hash. */
export function createApiKey(): CreatedApiKey {
  const key = `ck_${randomBytes(32).toString('base64url')}`;
  return { key, keyHash: hashApiKey(key) };
}

/**
 * A function finding the consumer whose `keyHash` is the hash of a presented key, disabled ones
 * included (the caller refuses those with its own message). The presented key's hash is compared
 * with every consumer's in constant time, without stopping at a match, so the time taken says
 * nothing about which consumer, if any, matched.
 */
export function createApiKeyLookup<T extends { keyHash: string }>(consumers: readonly T[]): (key: string) => T | undefined {
  const hashes = consumers.map((consumer) => ({ consumer, hash: Buffer.from(consumer.keyHash, 'hex') }));
  return (key) => {
    const presented = createHash('sha256').update(key, 'utf8').digest();
    let found: T | undefined;
    for (const { consumer, hash } of hashes) {
      const equal = hash.length === presented.length && timingSafeEqual(hash, presented);
      found = equal ? consumer : found;
    }
    return found;
  };
}
