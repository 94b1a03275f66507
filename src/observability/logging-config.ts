import path from 'node:path';
import { isPlainObject } from '../config/config-checker.ts';
import type { FeatureContext } from '../config/feature-options.ts';

/** pino's levels, most severe first, and `'silent'` for no log at all. */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** One of {@link logLevels}. */
export type LogLevel = (typeof logLevels)[number];

/** How log lines are written: see {@link LoggingConfig.format}. */
export type LogFormat = 'auto' | 'json' | 'pretty';

/**
 * The access log: one line per GraphQL request, written after its response, with the caller, the
 * operation, the error codes and every upstream call it made. Each request carries an
 * `x-request-id` (the client's when well-formed, else a new one) that is echoed, forwarded to the
 * services and put on every error as `extensions.requestId`, whatever the log settings.
 */
export interface LoggingConfig {
  /**
   * The least severe level written. Successful requests are `info`; client errors and slow
   * requests `warn`; server and upstream errors `error`; other endpoints (GraphiQL, metrics,
   * purges) `debug`; `/healthz` and `/readyz` `trace`. At `debug` and `trace` each GraphQL line
   * also holds the request headers (credentials redacted) and the variables (see
   * {@link redactVariables}).
   * @default 'info'
   */
  level?: LogLevel;
  /**
   * How access-log lines and the gateway's own messages are written. `'json'`: one JSON object per
   * line, for log collectors. `'pretty'`: readable lines through pino-pretty (coloured on a
   * terminal), for development. `'auto'`: pretty when the lines go to a terminal, JSON otherwise
   * (a pipe, a file, a container's log driver).
   * @default 'auto'
   */
  format?: LogFormat;
  /**
   * Share of successful requests logged, from 0 (none) to 1 (all). Requests with an error and slow
   * requests are always logged.
   * @default 1
   */
  sampleRate?: number;
  /**
   * Milliseconds from which a request counts as slow: logged at `warn` with `slow: true`, whatever
   * the sampling.
   * @default 1000
   */
  slowMs?: number;
  /**
   * Variable names whose values are logged as `"[redacted]"` (at `debug`, the only level that logs
   * variables), matched case-insensitively against whole names at any depth of the variables,
   * input objects and lists included.
   * @default ['password', 'token', 'secret', 'apiKey', 'creditCard']
   */
  redactVariables?: string[];
  /**
   * Where lines go: `'stdout'`, `'stderr'`, or a file (relative to the config file; appended to,
   * its folder created).
   * @default 'stdout'
   */
  destination?: 'stdout' | 'stderr' | (string & {});
}

/** The logging settings, checked, with defaults filled in. */
export interface NormalizedLogging {
  level: LogLevel;
  format: LogFormat;
  sampleRate: number;
  slowMs: number;
  /** Lower-case variable names. */
  redactVariables: ReadonlySet<string>;
  /** `'stdout'`, `'stderr'`, or an absolute file path. */
  destination: string;
}

const keys = ['level', 'format', 'sampleRate', 'slowMs', 'redactVariables', 'destination'];
const defaultRedactedVariables = ['password', 'token', 'secret', 'apiKey', 'creditCard'];

/** Checks `logging`. */
export function normalizeLoggingOptions(raw: unknown, { check, baseDir }: FeatureContext): NormalizedLogging {
  if (raw !== undefined && !isPlainObject(raw)) check.fail('config.logging', 'an object such as { level: "info" }', raw);
  const options = isPlainObject(raw) ? raw : {};
  check.knownKeys('config.logging', options, keys);
  return {
    level: check.oneOf('config.logging.level', options['level'] ?? 'info', logLevels),
    format: check.oneOf('config.logging.format', options['format'] ?? 'auto', ['auto', 'json', 'pretty'] as const),
    sampleRate: share(options['sampleRate'] ?? 1, { check, baseDir }),
    slowMs: check.integer('config.logging.slowMs', options['slowMs'] ?? 1000, 0, 3_600_000),
    redactVariables: new Set(
      check.stringList('config.logging.redactVariables', options['redactVariables'] ?? defaultRedactedVariables).map((name) => name.toLowerCase()),
    ),
    destination: logDestination(options['destination'] ?? 'stdout', { check, baseDir }),
  };
}

function share(value: unknown, { check }: FeatureContext): number {
  if (typeof value === 'number' && value >= 0 && value <= 1) return value;
  check.fail('config.logging.sampleRate', 'a number from 0 to 1', value);
  return 1;
}

function logDestination(value: unknown, { check, baseDir }: FeatureContext): string {
  if (value === 'stdout' || value === 'stderr') return value;
  if (typeof value === 'string' && value.trim() !== '') return path.resolve(baseDir, value);
  check.fail('config.logging.destination', '"stdout", "stderr" or a file path', value);
  return 'stdout';
}
