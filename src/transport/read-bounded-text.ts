import type { Dispatcher } from 'undici';

/** Most bytes of one upstream answer read unless a source says otherwise: 10 MiB, as a plain route's `maxBodyBytes`. */
export const defaultMaxResponseBytes = 10_485_760;

/**
 * An answer's body as text, or `undefined` when it is longer than `max` bytes: then the body is
 * destroyed (which closes the connection) as soon as that is known, from its `content-length`
 * before any byte is read, or else (a chunked answer) from the bytes counted as they arrive. A
 * body with a `content-length` is read whole at once: undici never passes more bytes than that.
 */
export function readBoundedText(response: Dispatcher.ResponseData, max: number): Promise<string | undefined> {
  const { body, headers } = response;
  const declared = headers['content-length'];
  // Not an async function: the usual answer, with a content-length, costs no promise of its own.
  if (typeof declared === 'string') return Number(declared) <= max ? body.text() : Promise.resolve(discard(body));
  return readCounted(body, max);
}

/** A chunked body, its bytes counted as they arrive: `undefined` (and the body destroyed) once past `max`. */
async function readCounted(body: Dispatcher.ResponseData['body'], max: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) return discard(body);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

/** Stops reading a body and closes its connection; the abort error undici then emits is expected, not a fault. */
function discard(body: Dispatcher.ResponseData['body']): undefined {
  body.on('error', () => {});
  body.destroy();
  return undefined;
}
