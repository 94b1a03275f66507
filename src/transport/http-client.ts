import { Pool } from 'undici';
import { gatewayError } from '../errors.ts';
import type { NormalizedUpstreamTls } from '../tls/tls-config.ts';

/** Where and how to call one upstream service. */
export interface HttpClientOptions {
  /** The source's name, reported as `extensions.service`. */
  service: string;
  /** Base URL; request paths are appended to its path. */
  url: string;
  /** Deadline of one call (headers and body), in milliseconds. */
  timeout: number;
  /** Most keep-alive connections. */
  connections: number;
  /** Headers sent on every call. */
  headers?: Record<string, string>;
  /** TLS towards an `https://` service: CAs to trust, a client certificate for mTLS, SNI name. */
  tls?: NormalizedUpstreamTls;
}

/** One upstream call. */
export interface UpstreamRequest {
  method: string;
  /** Path and query string, appended to the base URL's path. */
  path: string;
  headers?: Record<string, string>;
  /** JSON text. */
  body?: string;
}

/** An upstream answer with its body parsed as JSON (or `undefined` when empty). */
export interface UpstreamResponse {
  status: number;
  body: unknown;
}

/** A keep-alive connection pool to one service. */
export interface HttpClient {
  request(request: UpstreamRequest): Promise<UpstreamResponse>;
  close(): Promise<void>;
}

/**
 * Creates the client of one service over an undici pool. Failures become field errors:
 * `GATEWAY_TIMEOUT` past the deadline, `DOWNSTREAM_SERVICE_ERROR` when the service cannot be
 * reached or answers with something that is not JSON. Messages name the service, never its URL.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const { service, timeout, connections, headers = {}, tls } = options;
  const base = new URL(options.url);
  const basePath = base.pathname.replace(/\/+$/, '');
  const connect = tls && { ca: tls.ca, cert: tls.cert, key: tls.key, servername: tls.servername, rejectUnauthorized: tls.rejectUnauthorized };
  const pool = new Pool(base.origin, { connections, keepAliveTimeout: 30_000, pipelining: 1, ...(connect ? { connect } : {}) });
  const upstreamError = (message: string, extensions: Record<string, unknown> = {}) =>
    gatewayError('DOWNSTREAM_SERVICE_ERROR', message, { rejectsRequest: false, extensions: { service, ...extensions } });

  return {
    async request({ method, path, headers: callHeaders, body }) {
      const signal = AbortSignal.timeout(timeout);
      let status: number;
      let text: string;
      try {
        const response = await pool.request({
          method: method as 'GET',
          path: basePath + path || '/',
          headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers, ...callHeaders },
          body,
          signal,
        });
        status = response.statusCode;
        text = await response.body.text();
      } catch {
        if (signal.aborted) {
          throw gatewayError('GATEWAY_TIMEOUT', `Service "${service}" did not answer within ${timeout} ms.`, {
            rejectsRequest: false,
            extensions: { service },
          });
        }
        throw upstreamError(`Service "${service}" could not be reached.`);
      }
      if (text.length === 0) return { status, body: undefined };
      try {
        return { status, body: JSON.parse(text) };
      } catch {
        throw upstreamError(`Service "${service}" answered ${status} with a body that is not JSON.`, { upstreamStatus: status });
      }
    },
    close: () => pool.close(),
  };
}
