import type { Execution } from '../plugins/use-query-plans.ts';
import type { Consumer } from '../auth/consumer.ts';
import type { RequestClient } from '../clients/client-of.ts';
import { errorCodes, isErrorCode } from '../errors.ts';
import type { AccessRecord } from './access-log-record.ts';

/** What a request is to the log: probes and other endpoints are only for debugging; plain REST routes are logged as GraphQL requests are. */
export type RequestKind = 'graphql' | 'route' | 'other' | 'probe';

/** The levels access-log lines are written at. */
export type AccessLevel = 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** How a request ended, as known once its response is sent. */
export interface RequestOutcome {
  kind: RequestKind;
  /** `null` when the client went away before an answer was sent. */
  status: number | null;
  durationMs: number;
  slow: boolean;
  /** The `x-cache` response header. */
  cache: string | null;
  /** Whether the operation ran its query plan (and its id) or went through stitching, and why; null when not executed or no planner. */
  execution: Execution | null;
  consumer: Consumer | undefined;
  /** The client profile, when the gateway declares profiles. */
  client?: RequestClient | undefined;
  clientAddress: string | null;
  /** The request headers, at `debug` only. */
  headers?: Record<string, string>;
}

/**
 * The level of a request's line: GraphQL requests are `error` when the gateway or a service failed
 * (a 5xx status, or an error code whose status is 5xx), `warn` for any other error, a refusal or a
 * slow answer, else `info`. Other endpoints are `debug`, probes `trace`.
 */
export function accessLevel(outcome: RequestOutcome, codes: readonly string[]): AccessLevel {
  if (outcome.kind === 'probe') return 'trace';
  if (outcome.kind === 'other') return 'debug';
  const status = outcome.status ?? 0;
  if (status >= 500 || codes.some((code) => isErrorCode(code) && errorCodes[code] >= 500)) return 'error';
  if (status >= 400 || outcome.status === null || codes.length > 0 || outcome.slow) return 'warn';
  return 'info';
}

/**
 * The fields of one access-log line (pino adds `level`, `time`, `pid`, `hostname` and `msg`), in
 * this order. Built field by field, not from spreads: one object per request, of one shape.
 */
export function accessLine(record: AccessRecord, outcome: RequestOutcome): Record<string, unknown> {
  const { consumer, client, execution } = outcome;
  const line: Record<string, unknown> = {
    requestId: record.requestId,
    method: record.method,
    path: record.path,
    status: outcome.status,
    durationMs: outcome.durationMs,
    consumer: consumer ? { id: consumer.id, via: consumer.via } : null,
  };
  if (client) {
    line['client'] = client.profile.name;
    line['clientVersion'] = client.version ?? null;
  }
  line['clientAddress'] = outcome.clientAddress;
  if (record.route) line['route'] = record.route;
  line['operationName'] = record.operationName ?? null;
  line['operationType'] = record.operationType ?? null;
  line['documentHash'] = record.documentHash ?? null;
  line['errorCodes'] = record.errorCodes;
  line['cache'] = outcome.cache;
  line['execution'] = execution?.path ?? null;
  if (execution?.path === 'stitching') line['fallback'] = execution.reason;
  if (execution?.path === 'plan') line['queryPlanId'] = execution.planId;
  line['upstream'] = record.upstream;
  if (outcome.slow) line['slow'] = true;
  if (outcome.headers) line['headers'] = outcome.headers;
  if (record.variables !== undefined) line['variables'] = record.variables;
  return line;
}

/** The line's message: `POST /graphql OrderHistory 200 41.3 ms`. */
export function accessMessage(record: AccessRecord, outcome: RequestOutcome): string {
  return `${record.method} ${record.path}${record.operationName ? ` ${record.operationName}` : ''} ${outcome.status ?? 'aborted'} ${outcome.durationMs} ms`;
}

/** Names that suggest a credential (an admin key, a session, a signature), beside the known ones pino redacts. */
const credentialLike = /auth|cookie|key|token|secret|password|session|signature/i;

/** The request headers as a `debug` line shows them: credential-like values already `"[redacted]"`. */
export function loggedHeaders(headers: Headers): Record<string, string> {
  const logged: Record<string, string> = {};
  headers.forEach((value, name) => {
    logged[name] = credentialLike.test(name) ? '[redacted]' : value;
  });
  return logged;
}
