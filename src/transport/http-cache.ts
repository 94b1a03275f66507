import { LRUCache } from 'lru-cache';
import type { Clock } from '../clock.ts';
import { freshnessLifetime } from './cache-control.ts';
import { reparsed, type ReceivedResponse, type SendUpstream } from './received-response.ts';
import { requestKey } from './request-key.ts';

/** Options of {@link withHttpCache}. */
export interface HttpCacheOptions {
  /**
   * Most characters of bodies and keys kept (about their bytes for JSON); the least recently used
   * answers go first, and a larger answer is not kept at all.
   * @default 20971520 (20 MiB)
   */
  maxBytes?: number;
  /** The time freshness is measured on (only differences matter). @default performance.now(), which no wall-clock step moves */
  clock?: Clock;
}

const monotonic: Clock = { now: () => performance.now() };

interface StoredAnswer {
  response: ReceivedResponse;
  expires: number;
}

/**
 * Keeps GET answers in memory for as long as the service's `Cache-Control` allows (the rules are
 * on {@link freshnessLifetime}) and answers identical GETs from memory meanwhile, each caller with
 * a body of its own. Nothing is kept from a failed call. Other methods pass straight through.
 */
export function withHttpCache(send: SendUpstream, options: HttpCacheOptions = {}): SendUpstream {
  const { maxBytes = 20 * 1024 * 1024, clock = monotonic } = options;
  const stored = new LRUCache<string, StoredAnswer>({ maxSize: maxBytes, sizeCalculation: (answer, key) => answer.response.text.length + key.length });
  return async (request) => {
    if (request.method !== 'GET') return send(request);
    const key = requestKey(request);
    const hit = stored.get(key);
    if (hit && hit.expires > clock.now()) return reparsed(hit.response);
    if (hit) stored.delete(key);
    const sentAt = clock.now();
    const response = await send(request);
    const lifetime = freshnessLifetime(response.status, response.headers, request.headers);
    if (lifetime > 0) stored.set(key, { response: { ...response, body: undefined }, expires: sentAt + lifetime });
    return response;
  };
}
