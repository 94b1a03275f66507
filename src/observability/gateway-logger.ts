import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import type pinoPretty from 'pino-pretty';
import type { LogFormat, NormalizedLogging } from './logging-config.ts';

/**
 * What the gateway tells operators (start-up, graph swaps, Redis outages, workers, planner and
 * tracing failures, TLS reloads, shutdown, discovery, instance ejections, mirror differences):
 * plain sentences at a level. A pino `Logger` is one; a test may pass an object that collects lines.
 */
export interface GatewayLogger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

/** Where the gateway's own messages go, instead of stdout. */
export interface GatewayLoggerOptions {
  /** A stream of lines (a test's); pretty or JSON as `logging.format` says, `'auto'` being JSON. @default stdout */
  destination?: NodeJS.WritableStream;
}

/**
 * The gateway's messages through pino at `logging.level`, on stdout (whatever the access log's
 * `destination`: a file of access lines stays free of them). `logging.format` `'auto'` writes
 * pino-pretty's readable lines when stdout is a terminal and JSON lines otherwise. Lines are
 * written synchronously: they are few, and the last ones of a process that exits must not be lost.
 */
export function createGatewayLogger({ level, format }: Pick<NormalizedLogging, 'level' | 'format'>, { destination }: GatewayLoggerOptions = {}): Logger {
  const settings = { name: 'concierge', level, enabled: level !== 'silent' };
  if (level === 'silent') return pino(settings);
  const terminal = destination === undefined && Boolean(process.stdout.isTTY);
  if (resolveLogFormat(format, terminal) === 'pretty') {
    return pino(
      settings,
      loadPinoPretty()({ destination: destination ?? 1, sync: true, colorize: terminal, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,name' }),
    );
  }
  return pino(settings, destination ?? pino.destination({ dest: 1, sync: true }));
}

/** pino-pretty, loaded the first time a readable format is asked for: a process writing JSON lines never loads its 30 files. */
export function loadPinoPretty(): typeof pinoPretty {
  return createRequire(import.meta.url)('pino-pretty');
}

/** `'auto'`: pretty on a terminal, JSON otherwise. */
export function resolveLogFormat(format: LogFormat, terminal: boolean): 'json' | 'pretty' {
  return format === 'auto' ? (terminal ? 'pretty' : 'json') : format;
}

/** A logger that writes nothing: for code run outside a gateway (`concierge plan`) and for tests. */
export const silentLogger: GatewayLogger = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };

/** An error's message, or its stack when `withStack` (for bugs, whose place matters). */
export function describeError(error: unknown, withStack = false): string {
  if (!(error instanceof Error)) return String(error);
  return withStack && error.stack ? error.stack : error.message;
}

/** Who survived a failure: the `component` label of `concierge_internal_errors_total`. */
export type InternalErrorComponent =
  | 'query_planner'
  | 'response_cache_invalidation'
  | 'response_cache_store'
  | 'rate_limit_store'
  | 'upstream_connect'
  | 'upstream_answer_size';

/** Where the parts of a gateway tell what they survived: its logger, and its internal-errors counter. */
export interface Diagnostics {
  logger: GatewayLogger;
  internalError(component: InternalErrorComponent): void;
}

/** Nothing told, nothing counted: for parts used outside a gateway. */
export const silentDiagnostics: Diagnostics = { logger: silentLogger, internalError: () => {} };
