import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { printSchema } from 'graphql';
import { composeSchema } from './composition/compose-schema.ts';
import { ConfigError } from './config/config-error.ts';
import { loadConfig } from './config/load-config.ts';
import { loadSources } from './sources/load-sources.ts';
import { SchemaError } from './sources/schema-error.ts';
import { runUntilSignal } from './server/run-until-signal.ts';
import { startGateway } from './server/start-gateway.ts';

const usage = `Usage: concierge <command> [options]

Commands:
  start      compose the sources and serve the gateway
  compose    print the composed schema (SDL)
  check      validate the config and the registered schemas; exit 1 on any problem

Options:
  --config <file>   config file (default: gateway.config.{ts,mjs,js,json} in the current folder)
  --port <n>        port for start (default: config.port, PORT, 4000)
  --out <file>      with compose: write the SDL to a file instead of standard output
  -h, --help        this text
`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { config: { type: 'string' }, port: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command] = positionals;
  if (values.help || !command) {
    process.stdout.write(usage);
    return values.help ? 0 : 1;
  }
  if (values.port !== undefined) process.env['PORT'] = values.port;
  const config = await loadConfig(values.config);
  switch (command) {
    case 'start': {
      const running = await startGateway(config);
      runUntilSignal(running);
      console.log(`[concierge] serving ${running.gateway.sources.length} sources at ${running.url}${config.graphqlEndpoint}`);
      return -1;
    }
    case 'compose':
    case 'check': {
      const sources = await loadSources(config);
      try {
        const sdl = printSchema(composeSchema(sources));
        if (command === 'check') console.log(`ok: ${sources.length} sources compose (${sources.map((source) => source.name).join(', ')})`);
        else if (values.out) await writeFile(values.out, `${sdl}\n`);
        else process.stdout.write(`${sdl}\n`);
      } finally {
        await Promise.all(sources.map((source) => source.close()));
      }
      return 0;
    }
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${usage}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof SchemaError) console.error(error.message);
    else console.error('[concierge]', error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
