import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';

/** A small HTTP service written inside a test, with the requests it received. */
export interface FixtureServer {
  url: string;
  port: number;
  requests: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }>;
}

/** Starts `handler` on a free port; closed when the test ends. */
export async function startFixtureServer(
  t: TestContext,
  handler: (request: IncomingMessage & { body: string }, response: ServerResponse) => unknown,
): Promise<FixtureServer> {
  const requests: FixtureServer['requests'] = [];
  const server = createServer(async (request, response) => {
    let body = '';
    for await (const chunk of request) body += String(chunk);
    requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
    await handler(Object.assign(request, { body }), response);
  });
  const port = await listenUntilTestEnds(t, server);
  return { url: `http://127.0.0.1:${port}`, port, requests };
}

/** Listens on a free port of 127.0.0.1 and resolves with it; when the test ends, every connection is closed and the server with them. */
export async function listenUntilTestEnds(t: TestContext, server: Server | HttpsServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}

/** Sends a JSON answer. */
export function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
