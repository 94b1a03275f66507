import path from 'node:path';

/** A registered schema that cannot be composed. Its message lists every problem, one per line. */
export class SchemaError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid schema:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'SchemaError';
  }
}

/** A file's path as problems show it: relative to the current folder when inside it. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') ? relative : file;
}
