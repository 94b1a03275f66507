import path from 'node:path';
import ms from 'ms';
import { isPlainObject } from '../config/config-checker.ts';
import type { FeatureContext } from '../config/feature-options.ts';

/**
 * The schema registry: where registered service schemas, composed graph versions, check records and
 * operation usage are stored (`concierge schema ...`).
 * @example { store: 'postgres', url: '${DATABASE_URL}' }
 */
export interface RegistryConfig {
  /**
   * `embedded`: a PostgreSQL engine compiled to WebAssembly (PGlite) keeping its files in
   * `directory`, no server needed; one process at a time opens it. `postgres`: a PostgreSQL server
   * at `url`, shared by every gateway and CI job.
   * @default 'embedded'
   */
  store?: 'embedded' | 'postgres';
  /**
   * The PostgreSQL connection URL, required with `store: 'postgres'`.
   * @example '${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/concierge}'
   */
  url?: string;
  /**
   * The embedded store's data folder, relative to the config file; only with `store: 'embedded'`.
   * @default '.concierge/registry'
   */
  directory?: string;
  /**
   * How far back recorded operation usage counts when a check decides whether a breaking change
   * breaks anyone: a duration in `ms` syntax ('7d', '36h') or a number of milliseconds, at most a year.
   * @default '7d'
   */
  usageWindow?: string | number;
}

/** Where a registry's store is: a PGlite data folder, or a PostgreSQL server. */
export type RegistryLocation = { store: 'embedded'; directory: string } | { store: 'postgres'; url: string };

/** `registry` with defaults filled in and values checked. */
export type NormalizedRegistry = RegistryLocation & {
  /** Milliseconds. */
  usageWindow: number;
};

const key = 'config.registry';
const week = 7 * 86_400_000;
const year = 365 * 86_400_000;

/** The embedded store's folder when neither the config nor `--store` names one, relative to the config file. */
export const defaultRegistryDirectory = '.concierge/registry';

/** Checks `registry`; without it, the embedded store in `.concierge/registry` beside the config file. */
export function normalizeRegistryOptions(raw: unknown, { check, baseDir }: FeatureContext): NormalizedRegistry {
  const fallback: NormalizedRegistry = { store: 'embedded', directory: path.resolve(baseDir, defaultRegistryDirectory), usageWindow: week };
  if (raw === undefined) return fallback;
  if (!isPlainObject(raw)) {
    check.fail(key, "an object such as { store: 'embedded' } or { store: 'postgres', url: '${DATABASE_URL}' }", raw);
    return fallback;
  }
  check.knownKeys(key, raw, ['store', 'url', 'directory', 'usageWindow']);
  const store = check.oneOf(`${key}.store`, raw['store'] ?? 'embedded', ['embedded', 'postgres'] as const);
  const usageWindow = parseUsageWindow(raw['usageWindow']);
  if (usageWindow === undefined) check.fail(`${key}.usageWindow`, 'a duration such as "7d" or "36h", or a number of milliseconds (at most a year)', raw['usageWindow']);
  const window = usageWindow ?? week;
  if (store === 'postgres') {
    if (raw['directory'] !== undefined) check.fail(`${key}.directory`, 'no directory with store "postgres" (the server keeps the data)', raw['directory']);
    const url = raw['url'];
    if (typeof url !== 'string' || !isPostgresUrl(url)) check.fail(`${key}.url`, 'a postgres:// or postgresql:// URL with store "postgres"', url);
    return { store, url: typeof url === 'string' ? url : '', usageWindow: window };
  }
  if (raw['url'] !== undefined) check.fail(`${key}.url`, 'no url with store "embedded" (set store: "postgres" to use a server)', raw['url']);
  const directory = raw['directory'] === undefined ? defaultRegistryDirectory : check.string(`${key}.directory`, raw['directory']);
  return { store, directory: path.resolve(baseDir, directory), usageWindow: window };
}

/** A usage window in milliseconds, `undefined` when the value is not one. */
export function parseUsageWindow(value: unknown): number | undefined {
  if (value === undefined) return week;
  const parsed = typeof value === 'number' ? value : typeof value === 'string' ? ms(value as ms.StringValue) : Number.NaN;
  return typeof parsed === 'number' && Number.isFinite(parsed) && parsed >= 1 && parsed <= year ? Math.round(parsed) : undefined;
}

/** Whether a text is a PostgreSQL connection URL (as `--store` and `CONCIERGE_REGISTRY` tell a server from a folder). */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(?:ql)?:\/\/\S+$/.test(value) && URL.canParse(value);
}
