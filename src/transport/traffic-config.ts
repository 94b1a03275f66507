import { isPlainObject, type Checker } from '../config/config-checker.ts';
import { normalizeInstanceUrls, type InstanceConfig, type InstanceSpec } from './instances-config.ts';

/**
 * Another version of a source (a canary, or the B of an A/B test), served beside the source's own
 * URL, which is the `stable` version. Each call of a client request goes to the version its caller
 * was given (see {@link VersionOverrideConfig} for testers): the same caller always gets the same
 * version, and `weight` percent of the callers get this one.
 * @example { url: 'http://orders-v2:4002/graphql', weight: 10 }
 */
export interface VersionConfig {
  /** The version's URL (one instance). Give `url` or `urls`, not both. */
  url?: string;
  /** The version's instances, as a source's `urls`. */
  urls?: InstanceConfig[];
  /**
   * Share of the callers sent to this version, in percent (an integer from 0 to 100). The weights of
   * a source's versions add up to at most 100; the `stable` version gets the rest. Raising a weight
   * keeps the callers the version already had (sticky hashing, see the README).
   */
  weight: number;
  /**
   * Headers sent on every call to this version, over the source's own `headers`.
   * @default {}
   */
  headers?: Record<string, string>;
  /**
   * Time allowed for one call to this version, in milliseconds.
   * @default the source's `timeout`
   */
  timeout?: number;
}

/**
 * Who may choose a version themselves, and how: a header or a cookie naming versions by source,
 * `orders=v2` or `orders=v2,products=stable`. The header wins over the cookie; a version the source
 * does not have is ignored (logged at `debug`). `true` lets every caller choose (development,
 * staging); `false` lets nobody.
 * @default { header: 'concierge-version', cookie: 'concierge-version', scope: 'version:override' }
 * @example { scope: 'qa' }
 */
export interface VersionOverrideConfig {
  /**
   * The request header read; `false` reads none.
   * @default 'concierge-version'
   */
  header?: string | false;
  /**
   * The cookie read; `false` reads none.
   * @default 'concierge-version'
   */
  cookie?: string | false;
  /**
   * The scope a consumer needs for its choice to count; `false` lets anyone (anonymous callers
   * included) choose. In production, a client choosing the canary for itself skews a rollout's
   * figures and reaches code still on trial, hence the default.
   * @default 'version:override'
   */
  scope?: string | false;
}

/**
 * Mirrored (shadow) traffic: a share of a source's reading calls is copied to another service and
 * the two answers compared, to try a new release on real traffic. The client only ever sees the
 * source's own answer, at its own pace: copies are sent in the background once that answer is in,
 * their failures never surface, and they never count toward the source's retries or breaker.
 * @example { url: 'http://orders-next:4002/graphql', percent: 10 }
 */
export interface MirrorConfig {
  /** The shadow's URL. Give `url` or `urls`, not both. */
  url?: string;
  /** The shadow's instances, as a source's `urls`. */
  urls?: InstanceConfig[];
  /**
   * Share of the reading calls copied, in percent (0 to 100). The choice follows the client
   * request's id, so every call of one request is copied or none is.
   * @default 100
   */
  percent?: number;
  /**
   * Copy writes too (mutations, POST/PUT/PATCH/DELETE): only for a shadow with its own data, since
   * every copied write is done twice.
   * @default false
   */
  mutations?: boolean;
  /**
   * Time allowed for one copy.
   * @default the source's `timeout`
   */
  timeout?: string | number;
  /**
   * Most copies in flight at once; more are dropped (and counted as `dropped`), so a slow shadow
   * never piles up work in the gateway.
   * @default 100
   */
  maxInFlight?: number;
  /**
   * Compare each copy's answer with the source's: the status, and the JSON bodies in depth (key
   * order ignored). `false` only sends the copies (counted as `uncompared`).
   * @default true
   */
  compare?: boolean;
  /**
   * Paths left out of the comparison, dot-separated, `*` standing for any one key or list index.
   * @default ['extensions']
   * @example ['extensions', 'data.orders.*.updatedAt']
   */
  ignore?: string[];
  /**
   * A difference is logged (at `warn`, with the path of the first difference and the two values,
   * never whole bodies) for the first one and then once per this many.
   * @default 100
   */
  logEvery?: number;
  /**
   * Headers sent on every copy, over the source's own `headers`.
   * @default {}
   */
  headers?: Record<string, string>;
}

/** A version with its defaults filled in. */
export interface NormalizedVersion {
  name: string;
  /** Percent of the callers. */
  weight: number;
  instances: InstanceSpec[];
  headers: Record<string, string>;
  timeout?: number;
}

/** {@link VersionOverrideConfig} with defaults filled in: `undefined` reads no header, cookie or scope. */
export interface NormalizedVersionOverride {
  header?: string;
  cookie?: string;
  scope?: string;
}

/** A source's versions besides `stable`, in the order given, and who may choose one. */
export interface NormalizedVersions {
  versions: NormalizedVersion[];
  /** `false`: no caller may choose. */
  override: NormalizedVersionOverride | false;
}

/** {@link MirrorConfig} with defaults filled in; durations in milliseconds. */
export interface NormalizedMirror {
  instances: InstanceSpec[];
  percent: number;
  mutations: boolean;
  timeout: number;
  maxInFlight: number;
  compare: boolean;
  /** Each path as its steps. */
  ignore: string[][];
  logEvery: number;
  headers: Record<string, string>;
}

/** The name a source's own URL goes by among its versions. */
export const stableVersion = 'stable';

