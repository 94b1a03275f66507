import { systemClock, type Clock } from '../clock.ts';
import type { GatewayLogger } from './gateway-logger.ts';

/** What a burst log says, and where it counts. */
export interface BurstLogOptions {
  logger: GatewayLogger;
  /** What fails, as its lines start: `query planner`, `response cache invalidation`, `service "catalog"`. */
  subject: string;
  /** Called once per failure: counts it (`concierge_internal_errors_total{component}`). */
  count?: () => void;
  /** While failures go on, a summary line at most this often (milliseconds). @default 300_000 */
  every?: number;
  /** The time the summaries read: a test's. @default systemClock */
  clock?: Clock;
}

/**
 * Failures the gateway survives (a fallback, a best-effort write), told without flooding the log:
 * the first failure of a burst is logged with its reason; the next ones are only counted, with a
 * summary every `every` ms while they go on; the first success after them closes the burst with
 * the number of failures it held. Each failure is counted at once, so the metric is exact.
 */
export interface BurstLog {
  failed(reason: string): void;
  succeeded(): void;
}

export function createBurstLog({ logger, subject, count = () => {}, every = 300_000, clock = systemClock }: BurstLogOptions): BurstLog {
  let failures = 0;
  let toldAt = 0;
  let toldFailures = 0;
  return {
    failed(reason) {
      count();
      failures += 1;
      if (failures === 1) {
        toldAt = clock.now();
        toldFailures = 1;
        logger.error(`${subject} failing: ${reason} (further failures are counted, not logged, until it recovers)`);
      } else if (clock.now() - toldAt >= every) {
        logger.error(`${subject} still failing: ${failures - toldFailures} more failures since the last line, ${failures} in this burst; the last: ${reason}`);
        toldAt = clock.now();
        toldFailures = failures;
      }
    },
    succeeded() {
      if (failures === 0) return;
      logger.warn(`${subject} recovered after ${failures} ${failures === 1 ? 'failure' : 'failures'}`);
      failures = 0;
    },
  };
}
