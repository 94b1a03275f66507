import { isPlainObject, type Checker } from '../config/config-checker.ts';

/**
 * Retries of reading calls to one source: GETs, HEADs and `readOnly` POSTs (GraphQL queries).
 * Mutations and other writes are never retried. A call is tried again when the service could not
 * be reached, did not answer in time, or answered 502, 503 or 504; never past the call's deadline
 * (the source's `timeout`), and only while the retry budget allows.
 * @example { attempts: 3, budgetPercent: 10, backoff: '100ms' }
 */
export interface RetriesConfig {
  /**
   * Most retries of one call, after its first attempt. `0` turns retries off.
   * @default 2
   */
  attempts?: number;
  /**
   * Most retries as a share of the source's recent calls, in percent: every call earns
   * `budgetPercent / 100` of a retry (up to 10 saved), every retry spends one. A failing service is
   * then sent at most that much more traffic, however many callers retry.
   * @default 20
   */
  budgetPercent?: number;
  /**
   * Median wait before the first retry; later waits grow exponentially, with jitter.
   * @default '50ms'
   */
  backoff?: string | number;
  /**
   * Longest wait between two attempts.
   * @default '1s'
   */
  maxBackoff?: string | number;
  /**
   * Time allowed for one attempt, so that a timed-out attempt leaves time for another within the
   * call's `timeout`.
   * @default the source's `timeout`
   * @example '2s'
   */
  attemptTimeout?: string | number;
}

/**
 * The circuit breaker of one source. After `threshold` failed calls in a row (or, with
 * `failureRate`, that share of the calls within `window`) the circuit opens: calls fail at once
 * with `SERVICE_UNAVAILABLE`, without touching the network. After `halfOpenAfter` one call is let
 * through; its success closes the circuit, its failure opens it again. A failure is no answer (not
 * reachable, timeout) or a 5xx status.
 * @example { threshold: 5, halfOpenAfter: '10s' }
 * @example { failureRate: 0.5, window: '30s', halfOpenAfter: '10s' }
 */
export interface BreakerConfig {
  /**
   * Failed calls in a row that open the circuit (ignored with `failureRate`).
   * @default 5
   */
  threshold?: number;
  /** Share of failed calls within `window` that opens the circuit, above 0 and below 1, instead of `threshold`. */
  failureRate?: number;
  /**
   * The sliding window over which `failureRate` is measured.
   * @default '30s'
   */
  window?: string | number;
  /**
   * How long the circuit stays open before a trial call.
   * @default '10s'
   */
  halfOpenAfter?: string | number;
}

/** {@link RetriesConfig} with defaults filled in; durations in milliseconds. */
export interface NormalizedRetries {
  attempts: number;
  budgetPercent: number;
  backoff: number;
  maxBackoff: number;
  attemptTimeout: number;
}

/** {@link BreakerConfig} with defaults filled in; `false` when turned off. */
export type NormalizedBreaker = false | ({ halfOpenAfter: number } & ({ threshold: number } | { failureRate: number; window: number }));

/** Checks a source's `retries` (`false` for none), each problem named by `key`. */
export function normalizeRetriesOptions(value: unknown, key: string, timeout: number, check: Checker): NormalizedRetries {
  if (value === false) return { attempts: 0, budgetPercent: 0, backoff: 0, maxBackoff: 0, attemptTimeout: timeout };
  const raw = value ?? {};
  if (!isPlainObject(raw)) {
    check.fail(key, 'false or an object such as { attempts: 2, budgetPercent: 20 }', value);
    return normalizeRetriesOptions({}, key, timeout, check);
  }
  check.knownKeys(key, raw, ['attempts', 'budgetPercent', 'backoff', 'maxBackoff', 'attemptTimeout']);
  return {
    attempts: check.integer(`${key}.attempts`, raw['attempts'] ?? 2, 0, 10),
    budgetPercent: check.integer(`${key}.budgetPercent`, raw['budgetPercent'] ?? 20, 0, 100),
    backoff: check.duration(`${key}.backoff`, raw['backoff'] ?? 50, 1, 60_000),
    maxBackoff: check.duration(`${key}.maxBackoff`, raw['maxBackoff'] ?? 1_000, 1, 60_000),
    attemptTimeout: check.duration(`${key}.attemptTimeout`, raw['attemptTimeout'] ?? timeout, 1, timeout),
  };
}

/** Checks a source's `breaker` (`false` or absent for none), each problem named by `key`. */
export function normalizeBreakerOptions(value: unknown, key: string, check: Checker): NormalizedBreaker {
  // Off unless asked for: one record a service always fails on would otherwise open the circuit for every caller.
  if (value === false || value === undefined) return false;
  const raw = value;
  if (!isPlainObject(raw)) {
    check.fail(key, "false or an object such as { threshold: 5, halfOpenAfter: '10s' }", value);
    return false;
  }
  check.knownKeys(key, raw, ['threshold', 'failureRate', 'window', 'halfOpenAfter']);
  const halfOpenAfter = check.duration(`${key}.halfOpenAfter`, raw['halfOpenAfter'] ?? 10_000, 1, 3_600_000);
  if (raw['failureRate'] === undefined) {
    if (raw['window'] !== undefined) check.fail(`${key}.window`, 'no window without failureRate', raw['window']);
    return { halfOpenAfter, threshold: check.integer(`${key}.threshold`, raw['threshold'] ?? 5, 1, 10_000) };
  }
  if (raw['threshold'] !== undefined) check.fail(`${key}.threshold`, 'no threshold beside failureRate (one or the other)', raw['threshold']);
  const failureRate = raw['failureRate'];
  if (typeof failureRate !== 'number' || !(failureRate > 0 && failureRate < 1))
    check.fail(`${key}.failureRate`, 'a number above 0 and below 1, such as 0.5', failureRate);
  return {
    halfOpenAfter,
    failureRate: typeof failureRate === 'number' ? failureRate : 0.5,
    window: check.duration(`${key}.window`, raw['window'] ?? 30_000, 1_000, 3_600_000),
  };
}
