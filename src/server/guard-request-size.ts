import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorCodes } from '../errors.ts';

/**
 * Refuses, with 413 `PAYLOAD_TOO_LARGE`, a request body larger than `limit` bytes, and calls `next`
 * for any other request.
 *
 * A `Content-Length` over the limit is refused before anything reads the body (Node's parser never
 * delivers more than the declared length). A body without one (chunked) is read here, up to the
 * limit, and handed on as a buffer in `request.body`: the way frameworks that read bodies first
 * pass them to Yoga's Node adapter, which then reads no stream. Reading the stream here and also
 * letting Yoga read it would lose data; failing Yoga's own read would answer 400 "invalid JSON".
 */
export function guardRequestSize(request: IncomingMessage, response: ServerResponse, limit: number, next: () => void): void {
  if (Number(request.headers['content-length'] ?? 0) > limit) return refuse(request, response, limit);
  if (request.headers['content-length'] !== undefined || !request.headers['transfer-encoding']) return next();
  const chunks: Buffer[] = [];
  let size = 0;
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size <= limit) return void chunks.push(chunk);
    request.off('data', onData).off('end', onEnd);
    refuse(request, response, limit);
  };
  const onEnd = () => {
    Object.assign(request, { body: Buffer.concat(chunks, size) });
    next();
  };
  request.on('data', onData).on('end', onEnd).once('error', () => response.destroy());
}

function refuse(request: IncomingMessage, response: ServerResponse, limit: number): void {
  const body = JSON.stringify({ errors: [{ message: `Request body is larger than the limit of ${limit} bytes.`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
  response.writeHead(errorCodes.PAYLOAD_TOO_LARGE, { 'content-type': 'application/json; charset=utf-8', connection: 'close' }).end(body);
  request.resume();
}
