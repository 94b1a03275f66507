import { Readable, Transform } from 'node:stream';
import type { IncomingMessage } from 'node:http';

/** A request body on its way to the service, and whether it went over the route's limit. */
export interface StreamedBody {
  /** What the service is sent; `null` when the request has no body. */
  stream: Readable | null;
  /** Whether the body turned out larger than the limit (a chunked body is only measured as it flows). */
  exceeded(): boolean;
}

/**
 * The request body, streamed as it arrives: never held whole by the gateway. A declared
 * `Content-Length` is checked before (see `declaredTooLarge`), and Node's parser never delivers
 * more than it declares; a chunked body is counted as it flows, and fails the upstream call once
 * over `limit`, the rest of it read and dropped so the client can be answered.
 */
export function streamedBody(request: Request, incoming: IncomingMessage | undefined, limit: number): StreamedBody {
  const noBody =
    request.method === 'GET' ||
    request.method === 'HEAD' ||
    request.headers.get('content-length') === '0' ||
    (request.headers.get('content-length') === null && request.headers.get('transfer-encoding') === null);
  if (noBody || (!incoming && !request.body)) return { stream: null, exceeded: () => false };
  const source = incoming ?? Readable.fromWeb(request.body as import('node:stream/web').ReadableStream);
  if (request.headers.get('content-length') !== null) return { stream: source, exceeded: () => false };
  let size = 0;
  let over = false;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size <= limit) return done(null, chunk);
      over = true;
      source.unpipe(counted);
      source.resume();
      done(new Error(`The request body is larger than ${limit} bytes.`));
    },
  });
  source.once('error', (error) => counted.destroy(error));
  source.pipe(counted);
  return { stream: counted, exceeded: () => over };
}

/** Whether a request declares a body larger than `limit` bytes. */
export function declaredTooLarge(request: Request, limit: number): boolean {
  return Number(request.headers.get('content-length') ?? 0) > limit;
}
