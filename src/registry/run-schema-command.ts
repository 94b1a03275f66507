import { parseArgs } from 'node:util';
import { schemaCommandUsage, schemaCommands, schemaUsage } from './schema-command-help.ts';

const options = {
  schema: { type: 'string' },
  url: { type: 'string', multiple: true },
  kind: { type: 'string' },
  options: { type: 'string' },
  author: { type: 'string' },
  force: { type: 'boolean' },
  manifest: { type: 'string', multiple: true },
  to: { type: 'string' },
  store: { type: 'string' },
  registry: { type: 'string' },
  token: { type: 'string' },
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];

/** Where the command writes, and the environment it reads. */
export interface SchemaCommandContext {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

const processContext: SchemaCommandContext = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
};

/** Runs `concierge schema <command> ...`; resolves to the exit code (0 done, 1 refused, 2 usage or input error). */
export async function runSchemaCommand(argv: readonly string[], context: SchemaCommandContext = processContext): Promise<number> {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true });
  } catch (error) {
    context.stderr(`schema: ${(error as Error).message}\n\n${schemaUsage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [name, ...rest] = positionals;
  const command = name === undefined ? undefined : schemaCommands[name];
  if (!name || !command) {
    if (values.help && !name) {
      context.stdout(schemaUsage);
      return 0;
    }
    context.stderr(`${name ? `schema: unknown command "${name}"` : 'schema: expected a command'}\n\n${schemaUsage}`);
    return 2;
  }
  if (values.help) {
    context.stdout(schemaCommandUsage(command));
    return 0;
  }
  // The store, the config and the schemas load only for a command that runs: help and usage errors answer at once.
  return (await import('./schema-command-actions.ts')).runSchemaAction(name, rest, values, context);
}
