import type { NormalizedSource } from '../config/normalize-config.ts';
import type { OnFetch } from '../transport/fetch-hooks.ts';
import { createHttpClient, type HttpClient } from '../transport/http-client.ts';
import type { InstancePools } from '../transport/instance-pools.ts';
import { splitTraffic } from '../transport/split-traffic.ts';

/**
 * The HTTP client of one source, with the source's own options (instances, balancing, health,
 * timeout, pool, TLS, reuse, retries, breaker), whatever its kind. With `pools` (the gateway's),
 * the source's instance pool is shared with the other graphs that hold it, and outlives this
 * client; without, the client has its own, closed with it.
 */
export function createSourceClient(source: NormalizedSource, onFetch?: OnFetch, pools?: InstancePools): HttpClient {
  // Versions (canary, A/B) and a mirror wrap clients built by this same function.
  const split = splitTraffic(source, onFetch, createSourceClient, pools);
  if (split) return split;
  const instances = source.urls ?? [{ url: source.url, weight: 1 }];
  const { connections, tls, loadBalancing, outlierDetection, healthCheck } = source;
  const lease = pools?.lease({ service: source.name, instances, connections, ...(tls ? { tls } : {}), loadBalancing, outlierDetection, healthCheck });
  const client = createHttpClient({
    service: source.name,
    url: source.url,
    urls: instances,
    loadBalancing,
    outlierDetection,
    healthCheck,
    ...(lease ? { instances: lease.pool } : {}),
    timeout: source.timeout,
    connections,
    maxResponseBytes: source.maxResponseBytes,
    headers: source.headers,
    tls,
    httpCache: source.httpCache,
    dedupeInFlight: source.dedupeInFlight,
    retries: source.retries,
    breaker: source.breaker,
    ...(onFetch ? { onFetch } : {}),
  });
  return lease ? { ...client, close: () => client.close().then(lease.release) } : client;
}
