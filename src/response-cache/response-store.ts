import type { CacheScope } from './cache-hints.ts';

/** A cached response: the serialized result and what its HTTP headers need. */
export interface CachedResponse {
  /** The result as JSON text, exactly as first sent. */
  body: string;
  /** Strong ETag of `body`, quotes included. */
  etag: string;
  scope: CacheScope;
  /** Seconds the entry was stored for. */
  maxAge: number;
  /** Epoch milliseconds when it was stored. */
  storedAt: number;
}

/** Whether `maxAge` has passed since the entry was stored, at `now` (epoch milliseconds). */
export function isExpired(entry: Pick<CachedResponse, 'maxAge' | 'storedAt'>, now: number): boolean {
  return now - entry.storedAt >= entry.maxAge * 1000;
}

/** An entry with what it holds, so that a change to one of them removes it. */
export interface StoredResponse extends CachedResponse {
  /** `Type:id` of every entity in the result. */
  entities: readonly string[];
  /** Every object type in the result. */
  types: readonly string[];
}

/**
 * Where cached responses live, with an index from entity (`Type:id`) and from type name to the
 * entries holding them. Methods never throw for an unreachable store: reads miss and writes are
 * dropped, so the gateway answers from the services; the purge methods reject so that an operator
 * learns the purge did not happen.
 */
export interface ResponseStore {
  get(key: string): Promise<CachedResponse | undefined>;
  /** Stores an entry for `ttlMs`, indexed by its entities and types. */
  set(key: string, entry: StoredResponse, ttlMs: number): Promise<void>;
  /** Removes every entry holding one of the entities; resolves to how many were removed. */
  invalidate(entities: readonly string[]): Promise<number>;
  /** Removes every entry holding an object of the type. */
  purgeType(type: string): Promise<number>;
  /** Removes every entry. */
  purgeAll(): Promise<number>;
  close(): Promise<void>;
}
