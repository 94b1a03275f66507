import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { createChecker } from '../config/config-checker.ts';
import { ConfigError } from '../config/config-error.ts';
import { loadConfig } from '../config/load-config.ts';
import type { NormalizedConfig } from '../config/normalize-config.ts';
import { loadSources } from '../sources/load-sources.ts';
import { SchemaError, displayPath } from '../sources/schema-error.ts';
import { readManifest } from '../trusted-documents/read-manifest.ts';
import type { CheckReport } from './check-report.ts';
import type { ChangeResult, PublishRequest, Registry } from './create-registry.ts';
import { describeChanges, describeCheck, describeFailure, describeHistory } from './describe-check.ts';
import { openRegistry } from './open-registry.ts';
import { isPostgresUrl, type RegistryLocation } from './registry-config.ts';
import { RegistryInputError } from './registry-input-error.ts';
import { registeredSources } from './registered-sources.ts';
import { remoteRegistry, type RegistryCommands } from './remote-registry.ts';
import type { SchemaCommandContext, Values } from './run-schema-command.ts';
import { serviceOptionKeys } from './service-option-keys.ts';

/** Runs a parsed `concierge schema` command (its help and usage errors are answered before): resolves to the exit code. */
export async function runSchemaAction(name: string, rest: string[], values: Values, context: SchemaCommandContext): Promise<number> {
  let registry: RegistryCommands | undefined;
  try {
    const remote = remoteRegistry(name, values, context.env);
    // Through a gateway's API, the gateway's config decides: the local one is not read.
    const config = remote ? undefined : await readConfig(values.config, context);
    // Every argument and file is read before the store is opened: a usage error touches no store.
    const act = await prepare(name, rest, values, config, context);
    registry = remote ?? (await open(values.store, config, context));
    return await act(registry);
  } catch (error) {
    if (!(error instanceof RegistryInputError || error instanceof ConfigError || error instanceof SchemaError)) throw error;
    context.stderr(error instanceof RegistryInputError ? `schema ${name}: ${error.problems.join(`\nschema ${name}: `)}\n` : `${error.message}\n`);
    return error instanceof SchemaError && name === 'import' ? 1 : 2;
  } finally {
    await registry?.close();
  }
}

/** Checks a command's arguments and reads its files; resolves to what it does with the registry. */
async function prepare(
  name: string,
  args: string[],
  values: Values,
  config: NormalizedConfig | undefined,
  context: SchemaCommandContext,
): Promise<(registry: RegistryCommands) => Promise<number>> {
  const author = values.author ?? (context.env['CONCIERGE_AUTHOR'] || context.env['USER'] || context.env['LOGNAME'] || 'unknown');
  const change = { author, force: values.force ?? false, persistedDocuments: readManifests(values.manifest ?? [], context.cwd) };
  const service = () => expectArguments(name, args, ['service'])[0] as string;
  switch (name) {
    case 'publish': {
      const request = await publishRequest(service(), values, change, context.cwd);
      return async (registry) => reportChange(await registry.publish(request), context);
    }
    case 'check': {
      const request = await publishRequest(service(), values, change, context.cwd);
      return async (registry) => reportCheck((await registry.check(request)).report, context);
    }
    case 'history':
      expectArguments(name, args, [], 1);
      return async (registry) => {
        context.stdout(describeHistory(await registry.history(args[0])));
        return 0;
      };
    case 'diff': {
      const versions = diffVersions(expectArguments(name, args, ['v1', 'v2']));
      return (registry) => diff(versions, registry, context);
    }
    case 'rollback': {
      const to = /^v?([1-9]\d*)$/.exec(values.to ?? '')?.[1];
      if (!to)
        throw new RegistryInputError([`--to: expected a version number such as 3, got ${values.to === undefined ? 'nothing' : JSON.stringify(values.to)}`]);
      const request = { ...change, service: service(), to: Number(to) };
      return async (registry) => reportChange(await registry.rollback(request), context);
    }
    case 'delete': {
      const request = { ...change, service: service() };
      return async (registry) => reportChange(await registry.deleteService(request), context);
    }
    default: {
      expectArguments(name, args, []);
      if (!config) throw new RegistryInputError(['expected a config (--config <file>, or gateway.config.* in the current folder) whose sources to import']);
      const services = await configServices(config);
      return async (registry) => {
        const graph = await registry.importServices(services, author);
        context.stdout(`imported ${graph.services.map((member) => member.service).join(', ')} as graph v${graph.version}\n`);
        return 0;
      };
    }
  }
}

