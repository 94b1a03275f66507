/**
 * The time as the gateway's expiries read it: JWT `exp`/`nbf`, the verified-token cache and the
 * JWKS refresh interval, the response cache's `maxAge`, the HTTP cache's `max-age`, the rate
 * limits' windows. The system's by default; a test hands in one it advances itself, so that an
 * expiry happens at once instead of after a sleep.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** `Date.now()`. */
export const systemClock: Clock = { now: () => Date.now() };
