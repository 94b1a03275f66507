/**
 * A request the registry refuses before checking anything (an SDL that does not parse, an unknown
 * service or version, a bad URL or kind): nothing is stored. Its message lists every problem, one
 * per line; the CLI exits 2 on it.
 */
export class RegistryInputError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'RegistryInputError';
  }
}
