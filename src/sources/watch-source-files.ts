import type { NormalizedSource } from '../config/normalize-config.ts';
import type { GraphFeed } from '../registry/follow-registry.ts';
import { displayPath } from './schema-error.ts';
import { watchFiles, type WatchedFiles } from './watch-files.ts';

/** The config's sources at one moment: their SDL files are read again when the graph is built from it. */
export interface SourcesRevision {
  /** 1 for the sources served at start-up, one more for each change seen since. */
  version: number;
  sources: NormalizedSource[];
  /** What changed, for the log: the SDL files, or `'config sources'`. */
  cause: string;
}

/** The config's sources as a feed of graph versions, which `replace` can also move on. */
export interface SourceFilesFeed extends GraphFeed<SourcesRevision> {
  /** Serves other sources (the config file's `sources` changed) and watches their SDL files instead. */
  replace(sources: NormalizedSource[]): Promise<void>;
  /** Resolves once the files are watched (their first contents read): a change from then on is seen. */
  watching(): Promise<void>;
}

/** Options of {@link watchSourceFiles}. */
export interface WatchSourceFilesOptions {
  /** The sources served at start-up (revision 1). */
  sources: NormalizedSource[];
  /** Where a folder that cannot be watched is told. */
  log: (message: string) => void;
  /** @default 100 */
  debounceMs?: number;
}

/** The SDL files a source is built from: none for a federation subgraph or an introspected service. */
export function sdlFiles(sources: readonly NormalizedSource[]): string[] {
  return sources.filter((source) => source.kind !== 'federation' && source.schemaFrom === 'file' && !source.registered).map((source) => source.schemaPath);
}

/**
 * The registered SDL files of the config's sources as a feed for `followRegistry`, as
 * `watchSupergraphFile` is for a supergraph: a change of content (debounced, hashed; see
 * `watchFiles`) makes a new revision of the same sources, which the gateway builds (reading the
 * files again), composes and swaps in, or refuses and keeps the running graph.
 */
export function watchSourceFiles(options: WatchSourceFilesOptions): SourceFilesFeed {
  const { log, debounceMs } = options;
  let latest: SourcesRevision = { version: 1, sources: options.sources, cause: 'start-up' };
  const listeners = new Set<(version: number) => void>();
  let watching: Promise<WatchedFiles> | undefined;

  const announce = (sources: NormalizedSource[], cause: string) => {
    latest = { version: latest.version + 1, sources, cause };
    for (const listener of listeners) listener(latest.version);
  };
  const start = () => {
    const onChange = (changed: string[]) => announce(latest.sources, changed.map(displayPath).join(', '));
    watching = watchFiles({ files: sdlFiles(latest.sources), onChange, log, ...(debounceMs === undefined ? {} : { debounceMs }) });
  };
  const stop = async () => {
    const watched = watching;
    watching = undefined;
    await (await watched)?.close();
  };

  return {
    latestGraph: async () => latest,
    subscribe(onChange) {
      listeners.add(onChange);
      if (!watching) start();
      return {
        async close() {
          listeners.delete(onChange);
          if (listeners.size === 0) await stop();
        },
      };
    },
    async replace(sources) {
      const wasWatching = watching !== undefined;
      await stop();
      announce(sources, 'config sources');
      if (wasWatching) start();
    },
    async watching() {
      await watching;
    },
  };
}
