import path from 'node:path';
import { ConfigError } from './config-error.ts';
import type { GatewayConfig, GraphiQLConfig } from './define-config.ts';
import { interpolateEnv } from './interpolate-env.ts';

/** A source with every default filled in. */
export interface NormalizedSource {
  name: string;
  kind: 'graphql' | 'rest';
  url: string;
  /** Absolute path of the registered SDL file. */
  schemaPath: string;
  schemaFrom: 'file' | 'introspection';
  timeout: number;
  /** Lower-case header names. */
  forwardHeaders: string[];
  headers: Record<string, string>;
  connections: number;
  batch: boolean;
  maxBatchSize: number;
}

/** The configuration with every default filled in and every value checked. */
export interface NormalizedConfig {
  port: number;
  host: string;
  schemasDir: string;
  graphqlEndpoint: string;
  graphiql: false | (GraphiQLConfig & { title: string });
  shutdownTimeout: number;
  maxRequestBytes: number;
  sources: NormalizedSource[];
}

/** Where the config came from: relative paths resolve against `baseDir`; `env` feeds `${NAME}`. */
export interface NormalizeOptions {
  baseDir?: string;
  env?: NodeJS.ProcessEnv;
}

const topLevelKeys = ['port', 'host', 'schemasDir', 'graphqlEndpoint', 'graphiql', 'shutdownTimeout', 'maxRequestBytes', 'sources'];
const sourceKeys = ['kind', 'url', 'schema', 'timeout', 'forwardHeaders', 'headers', 'connections', 'schemaFrom', 'batch', 'maxBatchSize'];
const sourceName = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * Checks a raw configuration and fills in its defaults. Every mistake is reported at once, each as
 * `key: expected ..., got <value>`, in one {@link ConfigError}.
 */
