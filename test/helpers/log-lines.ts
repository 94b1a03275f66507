import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The complete lines of `file` once it holds at least `count`, read again each time its folder
 * reports a change (fs.watch), never on a timer. A line still being written is left out.
 */
export async function linesOf(file: string, count = 1): Promise<string[]> {
  let changed = false;
  let wake = () => {};
  const watcher = watch(path.dirname(file), () => {
    changed = true;
    wake();
  });
  try {
    for (;;) {
      changed = false;
      const lines = (await readFile(file, 'utf8').catch(() => ''))
        .split('\n')
        .slice(0, -1)
        .filter((line) => line !== '');
      if (lines.length >= count) return lines;
      // A change seen while reading means read again at once; otherwise wait for the next one.
      if (!changed) await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    watcher.close();
  }
}
