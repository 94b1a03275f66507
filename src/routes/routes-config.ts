import { isPlainObject, show } from '../config/config-checker.ts';
import type { FeatureContext } from '../config/feature-options.ts';
import { parseWindow } from '../rate-limits/parse-window.ts';
import { compileRoutePattern, patternSyntax, type RoutePattern } from './route-pattern.ts';

/**
 * One plain REST route: requests whose path matches are proxied to a source's service, through the
 * same front door as GraphQL (network rules, authentication, plans and rate limits, access log,
 * metrics, tracing, identity headers) and through the source's own HTTP client.
 * @example { source: 'orders', methods: ['GET', 'POST'], scopes: ['orders:read'] }
 */
export interface RouteConfig {
  /** The source whose service answers: a `rest` or `graphql` source of `sources`. */
  source: string;
  /**
   * Methods proxied; another method gets 405 `METHOD_NOT_ALLOWED` with `Allow`. `HEAD` is allowed
   * wherever `GET` is.
   * @default ['GET', 'HEAD']
   */
  methods?: string[];
  /**
   * Send only what the pattern's `*` matched (Kong's `strip_path`): `/api/orders/*` sends
   * `/api/orders/7?x=1` as `/7?x=1` below the source's URL. Without it (and without `rewrite`) the
   * path goes as the client sent it.
   * @default false
   */
  stripPrefix?: boolean;
  /**
   * The path sent below the source's URL, with the pattern's `:name` parameters and a final `/*`
   * filled in from the request (KrakenD's `url_pattern`); the query string is kept.
   * @example '/orders/*' (for the pattern '/api/orders/*')
   */
  rewrite?: string;
  /**
   * Whether callers must authenticate. `'optional'` lets anonymous callers through even when
   * `authentication.required` is on; a credential that is sent is verified all the same.
   * @default 'required' when `authentication.required` is on, else 'optional'
   */
  authentication?: 'required' | 'optional';
  /**
   * Scopes the consumer must all have (403 `FORBIDDEN` otherwise); implies authentication.
   * @default []
   */
  scopes?: string[];
  /**
   * How long the service may stay silent (before the answer's headers, and between body chunks):
   * milliseconds or a duration such as `'30s'`. 504 `GATEWAY_TIMEOUT` when it is before the headers.
   * @default the source's `timeout`
   */
  timeout?: string | number;
  /**
   * Largest request body, in bytes, streamed to the service (never held whole by the gateway);
   * `maxRequestBytes` does not apply to routes. Over it: 413 `PAYLOAD_TOO_LARGE`.
   * @default 10485760 (10 MiB)
   */
  maxBodyBytes?: number;
  /**
   * A request budget of this route per caller (consumer, else client address), on top of the
   * caller's plan (`rateLimits.plans`, where a route request counts as one request).
   * @example { max: 100, window: '1m' }
   */
  rateLimit?: { max: number; window?: string | number };
}

/** A route, checked. */
export interface NormalizedRoute {
  pattern: RoutePattern;
  source: string;
  /** Upper-case, `HEAD` included wherever `GET` is. */
  methods: string[];
  stripPrefix: boolean;
  rewrite?: string;
  /** `undefined` follows `authentication.required`. */
  authentication?: 'required' | 'optional';
  scopes: string[];
  timeout?: number;
  maxBodyBytes: number;
  rateLimit?: { max: number; windowMs: number };
}

/** What routes are checked against: the sources, and the paths the gateway itself answers. */
export interface RoutesContext {
  sources: ReadonlyArray<{ name: string; kind: string }>;
  /** Whether sources may come from the registry (`registry.follow`), so an unknown name is not a mistake. */
  sourcesFromRegistry: boolean;
  /** Paths a route must not take: the GraphQL endpoint, probes, admin surfaces. */
  reservedPaths: readonly string[];
}

