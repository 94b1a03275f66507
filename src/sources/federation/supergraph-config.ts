import { isPlainObject } from '../../config/config-checker.ts';
import type { FeatureContext } from '../../config/feature-options.ts';
import { displayPath } from '../schema-error.ts';
import { readSupergraphFile, type SupergraphFile } from './read-supergraph-file.ts';

/** The supergraph file a subgraph source comes from: its SDL stands in for composing the subgraphs' `_service` SDL. */
export interface NormalizedSupergraph {
  /** Absolute path. */
  file: string;
  sdl: string;
  /** Whether a change of the file is served without a restart (see `watchSupergraphFile`). */
  hotReload: boolean;
}

/** A subgraph of the supergraph as the raw options of a federation source, and the config key each option came from. */
export interface SupergraphSource {
  name: string;
  options: Record<string, unknown>;
  keyOf(option: string): string;
}

const key = 'config.supergraph';
/** The environment variable (set by `concierge start --hot-reload`) that turns hot reload on for either form of `config.supergraph`. */
export const hotReloadVariable = 'CONCIERGE_HOT_RELOAD';
const subgraphKeys = [
  'url',
  'timeout',
  'forwardHeaders',
  'headers',
  'connections',
  'maxResponseBytes',
  'tls',
  'httpCache',
  'dedupeInFlight',
  'batch',
  'retries',
  'breaker',
  'urls',
  'loadBalancing',
  'healthCheck',
  'outlierDetection',
];
/** The same names as `config.sources` takes, since each subgraph becomes a source. */
const sourceName = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * Checks `config.supergraph` and reads its file: one federation source per subgraph, calling the
 * URL the supergraph gives unless `subgraphs.<name>.url` (or `.urls`, several instances) replaces it, with `defaults` under each
 * subgraph's own options. `sources` (the raw `config.sources`) may then hold no federation source
 * and no name of a subgraph. `hotReload` comes from the object form, else from `CONCIERGE_HOT_RELOAD`
 * in `env`. `text` is the file's content when the caller read it (a hot reload).
 */
export function normalizeSupergraphOptions(
  raw: unknown,
  sources: unknown,
  context: FeatureContext,
  env: NodeJS.ProcessEnv,
  text?: string,
): { supergraph?: NormalizedSupergraph; subgraphs: SupergraphSource[] } {
  const { check } = context;
  const fromEnv = hotReloadFromEnv(env[hotReloadVariable], check);
  if (raw === undefined) {
    if (fromEnv) check.fail(key, `a supergraph file to watch (${hotReloadVariable} is "${env[hotReloadVariable]}", as --hot-reload sets it)`, raw);
    return { subgraphs: [] };
  }
  const options = typeof raw === 'string' ? { file: raw } : raw;
  if (!isPlainObject(options)) {
    check.fail(key, 'a supergraph file name, or an object with file', raw);
    return { subgraphs: [] };
  }
  check.knownKeys(key, options, ['file', 'hotReload', 'defaults', 'subgraphs']);
  const fileKey = typeof raw === 'string' ? key : `${key}.file`;
  const file = check.string(fileKey, options['file']);
  const hotReload = check.boolean(`${key}.hotReload`, options['hotReload'] ?? fromEnv ?? false);
  const defaults = optionsAt(
    `${key}.defaults`,
    options['defaults'],
    subgraphKeys.filter((option) => option !== 'url' && option !== 'urls'),
    context,
  );
  const overrides = isPlainObject(options['subgraphs']) ? options['subgraphs'] : {};
  if (options['subgraphs'] !== undefined && !isPlainObject(options['subgraphs']))
    check.fail(`${key}.subgraphs`, 'an object of options by subgraph name', options['subgraphs']);
  const read = file ? readSupergraphFile(file, fileKey, context, text) : undefined;
  if (!read) return { subgraphs: [] };
  checkNames(read, overrides, sources, context);
  const subgraphs = read.graphs.map(({ name, url }): SupergraphSource => {
    const subgraphKey = `${key}.subgraphs.${name}`;
    const own = optionsAt(subgraphKey, overrides[name], subgraphKeys, context);
    const keyOf = (option: string) => (option in defaults && !(option in own) ? `${key}.defaults.${option}` : `${subgraphKey}.${option}`);
    // Several instances replace the supergraph's one URL.
    if (own['urls'] !== undefined) return { name, options: { kind: 'federation', ...defaults, ...own }, keyOf };
    if (own['url'] !== undefined || isHttpUrl(url)) return { name, options: { kind: 'federation', url, ...defaults, ...own }, keyOf };
    const given = url ? `the URL ${JSON.stringify(url)}, which is not one` : 'no URL: join__graph(url: "")';
    check.fail(`${subgraphKey}.url`, 'an http:// or https:// URL', undefined, ` (${displayPath(read.file)} gives subgraph "${name}" ${given})`);
    // A stand-in, so that the subgraph's other options are still checked; the problem stops start-up.
    return { name, options: { kind: 'federation', ...defaults, ...own, url: 'https://invalid' }, keyOf };
  });
  return { supergraph: { file: read.file, sdl: read.sdl, hotReload }, subgraphs };
}

/** `CONCIERGE_HOT_RELOAD`: unset, or true/false (1/0). */
function hotReloadFromEnv(value: string | undefined, check: FeatureContext['check']): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (['true', '1'].includes(value)) return true;
  if (['false', '0'].includes(value)) return false;
  check.fail(`${key}.hotReload`, 'true, false, 1 or 0', value, ` (from ${hotReloadVariable})`);
  return undefined;
}

/** Subgraph names must make source names, `subgraphs` may name only subgraphs, and `sources` may not take their place. */
function checkNames(read: SupergraphFile, overrides: Record<string, unknown>, sources: unknown, { check }: FeatureContext): void {
  const shown = displayPath(read.file);
  const names = read.graphs.map((graph) => graph.name);
  for (const name of names.filter((candidate) => !sourceName.test(candidate))) {
    check.problem(`${key}: subgraph "${name}" of ${shown}: expected a name of letters, digits, - and _ starting with a letter (it becomes the source's name)`);
  }
  for (const name of Object.keys(overrides).filter((candidate) => !names.includes(candidate))) {
    check.fail(`${key}.subgraphs.${name}`, `the name of a subgraph of ${shown} (${names.join(', ')})`, name);
  }
  for (const [name, source] of Object.entries(isPlainObject(sources) ? sources : {})) {
    if (isPlainObject(source) && source['kind'] === 'federation') {
      check.fail(
        `config.sources.${name}.kind`,
        `"graphql" or "rest" beside config.supergraph, whose subgraphs are the federation sources (their options go in config.supergraph.subgraphs)`,
        'federation',
      );
    } else if (names.includes(name)) {
      check.fail(`config.sources.${name}`, `a name that no subgraph of ${shown} has (each subgraph is a source of its name)`, name);
    }
  }
}

function optionsAt(at: string, raw: unknown, known: string[], { check }: FeatureContext): Record<string, unknown> {
  if (raw === undefined) return {};
  if (!isPlainObject(raw)) {
    check.fail(at, 'an object of source options', raw);
    return {};
  }
  check.knownKeys(at, raw, known);
  return Object.fromEntries(Object.entries(raw).filter(([option]) => known.includes(option)));
}

function isHttpUrl(value: string | undefined): value is string {
  return value !== undefined && /^https?:\/\//.test(value) && URL.canParse(value);
}
