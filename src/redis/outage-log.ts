import type { GatewayLogger } from '../observability/gateway-logger.ts';

/** What an outage log says about one store. */
export interface OutageLogOptions {
  /** Where its lines go. */
  logger: GatewayLogger;
  /** Called once per failed command (`concierge_internal_errors_total{component}`). */
  count?: () => void;
  /** The store, as log lines name it: `redis (<purpose>)`. */
  purpose: string;
  /**
   * What happens while the store is down, for the line that opens an outage.
   * @default 'its failure policy applies'
   */
  policy?: string;
  /**
   * What each failed command meant for a request, for the line that closes an outage (with their
   * count); without it, that line gives no count.
   * @example 'rate-limit checks let through unchecked'
   */
  consequence?: string;
}

/**
 * A Redis-backed store's outages: one line when an outage starts, one when it ends, never one per
 * command. The connection reports what ioredis sees (refused, lost, ready again); the store reports
 * what only a command sees: a Redis that hangs keeps its connection open, so its commands time out
 * while ioredis reports nothing, and a store that survives those failures (a policy that lets
 * requests through) would otherwise be silent. Failed commands are counted, and the closing line
 * says how many requests the policy decided without the store.
 */
export interface OutageLog {
  /** The connection failed or was lost: opens an outage unless one is open. */
  lost(reason: string): void;
  /** A command failed: opens an outage unless one is open, and counts. */
  failedCommand(reason: string): void;
  /** The store answered (connection ready, or a command succeeded): closes the outage, if one is open. */
  answered(): void;
}

/** An outage log: the opening line at `error`, the closing one at `warn`. */
export function createOutageLog({ logger, count = () => {}, purpose, policy = 'its failure policy applies', consequence }: OutageLogOptions): OutageLog {
  let down = false;
  let failures = 0;
  const open = (reason: string) => {
    if (down) return;
    down = true;
    failures = 0;
    logger.error(`redis (${purpose}) unreachable: ${reason}; ${policy} until it returns`);
  };
  return {
    lost: open,
    failedCommand(reason) {
      open(reason);
      failures += 1;
      count();
    },
    answered() {
      if (!down) return;
      down = false;
      logger.warn(`redis (${purpose}) reachable again${consequence ? `; ${failures} ${consequence} during the outage` : ''}`);
    },
  };
}
