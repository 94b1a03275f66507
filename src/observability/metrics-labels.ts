import type { Consumer } from '../auth/consumer.ts';
import { errorCodes, isErrorCode, type ErrorCode } from '../errors.ts';
import type { FetchResult } from '../transport/fetch-hooks.ts';
import type { NormalizedMetrics } from './metrics-config.ts';

/** The `operation` label of operations whose name is not a label value. */
export const otherOperation = 'other';

/** The `operation_type` label of requests refused before their document was parsed. */
export const unknownOperationType = 'unknown';

/**
 * The `operation` label of an operation, from its name and document text. Every label value
 * comes from a finite set the operator controls (the manifest, the configured list), never from
 * what a client sends: a client inventing names only ever adds to `other`.
 */
export function createOperationLabel(
  mode: NormalizedMetrics['operationNames'],
  manifestTexts: Iterable<string>,
): (name: string | undefined, text: string | undefined) => string {
  if (mode === 'none') return () => otherOperation;
  if (mode === 'persisted') {
    const trusted = new Set(manifestTexts);
    return (name, text) => (text !== undefined && trusted.has(text) ? (name ?? 'anonymous') : otherOperation);
  }
  const allowed = new Set(mode);
  return (name) => (name !== undefined && allowed.has(name) ? name : otherOperation);
}

/** The `consumer` label: a declared consumer's name, else `jwt` or `anonymous`; never a subject or an address. */
export function consumerLabel(consumer: Consumer | undefined): string {
  return consumer?.name ?? (consumer ? 'jwt' : 'anonymous');
}

const statusClasses = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** `2xx`, `4xx`... for an HTTP status: one of five strings, never a new one. */
export function statusClass(status: number): string {
  return statusClasses[Math.min(5, Math.max(1, Math.floor(status / 100))) - 1] as string;
}

/** How an upstream call ended, as the `outcome` label says it. */
export type UpstreamOutcome = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'timeout' | 'unreachable' | 'error';

/**
 * The outcome of an upstream call: its status class when the service answered; else `timeout`
 * past the deadline, `unreachable` when no answer arrived, `error` for an unreadable answer (the
 * HTTP client marks those with the status they came with).
 */
export function upstreamOutcome({ status, error }: FetchResult): UpstreamOutcome {
  if (status !== undefined) return statusClass(status) as UpstreamOutcome;
  const extensions = (error as { extensions?: Record<string, unknown> } | undefined)?.extensions;
  if (extensions?.['code'] === 'GATEWAY_TIMEOUT') return 'timeout';
  if (extensions?.['code'] === 'DOWNSTREAM_SERVICE_ERROR' && extensions['upstreamStatus'] === undefined) return 'unreachable';
  return 'error';
}

/** Whether an upstream outcome counts against the service's health (4xx answers are the caller's). */
export function isUpstreamFailure(outcome: UpstreamOutcome): boolean {
  return outcome !== '1xx' && outcome !== '2xx' && outcome !== '3xx' && outcome !== '4xx';
}

/**
 * The `code` label of an error a client received. Errors leave the gateway with a code of the
 * table (useErrorCodes runs before the metrics read them); anything else would be a bug, counted
 * as `INTERNAL_SERVER_ERROR` rather than as a label value from outside the table.
 */
export function errorCodeLabel(code: unknown): ErrorCode {
  return isErrorCode(code) ? code : 'INTERNAL_SERVER_ERROR';
}

/** The first code of the table with this HTTP status, for an answer that names none. */
export function codeOfStatus(status: number): ErrorCode {
  const found = (Object.entries(errorCodes) as Array<[ErrorCode, number]>).find(([, value]) => value === status);
  return found?.[0] ?? 'INTERNAL_SERVER_ERROR';
}
