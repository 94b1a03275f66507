import type { Readable } from 'node:stream';
import { errors, type Dispatcher } from 'undici';
import type { Clock } from '../clock.ts';
import { gatewayError } from '../errors.ts';
import { CallDeadline } from './call-deadline.ts';
import type { FetchEvent, OnFetch } from './fetch-hooks.ts';
import type { NormalizedUpstreamTls } from '../tls/tls-config.ts';
import { withHttpCache } from './http-cache.ts';
import { withInFlightDedupe } from './in-flight-dedupe.ts';
import { createInstancePool, type InstanceLease, type InstancePool } from './instance-pool.ts';
import type { InstanceSpec, LoadBalancing, NormalizedHealthCheck, NormalizedOutlierDetection } from './instances-config.ts';
import { remainingTime } from './operation-deadline.ts';
import { defaultMaxResponseBytes, readBoundedText } from './read-bounded-text.ts';
import type { SendUpstream } from './received-response.ts';
import type { NormalizedBreaker, NormalizedRetries } from './resilience-config.ts';
import { createRetryBudget } from './retry-budget.ts';
import { withCircuitBreaker } from './with-circuit-breaker.ts';
import { withRetries } from './with-retries.ts';

/** Where and how to call one upstream service. */
export interface HttpClientOptions {
  /** The source's name, reported as `extensions.service`. */
  service: string;
  /** Base URL; request paths are appended to its path. Ignored with `urls` or `instances`. */
  url: string;
  /** Several instances of the service, instead of `url`: see `instances` for what one call does. */
  urls?: readonly InstanceSpec[];
  /**
   * How a call picks an instance (see {@link LoadBalancing}).
   * @default 'least-request'
   */
  loadBalancing?: LoadBalancing;
  /**
   * Passive ejection of failing instances; `false` for none.
   * @default false
   */
  outlierDetection?: NormalizedOutlierDetection | false;
  /**
   * Active health checks of the instances; `false` for none.
   * @default false
   */
  healthCheck?: NormalizedHealthCheck | false;
  /**
   * The instance pool to call through, kept by the caller (shared across schema swaps) and not
   * closed with the client; `url`, `urls`, `connections`, `tls`, `loadBalancing`,
   * `outlierDetection` and `healthCheck` are then the pool's business.
   * @default a pool of the client's own over `urls` (or `url`), closed with it
   */
  instances?: InstancePool;
  /** Deadline of one call (headers and body, every attempt included), in milliseconds. */
  timeout: number;
  /** Most keep-alive connections. */
  connections: number;
  /**
   * Most bytes of one answer read (see {@link readBoundedText}); a longer one fails the call with
   * `DOWNSTREAM_SERVICE_ERROR`, retried only when its status is one retries take (502, 503, 504).
   * @default 10485760 (10 MiB)
   */
  maxResponseBytes?: number;
  /** Headers sent on every call. */
  headers?: Record<string, string>;
  /** TLS towards an `https://` service: CAs to trust, a client certificate for mTLS, SNI name. */
  tls?: NormalizedUpstreamTls;
  /**
   * Reuse GET answers for as long as the service's `Cache-Control` allows (rules in cache-control.ts).
   * @default false
   */
  httpCache?: boolean;
  /**
   * Most bytes the HTTP cache keeps (counted as characters of bodies and keys); least recently used go first.
   * @default 20971520 (20 MiB)
   */
  httpCacheBytes?: number;
  /** The time the HTTP cache measures freshness on: a test's. @default performance.now() */
  httpCacheClock?: Clock;
  /**
   * Send identical reading calls (GETs, `readOnly` POSTs) that are in flight at the same moment once.
   * @default false
   */
  dedupeInFlight?: boolean;
  /**
   * Retries of reading calls (see `RetriesConfig` in resilience-config.ts).
   * @default no retries
   */
  retries?: NormalizedRetries;
  /**
   * The source's circuit breaker (see `BreakerConfig` in resilience-config.ts).
   * @default false
   */
  breaker?: NormalizedBreaker;
  /** Observers of every call (logs, metrics, traces): see {@link OnFetch}. */
  onFetch?: OnFetch;
}

