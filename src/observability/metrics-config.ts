import { isPlainObject, type Checker } from '../config/config-checker.ts';
import type { BlockList } from 'node:net';
import type { FeatureContext } from '../config/feature-options.ts';
import { parseAddressRanges } from '../security/address-ranges.ts';

/** Prometheus metrics: what the gateway serves for scrapers, and how label values stay bounded. */
export interface MetricsConfig {
  /**
   * Whether metrics are collected and served.
   * @default true
   */
  enabled?: boolean;
  /**
   * Path of the Prometheus exposition (GET only), answered before any GraphQL work.
   * @default '/metrics'
   */
  path?: string;
  /**
   * A port of its own for the metrics path (plain HTTP, on `host`), so that scrapers need not reach
   * the public port. The main port then does not serve metrics.
   * @default the main port serves them
   */
  port?: number;
  /**
   * Prefix of every metric name.
   * @default 'concierge_'
   */
  prefix?: string;
  /**
   * Also expose Node.js process metrics (CPU, memory, event-loop lag, GC, handles).
   * @default true
   */
  collectProcessMetrics?: boolean;
  /**
   * Which operation names become label values. Clients choose operation names, so labelling every
   * name would let any client create unbounded series. `'persisted'`: names of operations whose
   * document is in the trusted-documents manifest (sent by id or in full); a list: exactly these
   * names; `'none'`: no name. Every other operation counts as `operation="other"`.
   * @default 'persisted'
   * @example ['OrderHistory', 'ProductPage']
   */
  operationNames?: 'persisted' | 'none' | string[];
}

/**
 * Who may read `/metrics` and the status page (operation names, recent errors, consumers). Without
 * an admin key only loopback callers may, so a gateway on `0.0.0.0` does not publish them.
 */
export interface AdminConfig {
  /**
   * Hex SHA-256 of the admin key (64 hex digits), e.g. `printf %s "$KEY" | sha256sum`. Callers send
   * the key itself in `header`, or as the password of HTTP Basic credentials (browsers ask for it).
   * @default none: only `ipAllow` callers, with no key
   */
  keyHash?: string;
  /**
   * Request header carrying the admin key.
   * @default 'x-admin-key'
   */
  header?: string;
  /**
   * Client addresses or CIDR ranges that may reach the admin surfaces (after `network` rules).
   * With `keyHash` they must send the key as well.
   * @default ['127.0.0.0/8', '::1'] without `keyHash`; any address with it
   * @example ['10.0.0.0/8'] (a Prometheus inside the cluster, with or without a key)
   */
  ipAllow?: string[];
}

/** The live status page: sources and their health, rates, latencies and recent errors. */
export interface StatusPageConfig {
  /**
   * Whether the page (and its `<path>/data.json`) is served.
   * @default true
   */
  enabled?: boolean;
  /**
   * Path of the page.
   * @default '/_concierge'
   */
  path?: string;
}

/** Metrics, the status page and the admin key, checked and with defaults filled in. */
export interface NormalizedMetrics {
  enabled: boolean;
  path: string;
  /** The metrics listener's own port; `undefined` serves metrics on the main port. */
  port?: number;
  prefix: string;
  collectProcessMetrics: boolean;
  operationNames: 'persisted' | 'none' | readonly string[];
  statusPage: { enabled: boolean; path: string };
  admin: NormalizedAdmin;
}

/** The admin surfaces' guard settings, checked. */
export interface NormalizedAdmin {
  /** `undefined`: no key is asked for. */
  key?: { keyHash: string; header: string };
  /** `undefined`: any address (a key is set and no `ipAllow`). */
  ipAllow?: BlockList;
  /** Whether `ipAllow` was left to its loopback-only default. */
  loopbackOnly: boolean;
}

