import type { IncomingMessage } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import { errorResponse } from './error-response.ts';

/** Most bytes of a refused body read and dropped before the 413 goes out (see {@link guardRequestSize}). */
const LINGER_BYTES = 64 * 1024 * 1024;

/** Requests whose body is over the limit, marked by {@link guardRequestSize} for {@link useRequestSizeLimit}. */
const tooLarge = new WeakSet<IncomingMessage>();

/**
 * Measures a request body against `limit` bytes before Yoga reads it, then calls `next` for every
 * request; one over the limit is marked so that {@link useRequestSizeLimit} refuses it inside the
 * pipeline, where it gets a request id, an access-log line and a metric like any other refusal.
 *
 * A `Content-Length` over the limit is marked before anything reads the body (Node's parser never
 * delivers more than the declared length). A body without one (chunked) is read here, up to the
 * limit, and handed on as a buffer in `request.body`: the way frameworks that read bodies first
 * pass them to Yoga's Node adapter, which then reads no stream. Reading the stream here and also
 * letting Yoga read it would lose data; failing Yoga's own read would answer 400 "invalid JSON".
 * The rest of a refused body is read and dropped before the answer, up to {@link LINGER_BYTES}
 * (then the answer goes at once), and the connection closes after it: closing on a client still
 * sending would reset the connection, and a reset can destroy the 413 before the client reads it.
 */
export function guardRequestSize(request: IncomingMessage, limit: number, next: () => void): void {
  const refuse = () => {
    tooLarge.add(request);
    Object.assign(request, { body: Buffer.alloc(0) });
    let dropped = 0;
    let answered = false;
    const answer = () => {
      if (answered) return;
      answered = true;
      request.off('data', drop).off('end', answer);
      request.resume();
      next();
    };
    const drop = (chunk: Buffer) => {
      dropped += chunk.length;
      if (dropped > LINGER_BYTES) answer();
    };
    if (request.readableEnded) return answer();
    request
      .on('data', drop)
      .once('end', answer)
      .once('error', () => request.socket.destroy());
  };
  if (Number(request.headers['content-length'] ?? 0) > limit) return refuse();
  if (request.headers['content-length'] !== undefined || !request.headers['transfer-encoding']) return next();
  const chunks: Buffer[] = [];
  let size = 0;
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size <= limit) return void chunks.push(chunk);
    request.off('data', onData).off('end', onEnd);
    refuse();
  };
  const onEnd = () => {
    Object.assign(request, { body: Buffer.concat(chunks, size) });
    next();
  };
  request
    .on('data', onData)
    .on('end', onEnd)
    .once('error', () => request.socket.destroy());
}

/** Answers 413 `PAYLOAD_TOO_LARGE` to a request {@link guardRequestSize} marked, with `Connection: close`. */
export function useRequestSizeLimit(limit: number): Plugin<Record<string, unknown>, { req?: IncomingMessage }> {
  return {
    onRequest({ request, serverContext, endResponse }) {
      if (serverContext.req && tooLarge.has(serverContext.req)) {
        endResponse(
          errorResponse(request, 'PAYLOAD_TOO_LARGE', `Request body is larger than the limit of ${limit} bytes (maxRequestBytes).`, { connection: 'close' }),
        );
      }
    },
  };
}
