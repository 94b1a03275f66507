import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Handles one HTTP request of an example service. A thrown {@link HttpError} becomes a JSON error response. */
export type ServiceHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

/** Where and how an example service listens. */
export interface ServiceOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to bind; default `127.0.0.1`. */
  host?: string;
  /** Artificial delay before each response, in milliseconds; default 0. */
  latencyMs?: number;
}

/** A listening example service. */
export interface RunningService {
  readonly name: string;
  /** `http://host:port`, no trailing slash. */
  readonly url: string;
  /** Requests served since start or the last reset, `GET /_stats` excluded. */
  requestCount(): number;
  resetRequestCount(): void;
  /** Stops listening and closes every open connection, keep-alive ones included. */
  close(): Promise<void>;
}

/** An error that carries the HTTP status to answer with; its message becomes `{"message": ...}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: OutgoingHttpHeaders = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The largest request body {@link readBody} accepts, in bytes (1 MB). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Sends `body` as a JSON response with `status`. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Reads the request body as UTF-8 text; throws {@link HttpError} 413 above `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number = MAX_BODY_BYTES): Promise<string> {
  const tooLarge = (): HttpError => new HttpError(413, `Request body exceeds ${limit} bytes`, { connection: 'close' });
  if (Number(req.headers['content-length'] ?? 0) > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads the request body as JSON; throws {@link HttpError} 400 when it is empty or not valid JSON. */
export async function readJsonBody(req: IncomingMessage, limit: number = MAX_BODY_BYTES): Promise<unknown> {
  const text = await readBody(req, limit);
  if (text.trim() === '') throw new HttpError(400, 'Request body must be JSON');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'Request body is not valid JSON');
  }
}

function formatUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function sendError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof HttpError) {
    sendJson(res, error.status, { message: error.message }, error.headers);
  } else {
    sendJson(res, 500, { message: 'Internal server error' });
  }
}

/**
 * Serves `handler` on node:http. Counts every request except `GET /_stats`, which answers
 * `{"requests": n}` so that other processes can read the count.
 */
export function listenService(name: string, handler: ServiceHandler, options: ServiceOptions = {}): Promise<RunningService> {
  const { port = 0, host = '127.0.0.1', latencyMs = 0 } = options;
  let requests = 0;

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/_stats') {
      sendJson(res, 200, { requests });
      return;
    }
    requests++;
    void (async () => {
      try {
        if (latencyMs > 0) await sleep(latencyMs);
        await handler(req, res);
      } catch (error) {
        sendError(res, error);
      }
    })();
  });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });
    return closing;
  };

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve({
        name,
        url: formatUrl(host, address.port),
        requestCount: () => requests,
        resetRequestCount: () => {
          requests = 0;
        },
        close,
      });
    });
  });
}
