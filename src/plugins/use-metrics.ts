import type { Plugin } from 'graphql-yoga';
import type { NormalizedConfig } from '../config/normalize-config.ts';
import type { LoadedSource } from '../sources/loaded-source.ts';
import type { FetchHooks } from '../transport/fetch-hooks.ts';

/** Prometheus metrics and the status page. STUB: replaced by the observability work. */
export async function useMetrics(_config: NormalizedConfig, _fetchHooks: FetchHooks, _sources: readonly LoadedSource[]): Promise<Plugin & { close(): Promise<void> }> {
  return { close: async () => {} };
}
