import cluster from 'node:cluster';
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createApiKey } from './auth/api-keys.ts';
import { commandHelp, overview } from './cli-help.ts';
import { ConfigError } from './config/config-error.ts';
import type { DocumentNode } from 'graphql';
import type { NormalizedConfig } from './config/normalize-config.ts';
import { SchemaError } from './sources/schema-error.ts';
import { usableCores } from './server/usable-cores.ts';

// Only what every command needs is imported here; each command imports its own modules when it
// runs, so that `--help`, usage errors and `keys create` answer without loading the gateway.

const cliOptions = {
  config: { type: 'string' },
  supergraph: { type: 'string' },
  port: { type: 'string' },
  workers: { type: 'string' },
  'hot-reload': { type: 'boolean' },
  out: { type: 'string' },
  variables: { type: 'string' },
  operation: { type: 'string' },
  force: { type: 'boolean' },
  client: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({ args: withWorkersValue(argv), allowPositionals: true, options: cliOptions });
  } catch (error) {
    return error as Error;
  }
}

/** Exit code 2 with what was wrong and where to read more. */
function usageError(message: string, command?: string): number {
  const more = command && commandHelp[command] ? `concierge ${command} --help` : 'concierge --help';
  process.stderr.write(`${message}\n(${more} lists the options)\n`);
  return 2;
}

async function main(argv: string[]): Promise<number> {
  // Its own options and exit codes (2 for usage errors); loaded only here, with its database clients.
  if (argv[0] === 'schema') return (await import('./registry/run-schema-command.ts')).runSchemaCommand(argv.slice(1));
  const parsed = parseCommandLine(argv);
  // Unknown options, a missing value: a usage error, told with what was wrong.
  if (parsed instanceof Error)
    return usageError(
      parsed.message,
      argv.find((argument) => !argument.startsWith('-')),
    );
  const { positionals, values } = parsed;
  const [command] = positionals;
  if (!command) {
    process.stdout.write(overview);
    return values.help ? 0 : 2;
  }
  if (values.help) {
    const help = commandHelp[command];
    if (!help) return usageError(`Unknown command "${command}".`);
    process.stdout.write(help);
    return 0;
  }
  if (command === 'keys') return createKeyCommand(positionals.slice(1));
  if (command === 'init') return initCommand(values.force === true);
  // Before the gateway's modules load: see disable-pretenuring.ts.
  if (command === 'start' || command === 'dev') (await import('./server/disable-pretenuring.ts')).disablePretenuring();
  if (values.port !== undefined) process.env['PORT'] = values.port;
  if (values['hot-reload']) process.env[(await import('./sources/federation/supergraph-config.ts')).hotReloadVariable] = 'true';
  if (command === 'dev') {
    if (values.supergraph !== undefined) return usageError('dev: --supergraph is for start, compose, check and plan; dev follows a config file.', command);
    // Loads (and reloads) the config itself, and serves until a signal.
    await (await import('./server/run-dev.ts')).runDev(values.config);
    return -1;
  }
  if (!(command in commandHelp)) return usageError(`Unknown command "${command}".`);
  const { loadConfig } = await import('./config/load-config.ts');
  const config = await loadConfig(values.config, process.cwd(), process.env, values.supergraph === undefined ? {} : { supergraph: values.supergraph });
  switch (command) {
    case 'start': {
      const workers = parseWorkers(values.workers);
      if (workers === 'invalid') return usageError(`--workers: expected a whole number of at least 1 or "auto", got "${values.workers}"`, command);
      const { createGatewayLogger } = await import('./observability/gateway-logger.ts');
      const { exposureWarnings } = await import('./server/exposure-warnings.ts');
      // The primary's messages (a worker's go through its own gateway's logger, made the same way).
      const logger = cluster.isPrimary ? createGatewayLogger(config.logging) : undefined;
      if (logger) for (const warning of exposureWarnings(config)) logger.warn(`warning: ${warning}`);
      if (workers && logger) return (await import('./server/run-workers.ts')).runWorkers({ workers, logger });
      const running = await (await import('./server/start-gateway.ts')).startGateway(config, logger ? { logger } : {});
      if (cluster.isWorker) {
        (await import('./server/serve-as-worker.ts')).serveAsWorker(running);
        return -1;
      }
      (await import('./server/run-until-signal.ts')).runUntilSignal(running, running.gateway.logger);
      running.gateway.logger.info(`serving ${running.gateway.sources.length} sources at ${running.url}${config.graphqlEndpoint}`);
      return -1;
    }
    case 'compose':
    case 'check': {
      const [{ loadSources }, { composeChecked }, { clientViewSdl }, { printSchema }] = await Promise.all([
        import('./sources/load-sources.ts'),
        import('./composition/compose-checked.ts'),
        import('./clients/client-view-sdl.ts'),
        import('graphql'),
      ]);
      const sources = await loadSources(config);
      try {
        const composed = composeChecked(sources);
        const view = command === 'compose' && values.client !== undefined ? clientViewSdl(composed, sources, config.clients, values.client) : undefined;
        if (view && 'unknown' in view) return usageError(view.unknown, command);
        const sdl = view?.sdl ?? printSchema(composed);
        if (command === 'check') process.stdout.write(`ok: ${sources.length} sources compose (${sources.map((source) => source.name).join(', ')})\n`);
        else if (values.out) await writeFile(values.out, `${sdl}\n`);
        else process.stdout.write(`${sdl}\n`);
      } finally {
        await Promise.all(sources.map((source) => source.close()));
      }
      return 0;
    }
    default:
      return printOperationPlan(config, positionals[1], values.variables, values.operation);
  }
}

