import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from './config-error.ts';
import { normalizeConfig, type NormalizedConfig } from './normalize-config.ts';

const defaultNames = ['gateway.config.ts', 'gateway.config.mjs', 'gateway.config.js', 'gateway.config.json'];

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Import a module config anew rather than from Node's module cache (`concierge dev` re-reads it on change; the modules it imports stay cached). */
  fresh?: boolean;
  /**
   * A supergraph file to serve (`--supergraph`), relative to `cwd`: it replaces the config's
   * `supergraph` file (its other options stay), and with it no config file is needed: without
   * one, every other option takes its default.
   */
  supergraph?: string;
}

/**
 * Reads and normalizes a config file: a module whose default export is the config (TypeScript
 * through tsx), or JSON. Without a path, the first `gateway.config.*` in `cwd`.
 */
export async function loadConfig(
  file?: string,
  cwd = process.cwd(),
  env = process.env,
  { fresh = false, supergraph }: LoadConfigOptions = {},
): Promise<NormalizedConfig> {
  if (supergraph !== undefined && !file && !defaultConfigIn(cwd)) return normalizeConfig({ supergraph: path.resolve(cwd, supergraph) }, { baseDir: cwd, env });
  const found = configFilePath(file, cwd);
  const raw = found.endsWith('.json') ? parseJson(found, await readFile(found, 'utf8')) : await importConfig(found, fresh);
  return normalizeConfig(supergraph === undefined ? raw : withSupergraph(raw, path.resolve(cwd, supergraph)), { baseDir: path.dirname(found), env });
}

function defaultConfigIn(cwd: string): string | undefined {
  return defaultNames.map((name) => path.join(cwd, name)).find((candidate) => existsSync(candidate));
}

/** The config with `supergraph` pointing at `file`, keeping the options of its object form. */
function withSupergraph(raw: unknown, file: string): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const config = raw as Record<string, unknown>;
  const current = config['supergraph'];
  return { ...config, supergraph: current !== null && typeof current === 'object' && !Array.isArray(current) ? { ...current, file } : file };
}

/** The absolute path of the config file `loadConfig` reads; throws a {@link ConfigError} when there is none. */
export function configFilePath(file?: string, cwd = process.cwd()): string {
  const found = file ? path.resolve(cwd, file) : defaultConfigIn(cwd);
  if (!found) throw new ConfigError([`config file: expected one of ${defaultNames.join(', ')} in ${cwd}, or --config <file>; found none`]);
  if (!existsSync(found)) throw new ConfigError([`config file: expected an existing file, got "${found}"`]);
  return found;
}

/**
 * Imports a config module. A TypeScript one is loaded through tsx only when Node cannot load it
 * itself: the compiled CLI has no TypeScript loader registered, a checkout running the sources has.
 */
async function importModule(href: string): Promise<unknown> {
  try {
    return await import(href);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
    const { tsImport } = await import('tsx/esm/api');
    const module = (await tsImport(href, import.meta.url)) as { default?: unknown };
    // In a project without "type": "module" the file is CommonJS: its `export default` is `exports.default`.
    const exported = module.default as { __esModule?: boolean; default?: unknown } | undefined;
    return exported?.__esModule ? { default: exported.default } : module;
  }
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`config file ${file}: expected JSON, ${(error as Error).message}`]);
  }
}

async function importConfig(file: string, fresh: boolean): Promise<unknown> {
  const url = pathToFileURL(file);
  if (fresh) url.searchParams.set('revision', String(Date.now()));
  const module = (await importModule(url.href)) as { default?: unknown };
  if (module.default === undefined) throw new ConfigError([`config file ${file}: expected a default export (export default defineConfig({...})), found none`]);
  return module.default;
}
