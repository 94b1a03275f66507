import { describeError, type GatewayLogger } from '../observability/gateway-logger.ts';
import type { RunningGateway } from './start-gateway.ts';

/**
 * Stops the gateway gracefully on SIGTERM or SIGINT, then exits. A second signal exits at once.
 * `onStopped` runs after the gateway has closed (e.g. to stop example services).
 */
export function runUntilSignal(running: Pick<RunningGateway, 'close'>, logger: GatewayLogger, onStopped: () => Promise<void> = async () => {}): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info(`${signal}: finishing in-flight requests`);
    running
      .close()
      .then(onStopped)
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error(`shutdown failed: ${describeError(error, true)}`);
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