/** One upstream call. */
export interface UpstreamRequest {
  method: string;
  /** Path and query string, appended to the base URL's path. */
  path: string;
  headers?: Record<string, string>;
  /** JSON text. */
  body?: string;
  /**
   * The call only reads, though its method is not GET (a GraphQL query): identical calls in flight
   * at the same moment may share one answer, and a failed one may be retried. GETs always may;
   * nothing else does.
   */
  readOnly?: boolean;
  /** The client request this call serves, for observers. */
  origin?: Request;
}

/** An upstream answer with its body parsed as JSON (or `undefined` when empty). */
export interface UpstreamResponse {
  status: number;
  body: unknown;
}

/** A client request passed through to the service as it came (plain routes). */
export interface ProxyRequest {
  method: string;
  /** Path and query string, appended to the base URL's path. */
  path: string;
  /** The headers to send, hop-by-hop ones already removed. */
  headers: Record<string, string | string[]>;
  /** The request body, streamed; `null` when there is none. */
  body: Readable | null;
  /** Aborts the call (the client went away). A service's silence is bounded by the source's `timeout`, before the headers and between body chunks. */
  signal?: AbortSignal;
  /** The silence allowed instead of the source's `timeout`, in milliseconds (a plain route's own `timeout`). */
  timeout?: number;
  /** The client request the call serves, for observers. */
  origin?: Request;
}

/** A keep-alive connection pool to one service. */
export interface HttpClient {
  request(request: UpstreamRequest): Promise<UpstreamResponse>;
  /**
   * Sends a request through as it came and gives the answer back unread, for the caller to
   * stream: the source's TLS and observers apply, not its JSON handling, cache, dedupe or retries.
   * Fails with `DOWNSTREAM_SERVICE_ERROR` (unreachable) or `GATEWAY_TIMEOUT` (no headers within the
   * source's `timeout`).
   */
  proxy(request: ProxyRequest): Promise<Dispatcher.ResponseData>;
  /** The instances it calls: discovery and announcements change them with `update()`. */
  readonly instances?: InstancePool;
  close(): Promise<void>;
}

