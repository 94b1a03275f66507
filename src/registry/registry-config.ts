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
  /**
   * Whether a gateway started with this config serves the registry's latest graph and follows its
   * new versions (hot swap), beside `sources`: a registered service replaces the config source of
   * its name (which keeps only its local `headers` and `tls`) or adds one. `false` keeps the
   * registry for `concierge schema ...` only.
   * @default true when `registry` is given
   */
  follow?: boolean;
  /**
   * How often a following gateway asks the store for a newer graph when it cannot be told: always
   * for the embedded store (one process owns its folder; nobody else can notify), and for
   * PostgreSQL while its `LISTEN` connection is down. A duration in `ms` syntax or milliseconds,
   * from 100 ms to an hour.
   * @default '2s'
   */
  pollInterval?: string | number;
  /**
   * How often a following gateway writes the operation usage it recorded (per hour, coordinate,
   * document and client) to the store; it also writes on close. A duration or milliseconds, from
   * 100 ms to an hour.
   * @default '60s'
   */
  usageFlushInterval?: string | number;
  /**
   * SHA-256 (hex) of the admin token of the registry API (`/_concierge/registry/...`): it may check,
   * publish, roll back and delete any service. Without it (and without `publishTokens`), the API is off.
   * @example 'echo -n "$TOKEN" | sha256sum'
   */
  adminTokenHash?: string;
  /**
   * SHA-256 (hex) of each team's publish token, by service: a token may check, publish and roll
   * back its own service only. Changes are recorded with the author `token:<service>`.
   * @example { products: '9f86d08...' }
   */
  publishTokens?: Record<string, string>;
}

/** Where a registry's store is: a PGlite data folder, or a PostgreSQL server. */
export type RegistryLocation = { store: 'embedded'; directory: string } | { store: 'postgres'; url: string };

/** `registry` with defaults filled in and values checked. */
export type NormalizedRegistry = RegistryLocation & {
  /** Milliseconds. */
  usageWindow: number;
  /** Whether gateways serve and follow the registry's latest graph. */
  follow: boolean;
  /** Milliseconds. */
  pollInterval: number;
  /** Milliseconds. */
  usageFlushInterval: number;
  /** SHA-256 hex of the admin token, lower case. */
  adminTokenHash?: string;
  /** SHA-256 hex of each service's publish token, lower case. */
  publishTokens: Record<string, string>;
};

/** Default `pollInterval`, milliseconds. */
export const defaultPollInterval = 2_000;
/** Default `usageFlushInterval`, milliseconds. */
export const defaultUsageFlushInterval = 60_000;

const key = 'config.registry';
const week = 7 * 86_400_000;
const year = 365 * 86_400_000;

/** The embedded store's folder when neither the config nor `--store` names one, relative to the config file. */
export const defaultRegistryDirectory = '.concierge/registry';

/** Checks `registry`; without it, the embedded store in `.concierge/registry` beside the config file. */
export function normalizeRegistryOptions(raw: unknown, context: FeatureContext): NormalizedRegistry {
  const { check, baseDir } = context;
  const gateway = { follow: false, pollInterval: defaultPollInterval, usageFlushInterval: defaultUsageFlushInterval, publishTokens: {} };
  const fallback: NormalizedRegistry = { store: 'embedded', directory: path.resolve(baseDir, defaultRegistryDirectory), usageWindow: week, ...gateway };
  if (raw === undefined) return fallback;
  if (!isPlainObject(raw)) {
    check.fail(key, "an object such as { store: 'embedded' } or { store: 'postgres', url: '${DATABASE_URL}' }", raw);
    return fallback;
  }
  check.knownKeys(key, raw, ['store', 'url', 'directory', 'usageWindow', 'follow', 'pollInterval', 'usageFlushInterval', 'adminTokenHash', 'publishTokens']);
  const store = check.oneOf(`${key}.store`, raw['store'] ?? 'embedded', ['embedded', 'postgres'] as const);
  const usageWindow = parseUsageWindow(raw['usageWindow']);
  if (usageWindow === undefined)
    check.fail(`${key}.usageWindow`, 'a duration such as "7d" or "36h", or a number of milliseconds (at most a year)', raw['usageWindow']);
  const following = { usageWindow: usageWindow ?? week, ...normalizeFollowing(raw, context) };
  if (store === 'postgres') {
    if (raw['directory'] !== undefined) check.fail(`${key}.directory`, 'no directory with store "postgres" (the server keeps the data)', raw['directory']);
    const url = raw['url'];
    if (typeof url !== 'string' || !isPostgresUrl(url)) check.fail(`${key}.url`, 'a postgres:// or postgresql:// URL with store "postgres"', url);
    return { store, url: typeof url === 'string' ? url : '', ...following };
  }
  if (raw['url'] !== undefined) check.fail(`${key}.url`, 'no url with store "embedded" (set store: "postgres" to use a server)', raw['url']);
  const directory = raw['directory'] === undefined ? defaultRegistryDirectory : check.string(`${key}.directory`, raw['directory']);
  return { store, directory: path.resolve(baseDir, directory), ...following };
}

/** The options of a gateway that follows the registry and serves its API. */
function normalizeFollowing(raw: Record<string, unknown>, { check }: FeatureContext): Omit<NormalizedRegistry, 'store' | 'url' | 'directory' | 'usageWindow'> {
  const interval = (option: string, fallback: number) => {
    const value = parseDuration(raw[option], fallback, 100, 3_600_000);
    if (value === undefined)
      check.fail(`${key}.${option}`, 'a duration such as "2s" or "1m", or a number of milliseconds, from 100 ms to an hour', raw[option]);
    return value ?? fallback;
  };
  const hash = (option: string, value: unknown) => {
    if (typeof value === 'string' && /^[0-9a-fA-F]{64}$/.test(value)) return value.toLowerCase();
    check.fail(option, 'the SHA-256 of a token as 64 hex digits (echo -n "$TOKEN" | sha256sum)', value);
    return undefined;
  };
  const tokens = raw['publishTokens'] ?? {};
  const publishTokens: Record<string, string> = {};
  if (!isPlainObject(tokens)) check.fail(`${key}.publishTokens`, "an object of service name to token SHA-256, such as { products: '9f86d08...' }", tokens);
  else
    for (const [service, value] of Object.entries(tokens)) {
      const digest = hash(`${key}.publishTokens.${service}`, value);
      if (digest) publishTokens[service] = digest;
    }
  const adminTokenHash = raw['adminTokenHash'] === undefined ? undefined : hash(`${key}.adminTokenHash`, raw['adminTokenHash']);
  return {
    follow: check.boolean(`${key}.follow`, raw['follow'] ?? true),
    pollInterval: interval('pollInterval', defaultPollInterval),
    usageFlushInterval: interval('usageFlushInterval', defaultUsageFlushInterval),
    ...(adminTokenHash ? { adminTokenHash } : {}),
    publishTokens,
  };
}

/** A duration (`ms` syntax or milliseconds) within bounds, `fallback` when absent, `undefined` when not one. */
function parseDuration(value: unknown, fallback: number, min: number, max: number): number | undefined {
  if (value === undefined) return fallback;
  const parsed = typeof value === 'number' ? value : typeof value === 'string' ? ms(value as ms.StringValue) : Number.NaN;
  return typeof parsed === 'number' && Number.isFinite(parsed) && parsed >= min && parsed <= max ? Math.round(parsed) : undefined;
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
