import { createServer, type IncomingMessage } from 'node:http';
import { answerClientErrors } from '../server/answer-client-errors.ts';
import { clientTimeoutOptions, type ClientTimeouts } from '../server/client-timeouts.ts';
import type { ErrorCode } from '../errors.ts';

/** A listener of its own, closed with the gateway. */
export interface MetricsListener {
  close(): Promise<void>;
}

/**
 * Listens on `port` (plain HTTP) and answers each request with `handle`, or 404 when it has no
 * answer. Request bodies are never read: only GET is served. Slow clients and what is not HTTP are
 * refused as on the gateway's own port (`timeouts`, answerClientErrors), each counted by `refused`.
 */
export async function listenForMetrics(
  port: number,
  host: string,
  timeouts: ClientTimeouts,
  refused: (code: ErrorCode) => void,
  handle: (request: Request, incoming: IncomingMessage) => Promise<Response | undefined>,
): Promise<MetricsListener> {
  const answer = async (incoming: IncomingMessage): Promise<Response> => {
    try {
      return (await handle(toRequest(incoming), incoming)) ?? new Response('Not Found', { status: 404, headers: { 'content-type': 'text/plain' } });
    } catch {
      return new Response('Bad Request', { status: 400, headers: { 'content-type': 'text/plain' } });
    }
  };
  const server = createServer(clientTimeoutOptions(timeouts), (incoming, outgoing) => {
    void answer(incoming)
      .then(async (response) => {
        outgoing.writeHead(response.status, Object.fromEntries(response.headers));
        outgoing.end(incoming.method === 'HEAD' ? undefined : Buffer.from(await response.arrayBuffer()));
      })
      .catch(() => outgoing.destroy());
  });
  answerClientErrors(server, refused);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function toRequest(incoming: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return new Request(new URL(incoming.url ?? '/', 'http://metrics.invalid'), { method: incoming.method ?? 'GET', headers });
}
