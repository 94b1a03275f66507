import { LRUCache } from 'lru-cache';
import { systemClock, type Clock } from '../clock.ts';
import { isExpired, type CachedResponse, type ResponseStore, type StoredResponse } from './response-store.ts';

/**
 * The store of one process: an LRU bounded by bytes (the bodies, plus a little per entry), each
 * entry with its own TTL, and maps from entity and type to the keys of the entries holding them.
 * The maps lose a key whenever the LRU drops its entry (evicted, expired when read, replaced,
 * deleted), so they never hold more than the LRU does. TTLs run on `clock`; an entry is expired
 * from the moment `maxAge` has passed (the LRU itself drops it a millisecond later).
 */
export function createMemoryStore(maxBytes: number, clock: Clock = systemClock): ResponseStore {
  const byEntity = new Map<string, Set<string>>();
  const byType = new Map<string, Set<string>>();
  const index = (map: Map<string, Set<string>>, names: readonly string[], key: string) => {
    for (const name of names) {
      let keys = map.get(name);
      if (!keys) map.set(name, (keys = new Set()));
      keys.add(key);
    }
  };
  const unindex = (map: Map<string, Set<string>>, names: readonly string[], key: string) => {
    for (const name of names) {
      const keys = map.get(name);
      keys?.delete(key);
      if (keys?.size === 0) map.delete(name);
    }
  };
  const entries = new LRUCache<string, StoredResponse>({
    maxSize: maxBytes,
    // The LRU reads the time from `clock` on every check (no cached reading between two).
    perf: clock,
    ttlResolution: 0,
    sizeCalculation: (entry) => entry.body.length + entry.entities.reduce((total, entity) => total + entity.length, 0) + 256,
    dispose: (entry, key) => {
      unindex(byEntity, entry.entities, key);
      unindex(byType, entry.types, key);
    },
  });
  const remove = (keys: Iterable<string> | undefined) => {
    let removed = 0;
    for (const key of [...(keys ?? [])]) if (entries.delete(key)) removed += 1;
    return removed;
  };

  return {
    async get(key): Promise<CachedResponse | undefined> {
      const entry = entries.get(key);
      return entry && !isExpired(entry, clock.now()) ? entry : undefined;
    },
    async set(key, entry, ttlMs) {
      entries.set(key, entry, { ttl: ttlMs });
      if (entries.peek(key) !== entry) return;
      index(byEntity, entry.entities, key);
      index(byType, entry.types, key);
    },
    async invalidate(entities) {
      return entities.reduce((total, entity) => total + remove(byEntity.get(entity)), 0);
    },
    async purgeType(type) {
      return remove(byType.get(type));
    },
    async purgeAll() {
      const count = entries.size;
      entries.clear();
      return count;
    },
    async close() {
      entries.clear();
    },
  };
}
