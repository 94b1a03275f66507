import type { ServerOptions } from 'node:http';
import type { Checker } from '../config/config-checker.ts';

/** How long clients have to send their requests (see `headersTimeout` and `requestTimeout` in define-config.ts). */
export interface ClientTimeouts {
  /** Milliseconds a client has to send a request's headers. */
  headersTimeout: number;
  /** Milliseconds a client has to send a whole request; `0` for none. */
  requestTimeout: number;
}

/** Checks `headersTimeout` and `requestTimeout`: Node refuses a headers timeout longer than a (non-zero) request timeout. */
export function normalizeClientTimeouts(config: { headersTimeout?: unknown; requestTimeout?: unknown }, check: Checker): ClientTimeouts {
  const headersTimeout = check.integer('config.headersTimeout', config.headersTimeout ?? 10_000, 1, 600_000);
  const requestTimeout = check.integer('config.requestTimeout', config.requestTimeout ?? 60_000, 0, 3_600_000);
  if (requestTimeout > 0 && headersTimeout > requestTimeout) {
    check.fail('config.headersTimeout', `at most config.requestTimeout (${requestTimeout}), or requestTimeout 0`, headersTimeout);
  }
  return { headersTimeout, requestTimeout };
}

/**
 * The listeners' options: an idle kept-alive connection closes after 5 s (announced in
 * `Keep-Alive: timeout=5`, which track-connections.ts relies on while draining), the timeouts
 * above, and how often Node looks for connections past them (every second, or four times per
 * headers timeout when that is shorter; Node's own default is every 30 s, which would let a
 * connection outlive a 10 s timeout by up to 30 s).
 */
export function clientTimeoutOptions({ headersTimeout, requestTimeout }: ClientTimeouts): ServerOptions {
  return {
    keepAliveTimeout: 5_000,
    headersTimeout,
    requestTimeout,
    connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(headersTimeout / 4))),
  };
}