/**
 * Creates the client of one service over its instance pool (one undici pool per instance).
 * Failures become field errors: `GATEWAY_TIMEOUT` past the deadline, `DOWNSTREAM_SERVICE_ERROR`
 * when the service cannot be reached or answers with something that is not JSON,
 * `SERVICE_UNAVAILABLE` when it has no instance at all. Messages name the service, never its URL.
 * With `dedupeInFlight` and `httpCache`, calls first join an identical call in flight, then look
 * in the cache, and only then go upstream: through the retries (each on an instance not tried yet
 * when there is one), each attempt through the circuit breaker, which fails it with
 * `SERVICE_UNAVAILABLE` while open, then to the instance the balancer picks.
 *
 * Observers see one call per client call (`onFetch`), not one per attempt: its `done` reports in
 * `instance` the instance that answered, or the last one tried when none did.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const { service, timeout, headers = {}, httpCache = false, httpCacheBytes, dedupeInFlight = false, retries, breaker = false, onFetch } = options;
  const { maxResponseBytes = defaultMaxResponseBytes } = options;
  const pool = options.instances ?? ownPool(options);
  const configuredOrigin = new URL(options.url).origin;
  const firstOrigin = () => pool.firstOrigin() ?? configuredOrigin;
  const upstreamError = (message: string, extensions: Record<string, unknown> = {}) =>
    gatewayError('DOWNSTREAM_SERVICE_ERROR', message, { rejectsRequest: false, extensions: { service, ...extensions } });
  const acquire = (tried?: Set<string>): InstanceLease => {
    const lease = pool.acquire(tried);
    if (!lease) throw gatewayError('SERVICE_UNAVAILABLE', `Service "${service}" has no instance to call.`, { rejectsRequest: false, extensions: { service } });
    tried?.add(lease.url);
    return lease;
  };

  let send: SendUpstream = async ({ method, path, headers: sentHeaders, body, deadline, timeout: attemptTimeout = deadline ?? timeout, tried }) => {
    const lease = acquire(tried);
    // Cleared when the answer is read (see CallDeadline): not AbortSignal.timeout(), whose timer and
    // signal live on for the whole timeout after the call, nor an AbortController per call.
    const signal = new CallDeadline(attemptTimeout);
    const started = performance.now();
    let response: Dispatcher.ResponseData;
    let text: string | undefined;
    try {
      response = await lease.dispatcher.request({ method: method as 'GET', path: lease.basePath + path || '/', headers: sentHeaders, body, signal });
      text = await readBoundedText(response, maxResponseBytes);
    } catch (cause) {
      lease.release({ failed: true });
      if (signal.aborted) {
        const error = gatewayError('GATEWAY_TIMEOUT', `Service "${service}" did not answer within ${attemptTimeout} ms.`, {
          rejectsRequest: false,
          extensions: { service },
        });
        throw Object.assign(error, { cause });
      }
      throw Object.assign(upstreamError(`Service "${service}" could not be reached.`), { cause });
    } finally {
      signal.clear();
    }
    const { statusCode: status, headers: responseHeaders } = response;
    lease.release({ failed: status >= 500, latencyMs: performance.now() - started });
    if (text === undefined) {
      const error = upstreamError(`Service "${service}" answered ${status} with a body over the limit of ${maxResponseBytes} bytes.`, {
        upstreamStatus: status,
      });
      // undici's own error for it, under the client's: the failure log tells the operator which option to raise.
      throw Object.assign(error, {
        cause: new errors.ResponseExceededMaxSizeError(`answered ${status} with a body over the limit of ${maxResponseBytes} bytes`),
      });
    }
    if (text.length === 0) return { status, headers: responseHeaders, text, body: undefined, instance: lease.origin };
    try {
      return { status, headers: responseHeaders, text, body: JSON.parse(text), instance: lease.origin };
    } catch {
      throw upstreamError(`Service "${service}" answered ${status} with a body that is not JSON.`, { upstreamStatus: status });
    }
  };
  if (breaker) send = withCircuitBreaker(send, service, breaker);
  if (retries && retries.attempts > 0) {
    const { budgetPercent, ...retryOptions } = retries;
    send = withRetries(send, { ...retryOptions, timeout, budget: createRetryBudget(budgetPercent) });
  }
  if (httpCache) send = withHttpCache(send, { maxBytes: httpCacheBytes, clock: options.httpCacheClock });
  if (dedupeInFlight) send = withInFlightDedupe(send);

  return {
    async request({ method, path, headers: callHeaders, body: sentBody, readOnly, origin }) {
      const sentHeaders: Record<string, string> = { accept: 'application/json' };
      if (sentBody !== undefined) sentHeaders['content-type'] = 'application/json';
      Object.assign(sentHeaders, headers, callHeaders);
      const event: FetchEvent = { service, instance: firstOrigin(), method, path, headers: sentHeaders };
      if (origin) event.origin = origin;
      const done = onFetch?.(event);
      const tried = new Set<string>();
      const started = performance.now();
      // The client request's deadline (operationTimeout) bounds the call when it leaves less than the source's timeout.
      const left = remainingTime(origin);
      const deadline = left === undefined || left >= timeout ? undefined : Math.floor(left);
      // Built field by field, not spread: one object per call, of one shape.
      const call: Parameters<SendUpstream>[0] = { method, path, headers: sentHeaders, tried };
      if (sentBody !== undefined) call.body = sentBody;
      if (readOnly !== undefined) call.readOnly = readOnly;
      if (deadline !== undefined) call.deadline = deadline;
      let status: number;
      let body: unknown;
      let instance: string | undefined;
      try {
        if (deadline !== undefined && deadline < 1) throw deadlinePassed(service);
        ({ status, body, instance } = await send(call));
      } catch (error) {
        done?.({ error: error as Error, durationMs: performance.now() - started, instance: answeredBy(event, tried) });
        throw error;
      }
      done?.({ status, durationMs: performance.now() - started, instance: answeredBy(event, tried, instance) });
      return { status, body };
    },
    async proxy({ origin, timeout: silence = timeout, ...call }) {
      // One instance, and a second only for a bodiless GET or HEAD that could not connect: a body
      // streamed once cannot be sent again.
      const tried = new Set<string>();
      const again = (call.method === 'GET' || call.method === 'HEAD') && call.body === null;
      let lease = acquire(tried);
      // Observers add to these (trace context, request id); they go out beside the client's own.
      const added: Record<string, string> = {};
      const event = { service, instance: lease.origin, method: call.method, path: call.path, headers: added, ...(origin ? { origin } : {}) };
      const done = onFetch?.(event);
      const started = performance.now();
      for (let attempt = 0; ; attempt++) {
        try {
          const response = await proxyTo(lease, call, added, silence);
          event.instance = lease.origin;
          done?.({ status: response.statusCode, durationMs: performance.now() - started, instance: lease.origin });
          return response;
        } catch (cause) {
          const timedOut = (cause as { code?: string }).code === 'UND_ERR_HEADERS_TIMEOUT';
          if (again && attempt === 0 && !timedOut && !call.signal?.aborted && pool.status().length > 1) {
            lease = acquire(tried);
            continue;
          }
          const error = timedOut
            ? gatewayError('GATEWAY_TIMEOUT', `Service "${service}" did not answer within ${silence} ms.`, { rejectsRequest: false, extensions: { service } })
            : upstreamError(`Service "${service}" could not be reached.`);
          event.instance = lease.origin;
          done?.({ error, durationMs: performance.now() - started, instance: lease.origin });
          throw Object.assign(error, { cause });
        }
      }
    },
    instances: pool,
    close: () => (options.instances ? Promise.resolve() : pool.close()),
  };
}

/** The pool of a client given no shared one: its own instances, closed with it. */
function ownPool(options: HttpClientOptions): InstancePool {
  const { service, url, urls, connections, tls, loadBalancing, outlierDetection = false, healthCheck = false } = options;
  return createInstancePool({
    service,
    instances: urls && urls.length > 0 ? urls : [{ url, weight: 1 }],
    connections,
    ...(tls ? { tls } : {}),
    ...(loadBalancing ? { loadBalancing } : {}),
    outlierDetection,
    healthCheck,
  });
}