export function normalizeConfig(raw: unknown, options: NormalizeOptions = {}): NormalizedConfig {
  const { baseDir = process.cwd(), env = process.env } = options;
  const problems: string[] = [];
  const check = createChecker(problems);
  if (!isPlainObject(raw)) throw new ConfigError([`config: expected an object, got ${show(raw)}`]);
  const config = interpolateEnv(raw, env) as Partial<GatewayConfig> & Record<string, unknown>;
  check.knownKeys('config', config, topLevelKeys);

  const rawPort = env['PORT'];
  const portFromEnv = rawPort ? (Number.isNaN(Number(rawPort)) ? rawPort : Number(rawPort)) : undefined;
  const port = check.integer('config.port', portFromEnv ?? config.port ?? 4000, 0, 65535, portFromEnv !== undefined ? ' (from PORT)' : '');
  const schemasDir = path.resolve(baseDir, check.string('config.schemasDir', config.schemasDir ?? 'schemas'));
  const graphiql = normalizeGraphiQL(config.graphiql, check);

  const sources: NormalizedSource[] = [];
  if (!isPlainObject(config.sources) || Object.keys(config.sources).length === 0) {
    problems.push(`config.sources: expected an object with at least one source, got ${show(config.sources)}`);
  } else {
    for (const [name, source] of Object.entries(config.sources)) {
      const key = `config.sources.${name}`;
      if (!sourceName.test(name)) problems.push(`${key}: expected a name of letters, digits, - and _ starting with a letter, got "${name}"`);
      if (!isPlainObject(source)) {
        problems.push(`${key}: expected an object, got ${show(source)}`);
        continue;
      }
      check.knownKeys(key, source, sourceKeys);
      const kind = check.oneOf(`${key}.kind`, source['kind'], ['graphql', 'rest'] as const);
      sources.push({
        name,
        kind,
        url: check.url(`${key}.url`, source['url']),
        schemaPath: path.resolve(baseDir, typeof source['schema'] === 'string' ? source['schema'] : path.join(schemasDir, `${name}.graphql`)),
        schemaFrom: check.oneOf(`${key}.schemaFrom`, source['schemaFrom'] ?? 'file', ['file', 'introspection'] as const),
        timeout: check.integer(`${key}.timeout`, source['timeout'] ?? 10_000, 1, 600_000),
        forwardHeaders: check.stringList(`${key}.forwardHeaders`, source['forwardHeaders'] ?? []).map((name) => name.toLowerCase()),
        headers: check.stringRecord(`${key}.headers`, source['headers'] ?? {}),
        connections: check.integer(`${key}.connections`, source['connections'] ?? 64, 1, 10_000),
        batch: check.boolean(`${key}.batch`, source['batch'] ?? true),
        maxBatchSize: check.integer(`${key}.maxBatchSize`, source['maxBatchSize'] ?? 100, 1, 10_000),
      });
      if (kind === 'rest' && source['schemaFrom'] === 'introspection') {
        problems.push(`${key}.schemaFrom: expected "file" for a rest source (its GraphQL face is the registered SDL), got "introspection"`);
      }
    }
  }

  const normalized: NormalizedConfig = {
    port,
    host: check.string('config.host', config.host ?? '0.0.0.0'),
    schemasDir,
    graphqlEndpoint: check.path('config.graphqlEndpoint', config.graphqlEndpoint ?? '/graphql'),
    graphiql,
    shutdownTimeout: check.integer('config.shutdownTimeout', config.shutdownTimeout ?? 10_000, 0, 600_000),
    maxRequestBytes: check.integer('config.maxRequestBytes', config.maxRequestBytes ?? 1_048_576, 1, 1_073_741_824),
    sources,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return normalized;
}

function normalizeGraphiQL(value: unknown, check: Checker): NormalizedConfig['graphiql'] {
  if (value === undefined || value === true) return { title: 'Concierge' };
  if (value === false) return false;
  if (!isPlainObject(value)) {
    check.fail('config.graphiql', 'true, false or an object', value);
    return false;
  }
  check.knownKeys('config.graphiql', value, ['title', 'defaultQuery', 'defaultVariables']);
  const graphiql: GraphiQLConfig & { title: string } = { title: check.string('config.graphiql.title', value['title'] ?? 'Concierge') };
  if (value['defaultQuery'] !== undefined) graphiql.defaultQuery = check.string('config.graphiql.defaultQuery', value['defaultQuery']);
  if (value['defaultVariables'] !== undefined) {
    const variables = check.string('config.graphiql.defaultVariables', value['defaultVariables']);
    try {
      JSON.parse(variables);
      graphiql.defaultVariables = variables;
    } catch {
      check.fail('config.graphiql.defaultVariables', 'JSON text', variables);
    }
  }
  return graphiql;
}

type Checker = ReturnType<typeof createChecker>;

function createChecker(problems: string[]) {
  const fail = (key: string, expected: string, value: unknown, note = '') => {
    problems.push(`${key}: expected ${expected}, got ${show(value)}${note}`);
  };
  return {
    fail,
    knownKeys(key: string, value: Record<string, unknown>, known: string[]) {
      for (const name of Object.keys(value)) {
        if (!known.includes(name)) problems.push(`${key}.${name}: unknown option; expected one of ${known.join(', ')}`);
      }
    },
    string(key: string, value: unknown): string {
      if (typeof value === 'string' && value.length > 0) return value;
      fail(key, 'a non-empty string', value);
      return '';
    },
    path(key: string, value: unknown): string {
      if (typeof value === 'string' && /^\/[^\s?#]*$/.test(value)) return value;
      fail(key, 'a path starting with "/"', value);
      return '/';
    },
    boolean(key: string, value: unknown): boolean {
      if (typeof value === 'boolean') return value;
      fail(key, 'true or false', value);
      return false;
    },
    integer(key: string, value: unknown, min: number, max: number, note = ''): number {
      if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
      fail(key, `an integer from ${min} to ${max}`, value, note);
      return min;
    },
    oneOf<const T extends string>(key: string, value: unknown, allowed: readonly T[]): T {
      if (allowed.includes(value as T)) return value as T;
      fail(key, `one of ${allowed.map((item) => `"${item}"`).join(', ')}`, value);
      return allowed[0] as T;
    },
    url(key: string, value: unknown): string {
      if (typeof value === 'string' && /^https?:\/\//.test(value) && URL.canParse(value)) return value.replace(/\/+$/, '');
      fail(key, 'an http:// or https:// URL', value);
      return 'http://invalid';
    },
    stringList(key: string, value: unknown): string[] {
      if (Array.isArray(value) && value.every((item) => typeof item === 'string' && item.length > 0)) return value as string[];
      fail(key, 'a list of non-empty strings', value);
      return [];
    },
    stringRecord(key: string, value: unknown): Record<string, string> {
      if (isPlainObject(value) && Object.values(value).every((item) => typeof item === 'string')) return value as Record<string, string>;
      fail(key, 'an object of string values', value);
      return {};
    },
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(value);
  }
}
