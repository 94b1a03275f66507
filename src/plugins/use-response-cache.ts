import type { Plugin } from 'graphql-yoga';
import type { NormalizedRedis } from '../redis/redis-config.ts';
import type { NormalizedResponseCache } from '../response-cache/response-cache-config.ts';
import type { LoadedSource } from '../sources/loaded-source.ts';

/** Response cache: lookup before execution, store after, invalidation, purge endpoint. STUB. */
export function useResponseCache(_options: NormalizedResponseCache, _redis: NormalizedRedis | undefined, _sources: readonly LoadedSource[]): Plugin & { close(): Promise<void> } {
  return { close: async () => {} };
}
