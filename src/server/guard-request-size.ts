import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorCodes } from '../errors.ts';

/**
 * Refuses, with 413 `PAYLOAD_TOO_LARGE` and before anything reads it, a body whose
 * `Content-Length` is larger than `limit` bytes. Returns whether the request may go on.
 */
export function guardRequestSize(request: IncomingMessage, response: ServerResponse, limit: number): boolean {
  if (Number(request.headers['content-length'] ?? 0) <= limit) return true;
  const body = JSON.stringify({ errors: [{ message: `Request body is larger than the limit of ${limit} bytes.`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
  response.writeHead(errorCodes.PAYLOAD_TOO_LARGE, { 'content-type': 'application/json; charset=utf-8', connection: 'close' }).end(body);
  request.resume();
  return false;
}
