import type { GraphQLError } from 'graphql';
import { gatewayError, type ErrorCode } from '../../errors.ts';

const codeByStatus: Record<number, ErrorCode> = {
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  408: 'GATEWAY_TIMEOUT',
  422: 'BAD_USER_INPUT',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

/**
 * The field error for a REST service's non-2xx answer. The status picks the code (400 and 422 are
 * the client's input, 401, 403, 404, 429 keep their meaning, anything else is
 * `DOWNSTREAM_SERVICE_ERROR`); the service's own `message` is kept when it sends one.
 */
export function upstreamStatusError(service: string, status: number, body: unknown): GraphQLError {
  const upstreamMessage = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : undefined;
  const message =
    typeof upstreamMessage === 'string' && upstreamMessage.length > 0 ? upstreamMessage.slice(0, 500) : `Service "${service}" answered ${status}.`;
  return gatewayError(codeByStatus[status] ?? 'DOWNSTREAM_SERVICE_ERROR', message, {
    rejectsRequest: false,
    extensions: { service, upstreamStatus: status },
  });
}
