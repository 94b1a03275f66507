import type { NormalizedConfig } from '../config/normalize-config.ts';
import type { OnFetch } from '../transport/fetch-hooks.ts';
import type { InstancePools } from '../transport/instance-pools.ts';
import { loadFederationSources } from './federation/load-federation-sources.ts';
import { loadGraphQLSource } from './graphql/load-graphql-source.ts';
import type { LoadedSource } from './loaded-source.ts';
import { loadRestSource } from './rest/load-rest-source.ts';
import { SchemaError } from './schema-error.ts';

/**
 * Loads every configured source; all problems of all sources are reported together. The federation
 * subgraphs load together, as one supergraph. `onFetch` observes every upstream call; `pools`, the
 * gateway's instance pools, let the sources' instance state outlive this graph.
 */
export async function loadSources(config: Pick<NormalizedConfig, 'sources'>, onFetch?: OnFetch, pools?: InstancePools): Promise<LoadedSource[]> {
  const subgraphs = config.sources.filter((source) => source.kind === 'federation');
  const settled = await Promise.allSettled([
    ...config.sources.flatMap((source) =>
      source.kind === 'rest' ? [loadRestSource(source, onFetch, pools)] : source.kind === 'graphql' ? [loadGraphQLSource(source, onFetch, pools)] : [],
    ),
    ...(subgraphs.length > 0 ? [loadFederationSources(subgraphs, onFetch, pools)] : []),
  ]);
  const loaded = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value].flat() : []));
  const problems = settled.flatMap((result) =>
    result.status === 'rejected' ? (result.reason instanceof SchemaError ? result.reason.problems : [String((result.reason as Error).message)]) : [],
  );
  if (problems.length > 0) {
    await Promise.all(loaded.map((source) => source.close()));
    throw new SchemaError(problems);
  }
  return loaded;
}
