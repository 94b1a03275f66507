import { EventEmitter } from 'node:events';
import type { GatewayLogger } from '../../src/observability/gateway-logger.ts';

/** One message the gateway told. */
export interface LoggedLine {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
}

/**
 * A gateway logger (`GatewayOptions.logger`) that keeps what it is told, in order, and emits each
 * line as a `'line'` event, so a test can wait for a message instead of polling or sleeping.
 */
export function collectLogs(): { logger: GatewayLogger; lines: LoggedLine[]; messages(level?: LoggedLine['level']): string[]; events: EventEmitter } {
  const lines: LoggedLine[] = [];
  const events = new EventEmitter();
  const keep = (level: LoggedLine['level']) => (message: string) => {
    lines.push({ level, message });
    events.emit('line', { level, message });
  };
  return {
    logger: { error: keep('error'), warn: keep('warn'), info: keep('info'), debug: keep('debug') },
    lines,
    messages: (level) => lines.filter((line) => level === undefined || line.level === level).map((line) => line.message),
    events,
  };
}