/** `concierge plan`: the plan of one operation of a document file, or why it goes to stitching. */
async function printOperationPlan(
  config: NormalizedConfig,
  file: string | undefined,
  variablesText: string | undefined,
  operationName: string | undefined,
): Promise<number> {
  if (!file) return usageError('plan: expected a file with the operation, e.g. concierge plan query.graphql', 'plan');
  const [{ parse, validate }, { loadSources }, { composeSchema }, { createQueryPlanner }, { NotPlannable }, { printPlan }, { renamingOf }] = await Promise.all([
    import('graphql'),
    import('./sources/load-sources.ts'),
    import('./composition/compose-schema.ts'),
    import('./execution/create-query-planner.ts'),
    import('./execution/collect-fields.ts'),
    import('./execution/print-plan.ts'),
    import('./execution/reserved-aliases.ts'),
  ]);
  let document: DocumentNode;
  let variables: Record<string, unknown>;
  try {
    document = parse(await readFile(file, 'utf8'));
    const parsed: unknown = JSON.parse(variablesText ?? '{}');
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`--variables: expected a JSON object, got ${variablesText}`);
    variables = parsed as Record<string, unknown>;
  } catch (error) {
    process.stderr.write(`plan: ${(error as Error).message}\n`);
    return 1;
  }
  const sources = await loadSources(config);
  try {
    const schema = composeSchema(sources);
    const errors = validate(schema, document);
    if (errors.length > 0) {
      process.stderr.write(`plan: the operation does not validate:\n${errors.map((error) => `  - ${error.message}`).join('\n')}\n`);
      return 1;
    }
    const planner = createQueryPlanner(schema, sources);
    // As the gateway runs it: client aliases starting with `__` renamed (see useReservedAliases).
    const plan = planner?.plan(renamingOf(document)?.document ?? document, operationName, variables);
    if (!plan || plan instanceof NotPlannable) {
      process.stdout.write(`Not planned: executed by stitching (${plan?.message ?? 'queryPlanner is off or there is nothing to plan'}).\n`);
      return 1;
    }
    process.stdout.write(`${printPlan(plan)}\nPlan id: ${plan.id}\n`);
    return 0;
  } finally {
    await Promise.all(sources.map((source) => source.close()));
  }
}

/** `--workers` with no value (last, or followed by another option) means `--workers auto`. */
function withWorkersValue(argv: readonly string[]): string[] {
  return argv.map((argument, index) =>
    argument === '--workers' && (index === argv.length - 1 || argv[index + 1]?.startsWith('-')) ? '--workers=auto' : argument,
  );
}

/** `--workers`: absent (one process), a count, or `auto` (one per usable core). */
function parseWorkers(value: string | undefined): number | 'invalid' | undefined {
  if (value === undefined) return undefined;
  if (value === 'auto') return usableCores();
  return /^[1-9]\d*$/.test(value) ? Number(value) : 'invalid';
}

async function initCommand(force: boolean): Promise<number> {
  const { initProject, InitConflict } = await import('./init-project.ts');
  try {
    const { written, readmeSnippet } = await initProject(process.cwd(), { force });
    process.stdout.write(`Wrote ${written.join(', ')}.\n`);
    if (readmeSnippet) process.stdout.write(`\nREADME.md exists; a section to add to it:\n\n${readmeSnippet}\n`);
    process.stdout.write('\nNext: npx concierge check, then npx concierge start (GraphiQL at http://localhost:4000/graphql).\n');
    return 0;
  } catch (error) {
    if (!(error instanceof InitConflict)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
}

function createKeyCommand([action, consumer]: string[]): number {
  if (action !== 'create' || !consumer || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(consumer)) {
    return usageError('Usage: concierge keys create <consumer> (a name of letters, digits, - and _ starting with a letter)', 'keys');
  }
  const { key, keyHash } = createApiKey();
  const name = /^[A-Za-z_][A-Za-z0-9_]*$/.test(consumer) ? consumer : `'${consumer}'`;
  process.stdout.write(
    `API key for consumer "${consumer}" (shown only now; the gateway keeps only its hash):\n\n  ${key}\n\n` +
      `Declare it in the gateway config:\n\n  consumers: { ${name}: { keyHash: '${keyHash}' } }\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  async (error: unknown) => {
    const message =
      error instanceof ConfigError || error instanceof SchemaError ? error.message : `[concierge] ${error instanceof Error ? error.message : String(error)}`;
    // A worker's start-up error goes to the primary, which prints it once for all workers. Plain
    // text, not a log line: the command's own output, which the config may not even have set up.
    if (cluster.isWorker) (await import('./server/serve-as-worker.ts')).reportWorkerFailure(message);
    else process.stderr.write(`${message}\n`);
    process.exitCode = 1;
  },
);
