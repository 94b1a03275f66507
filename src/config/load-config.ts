import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from './config-error.ts';
import { normalizeConfig, type NormalizedConfig } from './normalize-config.ts';

const defaultNames = ['gateway.config.ts', 'gateway.config.mjs', 'gateway.config.js', 'gateway.config.json'];

/**
 * Reads and normalizes a config file: a module whose default export is the config (TypeScript is
 * loaded through tsx), or JSON. Without a path, the first `gateway.config.*` in `cwd`. With `fresh`,
 * a module is imported anew rather than from Node's module cache (`concierge dev` re-reads it on
 * change; the modules it imports stay cached).
 */
export async function loadConfig(file?: string, cwd = process.cwd(), env = process.env, { fresh = false } = {}): Promise<NormalizedConfig> {
  const found = configFilePath(file, cwd);
  const raw = found.endsWith('.json') ? parseJson(found, await readFile(found, 'utf8')) : await importConfig(found, fresh);
  return normalizeConfig(raw, { baseDir: path.dirname(found), env });
}

/** The absolute path of the config file `loadConfig` reads; throws a {@link ConfigError} when there is none. */
export function configFilePath(file?: string, cwd = process.cwd()): string {
  const found = file ? path.resolve(cwd, file) : defaultNames.map((name) => path.join(cwd, name)).find((candidate) => existsSync(candidate));
  if (!found) throw new ConfigError([`config file: expected one of ${defaultNames.join(', ')} in ${cwd}, or --config <file>; found none`]);
  if (!existsSync(found)) throw new ConfigError([`config file: expected an existing file, got "${found}"`]);
  return found;
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
  const module = (await import(url.href)) as { default?: unknown };
  if (module.default === undefined) throw new ConfigError([`config file ${file}: expected a default export (export default defineConfig({...})), found none`]);
  return module.default;
}
