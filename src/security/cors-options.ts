import type { CORSOptions } from 'graphql-yoga';
import type { NormalizedNetwork } from './network-config.ts';
import { originAllowed } from './origins.ts';

/** Yoga's CORS answer for a request: only allowlisted origins get CORS headers, with credentials. */
export function corsOptions(network: NormalizedNetwork): (request: Request) => CORSOptions {
  return (request) => {
    const origin = request.headers.get('origin');
    if (!origin || !originAllowed(network.origins, origin)) return false;
    return {
      origin: [origin],
      credentials: true,
      methods: ['GET', 'POST'],
      allowedHeaders: ['content-type', 'authorization', 'x-api-key', 'x-concierge-csrf', 'x-request-id'],
      // Pages can read the id to quote in bug reports, and the rate-limit and cache state.
      exposedHeaders: ['x-request-id', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'x-cache', 'etag'],
      maxAge: 600,
    };
  };
}
