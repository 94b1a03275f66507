import type { Clock } from '../clock.ts';
import type { OnFetch } from '../transport/fetch-hooks.ts';
import { createBurstLog, type BurstLog } from './burst-log.ts';
import type { Diagnostics } from './gateway-logger.ts';

/** The code of the error the HTTP client puts under an answer longer than the source's `maxResponseBytes` (undici's own error for it). */
const answerTooLargeCode = 'UND_ERR_RES_EXCEEDED_MAX_SIZE';

/** The failures told, each counted under its own `component`. */
const components = ['upstream_connect', 'upstream_answer_size'] as const;
type Component = (typeof components)[number];

/**
 * An upstream-call observer that tells the operator what the client only sees as
 * `DOWNSTREAM_SERVICE_ERROR`:
 * - a service that cannot be reached: the network error's code (`ECONNREFUSED`, `ENOTFOUND`,
 *   `UND_ERR_SOCKET`...) from the cause the HTTP client attaches, counted as
 *   `concierge_internal_errors_total{component="upstream_connect"}`;
 * - a service answering more than its `maxResponseBytes`: the status, the limit and the option
 *   that sets it, counted as `{component="upstream_answer_size"}`.
 * Each is logged once per burst per service and counted on every call. Any answer from the service
 * that is read closes its bursts. Shadow copies are left out.
 */
export function upstreamFailureLog({ logger, internalError }: Diagnostics, clock?: Clock): OnFetch {
  const bursts = new Map<string, BurstLog>();
  const keyOf = (component: Component, service: string) => `${component} ${service}`;
  const burstOf = (service: string, component: Component) => {
    const key = keyOf(component, service);
    let burst = bursts.get(key);
    if (!burst)
      bursts.set(
        key,
        (burst = createBurstLog({ logger, subject: `service "${service}"`, count: () => internalError(component), ...(clock ? { clock } : {}) })),
      );
    return burst;
  };
  return (event) => {
    if (event.mirror) return;
    return ({ error, status, instance }) => {
      const code = error && networkErrorCode(error);
      const at = instance ?? event.instance;
      if (code === answerTooLargeCode)
        burstOf(event.service, 'upstream_answer_size').failed(
          `${innermostMessage(error as Error)} at ${at} (the source's maxResponseBytes; raise it if such answers are expected)`,
        );
      else if (code) burstOf(event.service, 'upstream_connect').failed(`unreachable at ${at} (${code}: ${innermostMessage(error as Error)})`);
      // Only a burst in progress has anything to close: most calls answer with none.
      else if (status !== undefined && bursts.size > 0) for (const component of components) bursts.get(keyOf(component, event.service))?.succeeded();
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
