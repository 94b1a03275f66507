import { once } from 'node:events';
import { pino, type Logger } from 'pino';
import { loadPinoPretty, resolveLogFormat } from './gateway-logger.ts';
import type { NormalizedLogging } from './logging-config.ts';

/** The access log's pino logger and how to flush and close its destination. */
export interface AccessLogger {
  logger: Logger;
  /** Writes what is buffered, then closes a file destination (stdout and stderr stay open). */
  close(): Promise<void>;
}

/**
 * A pino logger writing to the configured destination (format `'auto'`: pretty on a terminal):
 * JSON lines through sonic-boom, or pino-pretty's readable lines. The `headers` object of a line
 * has `secretHeaders` (lower-case names) replaced by `"[redacted]"`.
 *
 * Each line is written when it is logged, synchronously, as Node writes `process.stdout` to files
 * and pipes: a line is never held in a buffer that a crash would lose, and it costs one `write`.
 * An asynchronous sonic-boom sends each line through libuv's thread pool instead, which cost
 * 20 to 27 µs of CPU a line against 8 to 9 µs here (1 KB lines logged one per event-loop turn,
 * as requests end; `sync: false` was the setting before).
 */
export function createAccessLogger(options: NormalizedLogging, secretHeaders: readonly string[]): AccessLogger {
  const { level, format, destination } = options;
  const settings = {
    level,
    enabled: level !== 'silent',
    redact: { paths: secretHeaders.map((name) => `headers[${JSON.stringify(name)}]`), censor: '[redacted]' },
  };
  if (level === 'silent') return { logger: pino(settings), close: async () => {} };
  const dest = destination === 'stdout' ? 1 : destination === 'stderr' ? 2 : destination;
  const terminal = typeof dest === 'number' && Boolean((dest === 1 ? process.stdout : process.stderr).isTTY);
  if (resolveLogFormat(format, terminal) === 'pretty') {
    const colorize = terminal;
    const stream = loadPinoPretty()({
      destination: dest,
      sync: true,
      mkdir: true,
      append: true,
      colorize,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
    });
    return { logger: pino(settings, stream), close: () => ended(stream, 'finish') };
  }
  const stream = pino.destination({ dest, sync: true, mkdir: true, append: true });
  return { logger: pino(settings, stream), close: () => ended(stream, 'close') };
}

async function ended(stream: NodeJS.EventEmitter & { end(): unknown }, event: string): Promise<void> {
  const done = once(stream, event);
  stream.end();
  await done;
}
