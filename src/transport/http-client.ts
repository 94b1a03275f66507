import type { Readable } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';
import { gatewayError } from '../errors.ts';
import type { OnFetch } from './fetch-hooks.ts';
import type { NormalizedUpstreamTls } from '../tls/tls-config.ts';
import { withHttpCache } from './http-cache.ts';
import { withInFlightDedupe } from './in-flight-dedupe.ts';
import type { SendUpstream } from './received-response.ts';
import type { NormalizedBreaker, NormalizedRetries } from './resilience-config.ts';
import { createRetryBudget } from './retry-budget.ts';
import { withCircuitBreaker } from './with-circuit-breaker.ts';
import { withRetries } from './with-retries.ts';

/** Where and how to call one upstream service. */
export interface HttpClientOptions {
  /** The source's name, reported as `extensions.service`. */
  service: string;
  /** Base URL; request paths are appended to its path. */
  url: string;
  /** Deadline of one call (headers and body, every attempt included), in milliseconds. */
  timeout: number;
  /** Most keep-alive connections. */
  connections: number;
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
  close(): Promise<void>;
}

/**
 * Creates the client of one service over an undici pool. Failures become field errors:
 * `GATEWAY_TIMEOUT` past the deadline, `DOWNSTREAM_SERVICE_ERROR` when the service cannot be
 * reached or answers with something that is not JSON. Messages name the service, never its URL.
 * With `dedupeInFlight` and `httpCache`, calls first join an identical call in flight, then look
 * in the cache, and only then go upstream: through the retries, each attempt through the circuit
 * breaker, which fails it with `SERVICE_UNAVAILABLE` while open.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const { service, timeout, connections, headers = {}, tls, httpCache = false, httpCacheBytes, dedupeInFlight = false, retries, breaker = false, onFetch } = options;
  const base = new URL(options.url);
  const basePath = base.pathname.replace(/\/+$/, '');
  const connect = tls && { ca: tls.ca, cert: tls.cert, key: tls.key, servername: tls.servername, rejectUnauthorized: tls.rejectUnauthorized };
  const pool = new Pool(base.origin, { connections, keepAliveTimeout: 30_000, pipelining: 1, ...(connect ? { connect } : {}) });
  const upstreamError = (message: string, extensions: Record<string, unknown> = {}) =>
    gatewayError('DOWNSTREAM_SERVICE_ERROR', message, { rejectsRequest: false, extensions: { service, ...extensions } });

  let send: SendUpstream = async ({ method, path, headers: sentHeaders, body, timeout: attemptTimeout = timeout }) => {
    const signal = AbortSignal.timeout(attemptTimeout);
    let response: Dispatcher.ResponseData;
    let text: string;
    try {
      response = await pool.request({ method: method as 'GET', path: basePath + path || '/', headers: sentHeaders, body, signal });
      text = await response.body.text();
    } catch {
      if (signal.aborted) {
        throw gatewayError('GATEWAY_TIMEOUT', `Service "${service}" did not answer within ${attemptTimeout} ms.`, {
          rejectsRequest: false,
          extensions: { service },
        });
      }
      throw upstreamError(`Service "${service}" could not be reached.`);
    }
    const { statusCode: status, headers: responseHeaders } = response;
    if (text.length === 0) return { status, headers: responseHeaders, text, body: undefined };
    try {
      return { status, headers: responseHeaders, text, body: JSON.parse(text) };
    } catch {
      throw upstreamError(`Service "${service}" answered ${status} with a body that is not JSON.`, { upstreamStatus: status });
    }
  };
  if (breaker) send = withCircuitBreaker(send, service, breaker);
  if (retries && retries.attempts > 0) {
    const { budgetPercent, ...retryOptions } = retries;
    send = withRetries(send, { ...retryOptions, timeout, budget: createRetryBudget(budgetPercent) });
  }
  if (httpCache) send = withHttpCache(send, httpCacheBytes === undefined ? {} : { maxBytes: httpCacheBytes });
  if (dedupeInFlight) send = withInFlightDedupe(send);

  return {
    async request({ headers: callHeaders, origin, ...call }) {
      const sentHeaders = { accept: 'application/json', ...(call.body === undefined ? {} : { 'content-type': 'application/json' }), ...headers, ...callHeaders };
      const done = onFetch?.({ service, instance: base.origin, method: call.method, path: call.path, headers: sentHeaders, ...(origin ? { origin } : {}) });
      const started = performance.now();
      let status: number;
      let body: unknown;
      try {
        ({ status, body } = await send({ ...call, headers: sentHeaders }));
      } catch (error) {
        done?.({ error: error as Error, durationMs: performance.now() - started });
        throw error;
      }
      done?.({ status, durationMs: performance.now() - started });
      return { status, body };
    },
    async proxy({ origin, ...call }) {
      // Observers add to these (trace context, request id); they go out beside the client's own.
      const added: Record<string, string> = {};
      const done = onFetch?.({ service, instance: base.origin, method: call.method, path: call.path, headers: added, ...(origin ? { origin } : {}) });
      const started = performance.now();
      try {
        // No deadline on the whole exchange: a long download is fine while bytes keep coming.
        const response = await pool.request({
          method: call.method as 'GET',
          path: basePath + call.path || '/',
          headers: { ...call.headers, ...added },
          body: call.body,
          headersTimeout: timeout,
          bodyTimeout: timeout,
          ...(call.signal ? { signal: call.signal } : {}),
        });
        done?.({ status: response.statusCode, durationMs: performance.now() - started });
        return response;
      } catch (cause) {
        const error = (cause as { code?: string }).code === 'UND_ERR_HEADERS_TIMEOUT'
          ? gatewayError('GATEWAY_TIMEOUT', `Service "${service}" did not answer within ${timeout} ms.`, { rejectsRequest: false, extensions: { service } })
          : upstreamError(`Service "${service}" could not be reached.`);
        done?.({ error, durationMs: performance.now() - started });
        throw Object.assign(error, { cause });
      }
    },
    close: () => pool.close(),
  };
}
