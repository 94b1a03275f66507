import type { Clock } from '../clock.ts';
import type { OnFetch } from '../transport/fetch-hooks.ts';
import { createBurstLog, type BurstLog } from './burst-log.ts';
import type { Diagnostics } from './gateway-logger.ts';

/**
 * An upstream-call observer that tells when a service cannot be reached: the network error's code
 * (`ECONNREFUSED`, `ENOTFOUND`, `UND_ERR_SOCKET`...) from the cause the HTTP client attaches, logged
 * once per burst per service and counted as `concierge_internal_errors_total{component="upstream_connect"}`.
 * The client sees `DOWNSTREAM_SERVICE_ERROR` without the code; this is where the operator finds it.
 * Any answer from the service (whatever its status) closes the burst. Shadow copies are left out.
 */
export function upstreamConnectLog({ logger, internalError }: Diagnostics, clock?: Clock): OnFetch {
  const bursts = new Map<string, BurstLog>();
  const burstOf = (service: string) => {
    let burst = bursts.get(service);
    if (!burst)
      bursts.set(
        service,
        (burst = createBurstLog({ logger, subject: `service "${service}"`, count: () => internalError('upstream_connect'), ...(clock ? { clock } : {}) })),
      );
    return burst;
  };
  return (event) => {
    if (event.mirror) return;
    return ({ error, status, instance }) => {
      const code = error && networkErrorCode(error);
      if (code) burstOf(event.service).failed(`unreachable at ${instance ?? event.instance} (${code}: ${innermostMessage(error)})`);
      else if (status !== undefined) bursts.get(event.service)?.succeeded();
    };
  };
}

/** The `code` of the first error in the cause chain that has one (Node's `ECONNREFUSED`, undici's `UND_ERR_*`). */
export function networkErrorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 8; current = current.cause, depth += 1) {
    const { code } = current as { code?: unknown };
    if (typeof code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
    const nested = (current as { errors?: unknown }).errors;
    if (Array.isArray(nested)) for (const inner of nested) if (networkErrorCode(inner)) return networkErrorCode(inner);
  }
  return undefined;
}

function innermostMessage(error: Error): string {
  let current: Error = error;
  while (current.cause instanceof Error) current = current.cause;
  return current.message || String((current as { code?: unknown }).code);
}