const routeKeys = ['source', 'methods', 'stripPrefix', 'rewrite', 'authentication', 'scopes', 'timeout', 'maxBodyBytes', 'rateLimit'];
const knownMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** Checks `routes`, most specific pattern first (the order requests are matched in). */
export function normalizeRoutesOptions(raw: unknown, { check }: FeatureContext, context: RoutesContext): NormalizedRoute[] {
  if (raw === undefined) return [];
  if (!isPlainObject(raw)) {
    check.fail('config.routes', "an object of path patterns, e.g. { '/api/orders/*': { source: 'orders' } }", raw);
    return [];
  }
  const routes: NormalizedRoute[] = [];
  for (const [text, options] of Object.entries(raw)) {
    const key = `config.routes.${text}`;
    if (!patternSyntax.test(text)) {
      check.problem(
        `${key}: expected a path pattern such as "/api/orders/*", "/api/users/:id" or "/api/status" (segments, :name parameters, an optional final /*), got ${show(text)}`,
      );
      continue;
    }
    if (!isPlainObject(options)) {
      check.fail(key, 'an object { source, methods, ... }', options);
      continue;
    }
    check.knownKeys(key, options, routeKeys);
    const pattern = compileRoutePattern(text);
    const shadowed = context.reservedPaths.find((path) => pattern.match(path));
    if (shadowed) check.problem(`${key}: expected a pattern that leaves the gateway's own paths alone, got one that matches ${shadowed}`);
    routes.push({ pattern, ...normalizeRoute(key, options, check, context) });
  }
  return routes.sort((a, b) => b.pattern.specificity - a.pattern.specificity);
}

function normalizeRoute(
  key: string,
  options: Record<string, unknown>,
  check: FeatureContext['check'],
  context: RoutesContext,
): Omit<NormalizedRoute, 'pattern'> {
  const source = check.string(`${key}.source`, options['source']);
  const found = context.sources.find((candidate) => candidate.name === source);
  if (source !== '' && !found && !context.sourcesFromRegistry) {
    check.fail(
      `${key}.source`,
      `the name of a rest or graphql source (${context.sources.map((candidate) => candidate.name).join(', ') || 'none configured'})`,
      source,
    );
  }
  if (found && found.kind !== 'rest' && found.kind !== 'graphql') check.fail(`${key}.source`, `a rest or graphql source, not a ${found.kind} one`, source);
  const listed = check.stringList(`${key}.methods`, options['methods'] ?? ['GET', 'HEAD']).map((method) => method.toUpperCase());
  const unknown = listed.filter((method) => !knownMethods.includes(method));
  if (unknown.length > 0) check.fail(`${key}.methods`, `methods among ${knownMethods.join(', ')}`, options['methods']);
  const methods = [...new Set([...listed, ...(listed.includes('GET') ? ['HEAD'] : [])])];
  const rewrite = options['rewrite'] === undefined ? undefined : check.path(`${key}.rewrite`, options['rewrite']);
  const stripPrefix = check.boolean(`${key}.stripPrefix`, options['stripPrefix'] ?? false);
  if (rewrite !== undefined && stripPrefix) check.fail(`${key}.stripPrefix`, 'no stripPrefix beside rewrite (rewrite already says the whole path)', true);
  return {
    source,
    methods,
    stripPrefix,
    ...(rewrite === undefined ? {} : { rewrite }),
    ...(options['authentication'] === undefined
      ? {}
      : { authentication: check.oneOf(`${key}.authentication`, options['authentication'], ['required', 'optional'] as const) }),
    scopes: check.stringList(`${key}.scopes`, options['scopes'] ?? []),
    ...(options['timeout'] === undefined ? {} : { timeout: check.duration(`${key}.timeout`, options['timeout'], 1, 600_000) }),
    maxBodyBytes: check.integer(`${key}.maxBodyBytes`, options['maxBodyBytes'] ?? 10_485_760, 0, Number.MAX_SAFE_INTEGER),
    ...optionalRateLimit(`${key}.rateLimit`, options['rateLimit'], check),
  };
}

function optionalRateLimit(key: string, value: unknown, check: FeatureContext['check']): { rateLimit?: { max: number; windowMs: number } } {
  if (value === undefined) return {};
  if (!isPlainObject(value)) {
    check.fail(key, 'an object { max, window }', value);
    return {};
  }
  check.knownKeys(key, value, ['max', 'window']);
  return { rateLimit: { max: check.integer(`${key}.max`, value['max'], 1, 1_000_000_000), windowMs: parseWindow(`${key}.window`, value['window'], check) } };
}
