import { createHash } from 'node:crypto';
import type { FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { GraphFeed } from '../../registry/follow-registry.ts';
import { debouncedReads, watchFolder } from '../watch-files.ts';

/** One content of the supergraph file. */
export interface SupergraphRevision {
  /** 1 for the content read at start-up, one more for each different content seen since. */
  version: number;
  /** The first 12 hex digits of the content's SHA-256: what `x-concierge-schema-version` says. */
  label: string;
  sdl: string;
}

/** Options of {@link watchSupergraphFile}. */
export interface WatchSupergraphOptions {
  /** Absolute path of the file. */
  file: string;
  /** The content start-up served (revision 1). */
  sdl: string;
  /**
   * Milliseconds without a new event before the file is read: an editor's or a deploy's burst of
   * writes is read once, complete.
   * @default 100
   */
  debounceMs?: number;
  /** Where a file that cannot be read (other than missing) is told, once per error message. */
  log: (message: string) => void;
}

/** The label of a supergraph content: the first 12 hex digits of its SHA-256 (`sha256sum file | cut -c1-12`). */
export function supergraphLabel(sdl: string): string {
  return createHash('sha256').update(sdl).digest('hex').slice(0, 12);
}

/**
 * The supergraph file as a feed of graph versions, for `followRegistry`, watched through its folder
 * ({@link watchFolder}: a rename into place is heard). Every event of its name (re)starts a short timer; when
 * it fires, the file is read and hashed, and only a content never seen last makes a new revision,
 * so a `touch` or a rewrite with the same text does nothing. A missing file (between unlink and
 * rename, or deleted) is not a revision: the running graph stays until a content arrives.
 */
export function watchSupergraphFile(options: WatchSupergraphOptions): GraphFeed<SupergraphRevision> {
  const { file, debounceMs = 100, log } = options;
  let latest: SupergraphRevision = { version: 1, label: supergraphLabel(options.sdl), sdl: options.sdl };
  const listeners = new Set<(version: number) => void>();
  let watcher: FSWatcher | undefined;
  let lastError: string | undefined;

  const reads = debouncedReads(debounceMs, async () => {
    let sdl: string;
    try {
      sdl = await readFile(file, 'utf8');
    } catch (error) {
      const message = (error as Error).message;
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && message !== lastError)
        log(`supergraph file ${file} cannot be read, the served graph stays: ${message}`);
      lastError = message;
      return;
    }
    lastError = undefined;
    const label = supergraphLabel(sdl);
    if (label === latest.label && sdl === latest.sdl) return;
    latest = { version: latest.version + 1, label, sdl };
    for (const listener of listeners) listener(latest.version);
  });
  const start = () => {
    watcher = watchFolder(path.dirname(file), new Set([path.basename(file)]), reads, (error) =>
      log(`supergraph file ${file}: watching its folder failed, changes are no longer served: ${error.message}`),
    );
  };

  return {
    latestGraph: async () => latest,
    subscribe(onChange) {
      listeners.add(onChange);
      if (!watcher) start();
      return {
        async close() {
          listeners.delete(onChange);
          if (listeners.size > 0) return;
          watcher?.close();
          watcher = undefined;
          await reads.close();
        },
      };
    },
  };
}
