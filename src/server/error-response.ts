import { errorCodes, type ErrorCode } from '../errors.ts';
import { requestIdOf } from '../observability/request-id.ts';

/**
 * A GraphQL-over-HTTP error response for a request refused before GraphQL runs (onRequest):
 * `{"errors":[{"message","extensions":{"code","requestId"}}]}` with the code's HTTP status, in the
 * media type the client accepts.
 */
export function errorResponse(request: Request, code: ErrorCode, message: string, headers: Record<string, string> = {}): Response {
  const accept = request.headers.get('accept') ?? '';
  const mediaType =
    accept.includes('application/graphql-response+json') || !accept.includes('application/json') ? 'application/graphql-response+json' : 'application/json';
  const requestId = requestIdOf(request);
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code, ...(requestId === undefined ? {} : { requestId }) } }] }), {
    status: errorCodes[code],
    headers: { 'content-type': `${mediaType}; charset=utf-8`, ...headers },
  });
}
