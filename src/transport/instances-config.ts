import { isPlainObject, type Checker } from '../config/config-checker.ts';

/** One instance of a source: its URL and its share of the traffic. */
export interface InstanceSpec {
  /** Base URL of the instance, without a trailing slash. */
  url: string;
  /** Relative share of the calls, from 1 to 1000. */
  weight: number;
}

/**
 * One entry of a source's `urls`: a URL, or a URL with its weight.
 * @example 'http://products-1:4003'
 * @example { url: 'http://products-2:4003', weight: 3 }
 */
export type InstanceConfig = string | { url: string; weight?: number };

/**
 * How a call picks one of a source's instances.
 * - `'least-request'` (Envoy's LEAST_REQUEST, the default): of two instances drawn at random, the
 *   one with fewer calls in flight (with unequal weights, one drawn with the chance
 *   `weight / (calls in flight + 1)`). Cheap, needs no history, spreads an idle pool by weight and
 *   steers away at once from an instance that slows down, since its calls pile up.
 * - `'round-robin'`: smooth weighted round robin, as nginx does it: over any run of calls each
 *   instance gets its weight's share, evenly interleaved. Best when instances are alike and calls cost the same.
 * - `'p2c-ewma'` (Linkerd, Finagle): two instances drawn at random, the cheaper wins, the cost being
 *   the instance's peak-sensitive moving average of latency × (calls in flight + 1) / weight.
 *   Best when instances differ in speed (mixed hardware, a noisy neighbour).
 */
export type LoadBalancing = 'least-request' | 'round-robin' | 'p2c-ewma';

/**
 * Active health checks: a GET of `path` on every instance each `interval`, off the request path.
 * An instance failing `unhealthyThreshold` checks in a row is taken out of rotation until it passes
 * `healthyThreshold` in a row. A check passes on a 2xx answer within `timeout`. Instances start
 * healthy; the first check runs at once.
 * @example { path: '/health', interval: '10s', timeout: '2s', healthyThreshold: 2, unhealthyThreshold: 3 }
 */
export interface HealthCheckConfig {
  /**
   * The path asked, on each instance's origin (not under the source's URL path).
   * @default '/health'
   */
  path?: string;
  /**
   * Time between two checks of one instance.
   * @default '10s'
   */
  interval?: string | number;
  /**
   * Time allowed for one check's answer.
   * @default '2s'
   */
  timeout?: string | number;
  /**
   * Checks passed in a row that bring an unhealthy instance back.
   * @default 2
   */
  healthyThreshold?: number;
  /**
   * Checks failed in a row that take an instance out of rotation.
   * @default 3
   */
  unhealthyThreshold?: number;
}

/**
 * Passive outlier ejection (Envoy's outlier detection), from the answers of real calls. After
 * `consecutiveFailures` failed calls in a row (not reachable, timeout, 5xx) an instance is ejected
 * for `baseEjectionTime` × the number of times it was ejected (at most `maxEjectionTime`), then
 * re-admitted on probation: its next failure ejects it again, its next success clears it. This is
 * the per-instance circuit: closed = in rotation, open = ejected, half-open = probation.
 * @example { consecutiveFailures: 3, baseEjectionTime: '10s' }
 */
export interface OutlierDetectionConfig {
  /**
   * Failed calls in a row that eject an instance.
   * @default 5
   */
  consecutiveFailures?: number;
  /**
   * Ejection time of a first ejection; the n-th lasts n times as long.
   * @default '30s'
   */
  baseEjectionTime?: string | number;
  /**
   * Longest ejection.
   * @default '300s'
   */
  maxEjectionTime?: string | number;
  /**
   * Most instances ejected at once, in percent of the source's instances (at least one may always
   * be). When every instance is out of rotation anyway, calls go to the one out the longest rather than fail.
   * @default 50
   */
  maxEjectionPercent?: number;
}

/** {@link HealthCheckConfig} with defaults filled in; durations in milliseconds. */
export interface NormalizedHealthCheck {
  path: string;
  interval: number;
  timeout: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
}

/** {@link OutlierDetectionConfig} with defaults filled in; durations in milliseconds. */
export interface NormalizedOutlierDetection {
  consecutiveFailures: number;
  baseEjectionTime: number;
  maxEjectionTime: number;
  maxEjectionPercent: number;
}

/** The default balancer: see {@link LoadBalancing}. */
export const defaultLoadBalancing: LoadBalancing = 'least-request';

/**
 * Checks a source's `urls`: at least one entry, each a URL or `{ url, weight }`, all of one
 * protocol and one path (TLS options and request paths are the source's, not an instance's). The
 * same URL twice counts once, with the weights added.
 */
export function normalizeInstanceUrls(value: unknown, key: string, check: Checker): InstanceSpec[] {
  if (!Array.isArray(value) || value.length === 0) {
    check.fail(key, "a non-empty list of URLs or { url, weight } objects, such as ['http://a:4001', 'http://b:4001']", value);
    return [];
  }
  const specs = value.map((entry, index) => normalizeInstance(entry, `${key}[${index}]`, check));
  const first = specs[0] && new URL(specs[0].url);
  specs.forEach((spec, index) => {
    if (!first || index === 0 || spec.url === 'http://invalid') return;
    const url = new URL(spec.url);
    if (url.protocol !== first.protocol)
      check.fail(`${key}[${index}]`, `a ${first.protocol}// URL like ${key}[0] (all instances share the source's TLS options)`, spec.url);
    else if (url.pathname !== first.pathname || url.search !== first.search)
      check.fail(`${key}[${index}]`, `a URL with the path "${first.pathname}${first.search}" of ${key}[0] (all instances serve the same paths)`, spec.url);
  });
  const merged = new Map<string, InstanceSpec>();
  for (const spec of specs) {
    const same = merged.get(spec.url);
    if (same) same.weight += spec.weight;
    else merged.set(spec.url, { ...spec });
  }
  return [...merged.values()];
}