function reportCheck(report: CheckReport, context: SchemaCommandContext): number {
  // A candidate that does not compose gets start-up's lines alone (on stderr), nothing else.
  if (report.errors.length === 0) context.stdout(describeCheck(report));
  if (!report.passed) {
    context.stderr(describeFailure(report));
    return 1;
  }
  context.stdout(`ok: ${report.service} passes the check\n`);
  return 0;
}

function reportChange(result: ChangeResult, context: SchemaCommandContext): number {
  if (result.report && result.report.errors.length === 0) context.stdout(describeCheck(result.report));
  const { version, graph, report } = result;
  if (result.outcome === 'unchanged') {
    context.stdout(`unchanged: ${version?.service} v${version?.version} is already that definition\n`);
    return 0;
  }
  if (result.outcome === 'published') {
    const what = version?.action === 'delete' ? `deleted ${version.service} (v${version.version})` : `published ${version?.service} v${version?.version}`;
    context.stdout(`${what}${version?.forced ? ' (forced)' : ''}: graph v${graph?.version}\n`);
    return 0;
  }
  const hint = report && report.errors.length === 0 ? 'Refused: --force stores it anyway.' : 'Refused.';
  context.stderr(`${report ? describeFailure(report) : ''}${hint}\n`);
  return 1;
}

/** Two graph versions (`3 5`) or two versions of one service (`products@2 products@3`). */
type DiffVersions = { graphs: [number, number] } | { service: string; versions: [number, number] };

function diffVersions([from = '', to = '']: string[]): DiffVersions {
  const graph = (text: string) => /^v?([1-9]\d*)$/.exec(text)?.[1];
  const service = (text: string) => /^([A-Za-z][\w-]*)@v?([1-9]\d*)$/.exec(text);
  const [a, b] = [graph(from), graph(to)];
  if (a && b) return { graphs: [Number(a), Number(b)] };
  const [x, y] = [service(from), service(to)];
  if (x && y && x[1] === y[1]) return { service: x[1] as string, versions: [Number(x[2]), Number(y[2])] };
  throw new RegistryInputError([`expected two graph versions (diff 3 5) or two versions of one service (diff products@2 products@3), got ${from} ${to}`]);
}

async function diff(versions: DiffVersions, registry: RegistryCommands, context: SchemaCommandContext): Promise<number> {
  if ('graphs' in versions) {
    const [from, to] = versions.graphs;
    context.stdout(describeChanges(`graph v${from} to v${to}`, await registry.diffGraphs(from, to)));
  } else {
    const [from, to] = versions.versions;
    context.stdout(describeChanges(`${versions.service} v${from} to v${to}`, await registry.diffServiceVersions(versions.service, from, to)));
  }
  return 0;
}

/** The positional arguments a command takes: all of `names`, and at most `max` (default: as many). */
function expectArguments(command: string, args: string[], names: string[], max = names.length): string[] {
  if (args.length >= names.length && args.length <= max) return args;
  const expected = names.length > 0 ? names.map((name) => `<${name}>`).join(' ') : max > 0 ? 'at most one <service>' : 'no argument';
  throw new RegistryInputError([`expected ${expected}, got ${args.length > 0 ? args.join(' ') : 'none'} (concierge schema ${command} --help)`]);
}

