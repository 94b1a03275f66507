import type { Plugin } from 'graphql-yoga';
import type { NormalizedRateLimits } from '../rate-limits/rate-limits-config.ts';
import type { NormalizedRedis } from '../redis/redis-config.ts';
import type { LoadedSource } from '../sources/loaded-source.ts';

/** STUB while written. */
export function useRateLimits(_limits: NormalizedRateLimits, _redis: NormalizedRedis | undefined, _sources: readonly LoadedSource[]): Plugin & { close(): Promise<void> } {
  return { close: async () => {} };
}
