import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** Options of {@link watchFiles}. */
export interface WatchFilesOptions {
  /** Absolute paths of the files; their folders are watched. */
  files: readonly string[];
  /** Called once per burst of writes that changed the content of at least one file, with those files. */
  onChange: (changed: string[]) => void;
  /** Where a folder whose watch failed is told. */
  log: (message: string) => void;
  /**
   * Milliseconds without a new event before the files are read: an editor's burst of writes is
   * read once, complete.
   * @default 100
   */
  debounceMs?: number;
}

/** A set of watched files; `close` stops watching and waits for a read in progress. */
export interface WatchedFiles {
  close(): Promise<void>;
}

/** The SHA-256 of a file's content, or `'missing'` when it cannot be read. */
export async function contentHash(file: string): Promise<string> {
  try {
    return createHash('sha256')
      .update(await readFile(file))
      .digest('hex');
  } catch {
    return 'missing';
  }
}

/** Reads that a burst of events starts once it has been quiet for a while, one after the other. */
export interface DebouncedReads {
  /** An event: (re)starts the quiet period, after which `read` runs (after any read in progress). */
  poke(): void;
  /** Drops a pending read and waits for one in progress. */
  close(): Promise<void>;
}

/** {@link DebouncedReads} of `read`, `debounceMs` after the last event. */
export function debouncedReads(debounceMs: number, read: () => Promise<void>): DebouncedReads {
  let timer: NodeJS.Timeout | undefined;
  let reading = Promise.resolve();
  return {
    poke() {
      clearTimeout(timer);
      timer = setTimeout(() => void (reading = reading.then(read)), debounceMs);
    },
    async close() {
      clearTimeout(timer);
      await reading;
    },
  };
}

/**
 * Watches `folder` for events on `names` (every event when the platform gives no name) and pokes
 * `reads`. The folder rather than the files: an editor or a deploy that saves by renaming a
 * temporary file into place leaves a watch on the old inode deaf, while the folder hears the rename.
 * Throws when the folder cannot be watched; a watch that fails later is told to `failed`.
 */
export function watchFolder(folder: string, names: ReadonlySet<string>, reads: DebouncedReads, failed: (error: Error) => void): FSWatcher {
  const watcher = watch(folder, { persistent: false }, (_event, name) => {
    if (name !== null && !names.has(String(name))) return;
    reads.poke();
  });
  watcher.on('error', failed);
  return watcher;
}

/**
 * Watches files through their folders ({@link watchFolder}), each event on a watched name
 * (re)starting a short timer, and only a content hash that differs from the last one read
 * counting as a change, so a `touch` or an identical save does nothing.
 */
export async function watchFiles(options: WatchFilesOptions): Promise<WatchedFiles> {
  const { files, onChange, log, debounceMs = 100 } = options;
  const hashes = new Map<string, string>();
  for (const file of files) hashes.set(file, await contentHash(file));
  const reads = debouncedReads(debounceMs, async () => {
    const changed: string[] = [];
    for (const [file, hash] of hashes) {
      const now = await contentHash(file);
      if (now !== hash) changed.push(file);
      hashes.set(file, now);
    }
    if (changed.length > 0) onChange(changed);
  });
  const folders = new Map<string, Set<string>>();
  for (const file of files) folders.set(path.dirname(file), (folders.get(path.dirname(file)) ?? new Set()).add(path.basename(file)));
  const watchers: FSWatcher[] = [];
  for (const [folder, names] of folders) {
    try {
      watchers.push(watchFolder(folder, names, reads, (error) => log(`watching ${folder} failed, its changes are no longer seen: ${error.message}`)));
    } catch (error) {
      log(`cannot watch ${folder}, its changes are not seen: ${(error as Error).message}`);
    }
  }
  return {
    async close() {
      for (const watcher of watchers) watcher.close();
      await reads.close();
    },
  };
}
