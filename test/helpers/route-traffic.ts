import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenUntilTestEnds } from './fixture-server.ts';
import type { TestContext } from 'node:test';

/** A service written inside a test: raw Node handlers, so a test controls every byte and event. */
export interface Upstream {
  url: string;
  requests: Array<{ method: string; url: string; headers: IncomingHttpHeaders }>;
}

/** Starts `handler` on a free port, recording each request's line and headers; closed when the test ends. */
export async function startUpstream(t: TestContext, handler: (request: IncomingMessage, response: ServerResponse) => unknown): Promise<Upstream> {
  const requests: Upstream['requests'] = [];
  const server = createServer((request, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    void handler(request, response);
  });
  return { url: `http://127.0.0.1:${await listenUntilTestEnds(t, server)}`, requests };
}

/** An answer as the client received it. */
export interface Sent {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request over its own connection, with exactly the headers given (hop-by-hop ones included). */
export function send(
  url: string,
  { method = 'GET', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method, headers, agent: false }, (response) => {
      let text = '';
      response
        .setEncoding('utf8')
        .on('data', (chunk: string) => (text += chunk))
        .once('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
    });
    outgoing.once('error', reject).end(body);
  });
}

/** The JSON error of a refusal: its code and message. */
export function refusal(sent: Sent): { code: unknown; message: unknown } {
  const [error] = (JSON.parse(sent.body) as { errors: Array<{ message: string; extensions: { code: string } }> }).errors;
  return { code: error?.extensions.code, message: error?.message };
}