const loopback = ['127.0.0.0/8', '::1'];
const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const graphqlName = /^[_A-Za-z][_0-9A-Za-z]*$/;
const headerToken = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** Checks `metrics`, `admin` and `statusPage`. */
export function normalizeMetricsOptions(metrics: unknown, admin: unknown, statusPage: unknown, { check }: FeatureContext): NormalizedMetrics {
  const raw = section('config.metrics', metrics, ['enabled', 'path', 'port', 'prefix', 'collectProcessMetrics', 'operationNames'], check);
  const page = section('config.statusPage', statusPage, ['enabled', 'path'], check);
  const normalized: Omit<NormalizedMetrics, 'admin'> = {
    enabled: check.boolean('config.metrics.enabled', raw['enabled'] ?? true),
    path: check.path('config.metrics.path', raw['path'] ?? '/metrics'),
    ...(raw['port'] === undefined ? {} : { port: check.integer('config.metrics.port', raw['port'], 1, 65535) }),
    prefix: metricPrefix(raw['prefix'] ?? 'concierge_', check),
    collectProcessMetrics: check.boolean('config.metrics.collectProcessMetrics', raw['collectProcessMetrics'] ?? true),
    operationNames: operationNames(raw['operationNames'] ?? 'persisted', check),
    statusPage: {
      enabled: check.boolean('config.statusPage.enabled', page['enabled'] ?? true),
      path: check.path('config.statusPage.path', page['path'] ?? '/_concierge'),
    },
  };
  const { path, port, statusPage: status } = normalized;
  if (normalized.enabled && status.enabled && port === undefined && (path === status.path || path === `${status.path}/data.json`)) {
    check.problem(`config.metrics.path: expected a path the status page does not use, got "${path}" (config.statusPage.path is "${status.path}")`);
  }
  return { ...normalized, admin: normalizeAdmin(admin, check) };
}

function section(key: string, value: unknown, known: string[], check: Checker): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) {
    check.fail(key, 'an object', value);
    return {};
  }
  check.knownKeys(key, value, known);
  return value;
}

function metricPrefix(value: unknown, check: Checker): string {
  if (typeof value === 'string' && (value === '' || metricName.test(value))) return value;
  check.fail('config.metrics.prefix', 'letters, digits, _ and : not starting with a digit (a Prometheus metric name prefix)', value);
  return 'concierge_';
}

function operationNames(value: unknown, check: Checker): NormalizedMetrics['operationNames'] {
  if (value === 'persisted' || value === 'none') return value;
  if (Array.isArray(value) && value.every((name) => typeof name === 'string' && graphqlName.test(name))) return [...new Set(value as string[])];
  check.fail('config.metrics.operationNames', '"persisted", "none" or a list of operation names', value);
  return 'none';
}

function normalizeAdmin(value: unknown, check: Checker): NormalizedAdmin {
  if (value !== undefined && !isPlainObject(value)) check.fail('config.admin', 'an object with keyHash, header or ipAllow', value);
  const admin = isPlainObject(value) ? value : {};
  check.knownKeys('config.admin', admin, ['keyHash', 'header', 'ipAllow']);
  const { keyHash } = admin;
  const header = admin['header'] ?? 'x-admin-key';
  if (keyHash !== undefined && (typeof keyHash !== 'string' || !/^[0-9a-f]{64}$/i.test(keyHash))) {
    // Not shown: a key pasted where its hash belongs is a secret.
    check.problem(
      `config.admin.keyHash: expected the hex SHA-256 of the admin key (64 hex digits, e.g. printf %s "$KEY" | sha256sum), got ${typeof keyHash === 'string' ? `${keyHash.length} characters` : `a ${typeof keyHash}`} (not shown: it may be the key itself)`,
    );
  }
  if (typeof header !== 'string' || !headerToken.test(header))
    check.fail('config.admin.header', "a header name of letters, digits and !#$%&'*+.^_`|~-", header);
  const key =
    keyHash === undefined
      ? undefined
      : { keyHash: typeof keyHash === 'string' ? keyHash.toLowerCase() : '', header: typeof header === 'string' ? header.toLowerCase() : 'x-admin-key' };
  const listed = admin['ipAllow'] ?? (key ? undefined : loopback);
  return {
    ...(key ? { key } : {}),
    ...(listed === undefined ? {} : { ipAllow: parseAddressRanges('config.admin.ipAllow', listed, check) }),
    loopbackOnly: admin['ipAllow'] === undefined && !key,
  };
}
