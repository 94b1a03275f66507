import type { NormalizedSource } from '../config/normalize-config.ts';
import type { OnFetch } from '../transport/fetch-hooks.ts';
import { createHttpClient, type HttpClient } from '../transport/http-client.ts';

/** The HTTP client of one source, with the source's own options (timeout, pool, TLS, reuse, retries, breaker), whatever its kind. */
export function createSourceClient(source: NormalizedSource, onFetch?: OnFetch): HttpClient {
  return createHttpClient({
    service: source.name,
    url: source.url,
    timeout: source.timeout,
    connections: source.connections,
    headers: source.headers,
    tls: source.tls,
    httpCache: source.httpCache,
    dedupeInFlight: source.dedupeInFlight,
    retries: source.retries,
    breaker: source.breaker,
    ...(onFetch ? { onFetch } : {}),
  });
}