const versionName = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/** Checks a source's `versions` and `versionOverride`; `undefined` when it has no versions. */
export function normalizeVersionsOptions(
  value: unknown,
  overrideValue: unknown,
  key: string,
  overrideKey: string,
  check: Checker,
): NormalizedVersions | undefined {
  if (value === undefined) {
    if (overrideValue !== undefined) check.fail(overrideKey, 'no versionOverride without versions', overrideValue);
    return undefined;
  }
  if (!isPlainObject(value) || Object.keys(value).length === 0) {
    check.fail(key, "an object of versions by name, such as { v2: { url: 'http://orders-v2:4002', weight: 10 } }", value);
    return undefined;
  }
  const versions = Object.entries(value).map(([name, raw]) => normalizeVersion(name, raw, `${key}.${name}`, check));
  const total = versions.reduce((sum, { weight }) => sum + weight, 0);
  if (total > 100)
    check.fail(
      key,
      `weights adding up to at most 100 (percent of the callers; the "${stableVersion}" version gets the rest)`,
      total,
      ` (the sum of ${versions.map(({ name, weight }) => `${name} ${weight}`).join(', ')})`,
    );
  return { versions, override: normalizeOverride(overrideValue, overrideKey, check) };
}

function normalizeVersion(name: string, raw: unknown, key: string, check: Checker): NormalizedVersion {
  if (name === stableVersion) check.fail(key, `a name other than "${stableVersion}" (the source's own url is the stable version)`, name);
  else if (!versionName.test(name)) check.fail(key, 'a name of letters, digits, ".", "-" and "_" starting with a letter', name);
  if (!isPlainObject(raw)) {
    check.fail(key, "an object such as { url: 'http://orders-v2:4002', weight: 10 }", raw);
    return { name, weight: 0, instances: [], headers: {} };
  }
  check.knownKeys(key, raw, ['url', 'urls', 'weight', 'headers', 'timeout']);
  return {
    name,
    weight: check.integer(`${key}.weight`, raw['weight'], 0, 100, ' (percent of the callers)'),
    instances: normalizeUrls(raw, key, check),
    headers: check.stringRecord(`${key}.headers`, raw['headers'] ?? {}),
    ...(raw['timeout'] === undefined ? {} : { timeout: check.integer(`${key}.timeout`, raw['timeout'], 1, 600_000) }),
  };
}

function normalizeOverride(value: unknown, key: string, check: Checker): NormalizedVersionOverride | false {
  if (value === false) return false;
  if (value === true) return { header: 'concierge-version', cookie: 'concierge-version' };
  const raw = value ?? {};
  if (!isPlainObject(raw)) {
    check.fail(key, "true, false or an object such as { header: 'concierge-version', scope: 'version:override' }", value);
    return false;
  }
  check.knownKeys(key, raw, ['header', 'cookie', 'scope']);
  /** The option's name, `undefined` when turned off with `false`. */
  const nameOf = (option: string, fallback: string): string | undefined => {
    const given = raw[option] ?? fallback;
    return given === false ? undefined : check.string(`${key}.${option}`, given);
  };
  const [header, cookie, scope] = [
    nameOf('header', 'concierge-version')?.toLowerCase(),
    nameOf('cookie', 'concierge-version'),
    nameOf('scope', 'version:override'),
  ];
  return { ...(header ? { header } : {}), ...(cookie ? { cookie } : {}), ...(scope ? { scope } : {}) };
}

/** Checks a source's `mirror`; `undefined` when it mirrors nothing. */
export function normalizeMirrorOptions(value: unknown, key: string, sourceTimeout: number, check: Checker): NormalizedMirror | undefined {
  if (value === undefined || value === false) return undefined;
  if (!isPlainObject(value)) {
    check.fail(key, "false or an object such as { url: 'http://orders-next:4002', percent: 10 }", value);
    return undefined;
  }
  check.knownKeys(key, value, ['url', 'urls', 'percent', 'mutations', 'timeout', 'maxInFlight', 'compare', 'ignore', 'logEvery', 'headers']);
  return {
    instances: normalizeUrls(value, key, check),
    percent: check.integer(`${key}.percent`, value['percent'] ?? 100, 0, 100, ' (percent of the reading calls)'),
    mutations: check.boolean(`${key}.mutations`, value['mutations'] ?? false),
    timeout: check.duration(`${key}.timeout`, value['timeout'] ?? sourceTimeout, 1, 600_000),
    maxInFlight: check.integer(`${key}.maxInFlight`, value['maxInFlight'] ?? 100, 1, 100_000),
    compare: check.boolean(`${key}.compare`, value['compare'] ?? true),
    ignore: check.stringList(`${key}.ignore`, value['ignore'] ?? ['extensions']).map((path) => path.split('.')),
    logEvery: check.integer(`${key}.logEvery`, value['logEvery'] ?? 100, 1, 1_000_000),
    headers: check.stringRecord(`${key}.headers`, value['headers'] ?? {}),
  };
}

/** `url` or `urls` of a version or a mirror, exactly one of them. */
function normalizeUrls(raw: Record<string, unknown>, key: string, check: Checker): InstanceSpec[] {
  if (raw['url'] !== undefined && raw['urls'] !== undefined) {
    check.fail(`${key}.urls`, 'no urls beside url (one or the other)', raw['urls']);
    return [];
  }
  if (raw['urls'] !== undefined) return normalizeInstanceUrls(raw['urls'], `${key}.urls`, check);
  return [{ url: check.url(`${key}.url`, raw['url']), weight: 1 }];
}
