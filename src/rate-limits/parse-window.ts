import ms from 'ms';
import type { Checker } from '../config/config-checker.ts';

/**
 * A rate-limit window in milliseconds: a number of milliseconds, or a duration as
 * graphql-rate-limit reads it (`ms` syntax: '500ms', '30s', '1m', '2 hours'). Default one minute.
 */
export function parseWindow(key: string, value: unknown, check: Checker): number {
  if (value === undefined || value === null) return 60_000;
  const parsed = typeof value === 'number' ? value : typeof value === 'string' ? ms(value as ms.StringValue) : Number.NaN;
  if (typeof parsed === 'number' && Number.isFinite(parsed) && parsed >= 1 && parsed <= 31 * 86_400_000) return Math.round(parsed);
  check.fail(key, 'a window such as "30s", "1m", "1h" or a number of milliseconds (at most 31 days)', value);
  return 60_000;
}
