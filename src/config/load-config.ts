import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from './config-error.ts';
import { normalizeConfig, type NormalizedConfig } from './normalize-config.ts';

const defaultNames = ['gateway.config.ts', 'gateway.config.mjs', 'gateway.config.js', 'gateway.config.json'];

/**
 * Reads and normalizes a config file: a module whose default export is the config (TypeScript is
 * loaded through tsx), or JSON. Without a path, the first `gateway.config.*` in `cwd`.
 */
export async function loadConfig(file?: string, cwd = process.cwd(), env = process.env): Promise<NormalizedConfig> {
  const found = file ? path.resolve(cwd, file) : defaultNames.map((name) => path.join(cwd, name)).find((candidate) => existsSync(candidate));
  if (!found) throw new ConfigError([`config file: expected one of ${defaultNames.join(', ')} in ${cwd}, or --config <file>; found none`]);
  if (!existsSync(found)) throw new ConfigError([`config file: expected an existing file, got "${found}"`]);
  const raw = found.endsWith('.json') ? parseJson(found, await readFile(found, 'utf8')) : await importConfig(found);
  return normalizeConfig(raw, { baseDir: path.dirname(found), env });
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`config file ${file}: expected JSON, ${(error as Error).message}`]);
  }
}

async function importConfig(file: string): Promise<unknown> {
  const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  if (module.default === undefined) throw new ConfigError([`config file ${file}: expected a default export (export default defineConfig({...})), found none`]);
  return module.default;
}
