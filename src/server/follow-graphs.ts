import type { NormalizedConfig, NormalizedSource } from '../config/normalize-config.ts';
import type { GatewayLogger } from '../observability/gateway-logger.ts';
import type { MetricsPlugin } from '../plugins/use-metrics.ts';
import type { Registry } from '../registry/create-registry.ts';
import { followRegistry, type FollowOptions, type GraphFeed, type GraphFollower } from '../registry/follow-registry.ts';
import { gatewaySources } from '../registry/gateway-sources.ts';
import type { GraphVersion } from '../registry/registry-store.ts';
import { createSchemaStatus, supergraphFileStatus } from '../registry/schema-status.ts';
import { supergraphLabel, watchSupergraphFile, type SupergraphRevision } from '../sources/federation/watch-supergraph-file.ts';
import type { SourcesRevision } from '../sources/watch-source-files.ts';
import type { ServedGraph } from './create-gateway.ts';
import type { GraphSlot } from './graph-slot.ts';

/** Builds one graph off the request path (create-gateway.ts's `buildGraph`). */
export type BuildGraph = (input: GraphInput) => Promise<ServedGraph>;

/** What one graph is built from: its sources, and how its answers name it. */
export interface GraphInput {
  sources: NormalizedSource[];
  version: number | undefined;
  label: string | undefined;
}

/** The sources of a registry graph version, else the config's (named by the supergraph file's hash when there is one). */
export function servedOf(config: NormalizedConfig, graph: GraphVersion | undefined): GraphInput {
  if (graph) return { sources: gatewaySources(config, graph), version: graph.version, label: String(graph.version) };
  return { sources: config.sources, version: config.supergraph?.hotReload ? 1 : undefined, label: config.supergraph && supergraphLabel(config.supergraph.sdl) };
}

/**
 * Follows a feed of graph versions (the registry, a supergraph file): each new one built off the
 * request path and swapped in, or refused with its reason, logged once and counted
 * (`concierge_schema_swaps_total`). One code path for both, so a file swaps exactly as a publish.
 */
function followGraphs<V extends { version: number; label?: string }>(
  graphs: GraphSlot<ServedGraph>,
  metrics: MetricsPlugin,
  options: Pick<FollowOptions<ServedGraph, V>, 'feed' | 'build'> & {
    refused: (attempt: { version: number; label?: string; reason?: string }) => void;
    applied?: (version: number) => void;
  },
): GraphFollower {
  return followRegistry({
    feed: options.feed,
    build: options.build,
    served: () => graphs.current.version,
    swap: (built) => graphs.swap(built),
    onAttempt(attempt) {
      metrics.schemaSwapped(attempt.result);
      if (attempt.result === 'failed') options.refused(attempt);
      else options.applied?.(attempt.version);
    },
  });
}

/** Follows the registry's graph versions (`registry.follow`), with the status page's schema panel. */
export function followRegistryGraphs(
  config: NormalizedConfig,
  build: BuildGraph,
  registry: Registry,
  graphs: GraphSlot<ServedGraph>,
  log: (message: string) => void,
  metrics: MetricsPlugin,
): GraphFollower {
  const follower = followGraphs(graphs, metrics, {
    feed: registry,
    build: (graph) => build(servedOf(config, graph)),
    refused: (attempt) =>
      log(`schema registry: graph v${attempt.version} is not served here, v${graphs.current.version ?? '(config)'} stays: ${attempt.reason}`),
  });
  const schemaStatus = createSchemaStatus(registry);
  metrics.showSchema((selected) => schemaStatus(graphs.current, follower.attempts, selected));
  return follower;
}

/** Follows the supergraph file's content (`supergraph.hotReload`), with the status page's schema panel. */
export function followSupergraphFile(
  config: NormalizedConfig,
  build: BuildGraph,
  supergraph: NonNullable<NormalizedConfig['supergraph']>,
  graphs: GraphSlot<ServedGraph>,
  log: (message: string) => void,
  metrics: MetricsPlugin,
): GraphFollower {
  const others = config.sources.filter((source) => !source.supergraph);
  const follower = followGraphs(graphs, metrics, {
    feed: watchSupergraphFile({ file: supergraph.file, sdl: supergraph.sdl, log }),
    build: (revision: SupergraphRevision) =>
      build({ sources: [...others, ...supergraph.subgraphSources(revision.sdl)], version: revision.version, label: revision.label }),
    refused: (attempt) =>
      log(`supergraph file ${supergraph.file}: its content ${attempt.label} is not served, ${graphs.current.label} stays: ${attempt.reason}`),
  });
  metrics.showSchema(async () => supergraphFileStatus(supergraph.file, graphs.current, follower.attempts));
  return follower;
}

/**
 * Follows the config's sources as their SDL files change: a change that does not compose leaves
 * the running graph and is told once, with the lines start-up prints for it (again only once it
 * differs or after a change was served).
 */
export function followSourceFiles(
  buildGraph: BuildGraph,
  feed: GraphFeed<SourcesRevision>,
  graphs: GraphSlot<ServedGraph>,
  logger: GatewayLogger,
  metrics: MetricsPlugin,
): GraphFollower {
  let told: string | undefined;
  let cause = '';
  const build = async (revision: SourcesRevision) => {
    cause = revision.cause;
    try {
      return await buildGraph({ sources: revision.sources, version: revision.version, label: undefined });
    } catch (error) {
      const lines = (error as Error).message;
      if (lines !== told) logger.error(`${cause} changed; not served, the running graph stays:\n${lines}`);
      told = lines;
      throw error;
    }
  };
  const applied = (version: number) => {
    told = undefined;
    logger.info(`${cause} changed; serving the new graph (revision ${version})`);
  };
  return followGraphs(graphs, metrics, { feed, build, refused: () => {}, applied });
}