function normalizeInstance(entry: unknown, key: string, check: Checker): InstanceSpec {
  if (typeof entry === 'string') return { url: check.url(key, entry), weight: 1 };
  if (!isPlainObject(entry)) {
    check.fail(key, "a URL or an object such as { url: 'http://a:4001', weight: 2 }", entry);
    return { url: 'http://invalid', weight: 1 };
  }
  check.knownKeys(key, entry, ['url', 'weight']);
  return { url: check.url(`${key}.url`, entry['url']), weight: check.integer(`${key}.weight`, entry['weight'] ?? 1, 1, 1000) };
}

/** Checks a source's `loadBalancing`. */
export function normalizeLoadBalancing(value: unknown, key: string, check: Checker): LoadBalancing {
  return check.oneOf(key, value ?? defaultLoadBalancing, ['least-request', 'round-robin', 'p2c-ewma'] as const);
}

/** Checks a source's `healthCheck`: `false` or absent for none, `true` for the defaults. */
export function normalizeHealthCheckOptions(value: unknown, key: string, check: Checker): NormalizedHealthCheck | false {
  if (value === undefined || value === false) return false;
  const raw = value === true ? {} : value;
  if (!isPlainObject(raw)) {
    check.fail(key, "false, true or an object such as { path: '/health', interval: '10s' }", value);
    return false;
  }
  check.knownKeys(key, raw, ['path', 'interval', 'timeout', 'healthyThreshold', 'unhealthyThreshold']);
  const interval = check.duration(`${key}.interval`, raw['interval'] ?? 10_000, 100, 3_600_000);
  return {
    path: check.path(`${key}.path`, raw['path'] ?? '/health'),
    interval,
    timeout: check.duration(`${key}.timeout`, raw['timeout'] ?? Math.min(2_000, interval), 1, interval),
    healthyThreshold: check.integer(`${key}.healthyThreshold`, raw['healthyThreshold'] ?? 2, 1, 100),
    unhealthyThreshold: check.integer(`${key}.unhealthyThreshold`, raw['unhealthyThreshold'] ?? 3, 1, 100),
  };
}

/** Checks a source's `outlierDetection`: on by default, `false` turns it off. */
export function normalizeOutlierDetectionOptions(value: unknown, key: string, check: Checker): NormalizedOutlierDetection | false {
  if (value === false) return false;
  const raw = value ?? {};
  if (!isPlainObject(raw)) {
    check.fail(key, "false or an object such as { consecutiveFailures: 5, baseEjectionTime: '30s' }", value);
    return false;
  }
  check.knownKeys(key, raw, ['consecutiveFailures', 'baseEjectionTime', 'maxEjectionTime', 'maxEjectionPercent']);
  const baseEjectionTime = check.duration(`${key}.baseEjectionTime`, raw['baseEjectionTime'] ?? 30_000, 1, 3_600_000);
  return {
    consecutiveFailures: check.integer(`${key}.consecutiveFailures`, raw['consecutiveFailures'] ?? 5, 1, 1000),
    baseEjectionTime,
    maxEjectionTime: check.duration(`${key}.maxEjectionTime`, raw['maxEjectionTime'] ?? Math.max(300_000, baseEjectionTime), baseEjectionTime, 86_400_000),
    maxEjectionPercent: check.integer(`${key}.maxEjectionPercent`, raw['maxEjectionPercent'] ?? 50, 0, 100),
  };
}

/** A source's instance options with defaults filled in. */
export interface NormalizedInstances {
  /** The instances of a source configured with `urls`; absent with `url` (one instance, of weight 1). */
  urls?: InstanceSpec[];
  loadBalancing: LoadBalancing;
  /** Active health checks, or `false`. */
  healthCheck: NormalizedHealthCheck | false;
  /** Passive outlier ejection, or `false`. */
  outlierDetection: NormalizedOutlierDetection | false;
}

/**
 * Checks a source's `urls` (exactly one of `url` and `urls`; with `tls`, https:// instances),
 * `loadBalancing`, `healthCheck` and `outlierDetection`, each problem named by `keyOf(option)`.
 */
export function normalizeSourceInstances(source: Record<string, unknown>, keyOf: (option: string) => string, check: Checker): NormalizedInstances {
  const raw = source['urls'];
  if (raw !== undefined && source['url'] !== undefined) check.fail(keyOf('urls'), 'no urls beside url (one or the other)', raw);
  const urls = raw === undefined ? undefined : normalizeInstanceUrls(raw, keyOf('urls'), check);
  const first = urls?.[0]?.url;
  if (source['tls'] !== undefined && first !== undefined && !first.startsWith('https://'))
    check.fail(`${keyOf('urls')}[0]`, 'https:// URLs, since tls is set', first);
  return {
    ...(urls ? { urls } : {}),
    loadBalancing: normalizeLoadBalancing(source['loadBalancing'], keyOf('loadBalancing'), check),
    healthCheck: normalizeHealthCheckOptions(source['healthCheck'], keyOf('healthCheck'), check),
    outlierDetection: normalizeOutlierDetectionOptions(source['outlierDetection'], keyOf('outlierDetection'), check),
  };
}