/**
 * One pass-through attempt. No deadline on the whole exchange: a long download is fine while
 * bytes keep coming. The instance counts as busy until the answer's headers arrive.
 */
async function proxyTo(
  lease: InstanceLease,
  call: Omit<ProxyRequest, 'origin'>,
  added: Record<string, string>,
  timeout: number,
): Promise<Dispatcher.ResponseData> {
  const started = performance.now();
  try {
    const response = await lease.dispatcher.request({
      method: call.method as 'GET',
      path: lease.basePath + call.path || '/',
      headers: { ...call.headers, ...added },
      body: call.body,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      ...(call.signal ? { signal: call.signal } : {}),
    });
    lease.release({ failed: response.statusCode >= 500, latencyMs: performance.now() - started });
    return response;
  } catch (cause) {
    // A client that went away says nothing about the instance.
    lease.release({ failed: !call.signal?.aborted });
    throw cause;
  }
}

/** A call not made: the client request's deadline passed before it was due. */
function deadlinePassed(service: string): Error {
  return gatewayError('GATEWAY_TIMEOUT', `Service "${service}" was not called: the operation's deadline (operationTimeout) had passed.`, {
    rejectsRequest: false,
    extensions: { service },
  });
}

/** The instance a call's observers are told of: the one that answered, else the last one tried, else the one first named. */
function answeredBy(event: FetchEvent, tried: ReadonlySet<string>, instance?: string): string {
  event.instance = instance ?? originOf([...tried].at(-1)) ?? event.instance;
  return event.instance;
}

function originOf(url: string | undefined): string | undefined {
  return url === undefined ? undefined : new URL(url).origin;
}
