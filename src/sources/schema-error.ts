/** A registered schema that cannot be composed. Its message lists every problem, one per line. */
export class SchemaError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid schema:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'SchemaError';
  }
}
