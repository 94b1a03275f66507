/** `concierge --help`: every command in one line or two, the shared options, and the exit codes. */
export const overview = `Usage: concierge <command> [options]     (concierge <command> --help for its own)

Commands:
  init       scaffold gateway.config.ts, schemas/ and a README section in the current folder
  start      compose the sources and serve the gateway
  dev        serve like start with GraphiQL on and pretty logs, and follow the files without a restart
  compose    print the composed schema (SDL)
  check      validate the config and the registered schemas
  plan <file.graphql>
             print the query plan of an operation and its id (the access log's queryPlanId)
  keys create <consumer>
             print a new API key (once) and the keyHash to declare under consumers
  schema <publish|check|history|diff|rollback|delete|import> ...
             the schema registry (concierge schema --help)

Options of every command that reads a config:
  --config <file>       config file (default: gateway.config.{ts,mjs,js,json} in the current folder)
  --supergraph <file>   serve this supergraph (a composed federation SDL with join__ directives);
                        with no config file, everything else takes its defaults
  -h, --help            help

Exit codes: 0 done; 1 a problem with the config, the schemas or the operation (printed, each
naming what is at fault); 2 a usage error (unknown command or option, missing argument).
`;

const configOptions = `  --config <file>       config file (default: gateway.config.{ts,mjs,js,json} in the current folder)
  --supergraph <file>   a supergraph file to serve, instead of or in place of config.supergraph;
                        no config file is needed with it`;

/** `concierge <command> --help`, by command. */
export const commandHelp: Record<string, string> = {
  start: `Usage: concierge start [--config <file> | --supergraph <file>] [--port <n>] [--hot-reload] [--workers [n|auto]]

Composes the sources and serves the gateway until SIGTERM or SIGINT, which drain in-flight
requests first (shutdownTimeout).

${configOptions}
  --port <n>            port (default: config.port, then PORT, then 4000)
  --hot-reload          serve each change of the supergraph file without a restart (sets
                        CONCIERGE_HOT_RELOAD=true; the same as supergraph.hotReload)
  --workers [n|auto]    serve from n processes sharing the port (auto, or no value: one per core,
                        capped by the container's CPU quota), supervised by a primary that respawns a
                        crashed worker, drains them all on SIGTERM/SIGINT and restarts them one by one
                        on SIGHUP. Each worker keeps its own rate-limit counters and response cache
                        unless redis is configured.

Exit codes: 1 when the config or the schemas have problems (each printed), 2 on a usage error.

Examples:
  concierge start
  concierge start --supergraph supergraph.graphql --port 4000 --hot-reload
`,
  dev: `Usage: concierge dev [--config <file>] [--port <n>]

Serves like start, with GraphiQL on and pretty logs on a terminal, and follows the files: a changed
SDL file (schemasDir, each source's schema) is composed and swapped in without a restart, or refused
with its problems while the running graph stays; a change of the config's sources is swapped the same
way, and any other change of the config restarts the gateway on the same port.

  --config <file>       config file (default: gateway.config.{ts,mjs,js,json} in the current folder)
  --port <n>            port (default: config.port, then PORT, then 4000)
`,
  compose: `Usage: concierge compose [--config <file> | --supergraph <file>] [--out <file>] [--client <name>]

Prints the composed public schema (SDL), as clients see it.

${configOptions}
  --out <file>          write the SDL to a file instead of standard output
  --client <name>       print the view of this client profile (config.clients) instead, computed fields included

Exit codes: 0 printed; 1 when the sources do not compose (each problem printed); 2 on a usage error.
`,
  check: `Usage: concierge check [--config <file> | --supergraph <file>]

Validates the config and composes the registered schemas without serving anything: for CI.

${configOptions}

Exit codes: 0 the config is valid and the sources compose ("ok: ..." is printed); 1 a problem (each
printed, naming the key or the schema at fault); 2 a usage error.
`,
  plan: `Usage: concierge plan <file.graphql> [--variables <json>] [--operation <name>] [--config <file> | --supergraph <file>]

Prints the query plan of an operation (fetches per source, in sequence and in parallel) and its id,
the queryPlanId of the access log.

${configOptions}
  --variables <json>    the variables (@skip/@include values decide the plan)
  --operation <name>    which operation of the document

Exit codes: 0 printed; 1 the operation does not validate or is not planned (the reason is printed);
2 a usage error.
`,
  init: `Usage: concierge init [--force]

Writes, in the current folder, gateway.config.ts with one REST source, schemas/products.graphql with
its SDL, and README.md with a section on running the gateway (or prints that section when a
README.md exists). Start it with: npx concierge start.

  --force               overwrite gateway.config.ts and schemas/products.graphql when they exist

Exit codes: 0 written; 1 a file exists (nothing is written; its name is printed); 2 a usage error.
`,
  keys: `Usage: concierge keys create <consumer>

Prints a new API key for a consumer (shown only once) and the keyHash to declare under consumers:
the gateway keeps only the hash.

Exit codes: 0 printed; 2 a usage error (no consumer, or a name that is not letters, digits, - and _
starting with a letter).
`,
};