async function publishRequest(service: string, values: Values, change: Omit<PublishRequest, 'service' | 'sdl'>, cwd: string): Promise<PublishRequest> {
  if (!values.schema) throw new RegistryInputError(["--schema: expected the file of the service's SDL, got nothing"]);
  const file = path.resolve(cwd, values.schema);
  const sdl = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new RegistryInputError([
      `--schema: expected a readable file, got ${JSON.stringify(values.schema)} (${error.code === 'ENOENT' ? 'no such file' : error.code})`,
    ]);
  });
  let options: Record<string, unknown> | undefined;
  if (values.options !== undefined) {
    const parsed: unknown = (() => {
      try {
        return JSON.parse(values.options);
      } catch (error) {
        throw new RegistryInputError([`--options: expected a JSON object, ${(error as Error).message}`]);
      }
    })();
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new RegistryInputError([`--options: expected a JSON object, got ${values.options}`]);
    options = parsed as Record<string, unknown>;
  }
  return {
    ...change,
    service,
    sdl,
    name: displayPath(file),
    ...(values.kind ? { kind: values.kind } : {}),
    ...(values.url ? { urls: values.url } : {}),
    ...(options ? { options } : {}),
  };
}

function readManifests(files: readonly string[], cwd: string): Map<string, string> {
  const problems: string[] = [];
  const documents = files.map((file) => readManifest(file, { check: createChecker(problems), baseDir: cwd }));
  if (problems.length > 0) throw new RegistryInputError(problems.map((problem) => problem.replace('config.trustedDocuments.manifest', '--manifest')));
  return new Map(documents.flatMap((map) => [...map]));
}

/** The config of `--config`, or of gateway.config.* in the current folder when there is one. */
async function readConfig(file: string | undefined, { cwd, env }: SchemaCommandContext): Promise<NormalizedConfig | undefined> {
  const found =
    file ?? ['gateway.config.ts', 'gateway.config.mjs', 'gateway.config.js', 'gateway.config.json'].find((name) => existsSync(path.join(cwd, name)));
  return found ? loadConfig(found, cwd, env) : undefined;
}

async function open(store: string | undefined, config: NormalizedConfig | undefined, { env, cwd }: SchemaCommandContext): Promise<Registry> {
  const given = store ?? (env['CONCIERGE_REGISTRY'] || undefined);
  const location: RegistryLocation | undefined = given
    ? isPostgresUrl(given)
      ? { store: 'postgres', url: given }
      : { store: 'embedded', directory: path.resolve(cwd, given) }
    : config?.registry;
  if (!location)
    throw new RegistryInputError([
      'expected a store: --store <dir | postgres://...>, CONCIERGE_REGISTRY, or a config (gateway.config.* or --config) whose registry option names it',
    ]);
  const options = { ...(config ? { usageWindow: config.registry.usageWindow, persistedDocuments: config.trustedDocuments.documents } : {}) };
  try {
    return await openRegistry(location, options);
  } catch (error) {
    const where = location.store === 'embedded' ? displayPath(location.directory) : new URL(location.url).host;
    throw new RegistryInputError([`cannot open the ${location.store} store at ${where}: ${(error as Error).message}`]);
  }
}

/** The config's sources as start-up reads them, to import: SDL, kind, URL and the options that differ from the defaults. */
async function configServices(config: NormalizedConfig): Promise<PublishRequest[]> {
  const missing = config.sources
    .filter((source) => source.supergraph)
    .map((source) => `${source.name}: a subgraph of config.supergraph has no SDL of its own to import; publish it with --schema`);
  if (missing.length > 0) throw new RegistryInputError(missing);
  const loaded = await loadSources(config);
  await Promise.all(loaded.map((source) => source.close()));
  return config.sources.map((source) => {
    const [defaults] = registeredSources([{ service: source.name, kind: source.kind, urls: [source.url], sdl: '', options: {}, name: source.name }]);
    const options = Object.fromEntries(serviceOptionKeys.filter((key) => !isDeepStrictEqual(source[key], defaults?.[key])).map((key) => [key, source[key]]));
    const sdl = loaded.find((candidate) => candidate.name === source.name)?.sdl ?? '';
    return {
      service: source.name,
      kind: source.kind,
      urls: source.urls?.map((instance) => instance.url) ?? [source.url],
      sdl,
      options,
      name: source.schemaFrom === 'file' && source.kind !== 'federation' ? displayPath(source.schemaPath) : source.name,
      author: '',
    };
  });
}
