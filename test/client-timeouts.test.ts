/**
 * Clients that send their requests too slowly, and what Node's HTTP parser refuses before any
 * request exists, on real sockets to the example shop: each gets a GraphQL-over-HTTP error with the
 * error table's code and status, and its connection is closed (src/server/answer-client-errors.ts,
 * src/server/client-timeouts.ts). The timeouts here are short so that the test waits little; the
 * test waits for the gateway's answer and the connection's close, never for a time.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { ConfigError } from '../src/config/config-error.ts';
import { normalizeConfig } from '../src/config/normalize-config.ts';
import { errorCodes } from '../src/errors.ts';
import { scrape, valueOf } from './helpers/prometheus-text.ts';
import { startShop } from './helpers/start-shop.ts';
import { freePort } from './helpers/free-port.ts';

/** What the gateway sent on one connection, once it closed it. */
interface Exchange {
  status: number;
  headers: string;
  body: { errors?: { message: string; extensions?: { code?: string } }[]; data?: unknown };
}

/** Opens a connection, writes `bytes` (nothing when empty), and resolves with all the gateway sent once the connection closes. */
function exchange(endpoint: string, bytes: string): Promise<Exchange> {
  const { hostname, port } = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => {
      if (bytes) socket.write(bytes);
    });
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = received.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
      resolve({ status, headers: head.toLowerCase(), body: JSON.parse(body) as Exchange['body'] });
    });
  });
}

const request = (body: string, declaredLength = Buffer.byteLength(body)) =>
  `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${declaredLength}\r\nConnection: close\r\n\r\n${body}`;

function assertRefused(answer: Exchange, code: keyof typeof errorCodes): void {
  assert.equal(answer.status, errorCodes[code]);
  assert.match(answer.headers, /content-type: application\/json/);
  assert.match(answer.headers, /connection: close/);
  assert.deepEqual(
    answer.body.errors?.map((error) => error.extensions?.code),
    [code],
  );
}

const trickling =
  'a client trickling its headers or its body gets 408 REQUEST_TIMEOUT and loses its connection; one that sent its request in time waits as long as its answer takes';

test(trickling, { timeout: 30_000 }, async (t) => {
  // Services answer after 800 ms: longer than requestTimeout, which bounds receiving a request only.
  const shop = await startShop(t, { latencyMs: 800, adjust: (config) => void Object.assign(config, { headersTimeout: 300, requestTimeout: 600 }) });
  const query = JSON.stringify({ query: '{ user(id: "2") { id name } }' });

  assertRefused(await exchange(shop.endpoint, ''), 'REQUEST_TIMEOUT');
  assertRefused(await exchange(shop.endpoint, 'POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty'), 'REQUEST_TIMEOUT');
  assertRefused(await exchange(shop.endpoint, request(query.slice(0, 12), Buffer.byteLength(query))), 'REQUEST_TIMEOUT');
  assert.equal(shop.services.requestCounts().users, 0, 'no request was executed');

  const served = await exchange(shop.endpoint, request(query));
  assert.equal(served.status, 200);
  assert.deepEqual(served.body, { data: { user: { id: '2', name: (served.body.data as { user: { name: string } }).user.name } } });
  assert.equal(shop.services.requestCounts().users, 1);
});

test('headers over the size limit and bytes that are not HTTP get the error table codes, not a bare status line, on the metrics port too, and are counted', async (t) => {
  const metricsPort = await freePort();
  const shop = await startShop(t, { adjust: (config) => void Object.assign(config.metrics, { enabled: true, port: metricsPort }) });
  assertRefused(await exchange(shop.endpoint, `GET /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`), 'REQUEST_HEADERS_TOO_LARGE');
  assertRefused(await exchange(shop.endpoint, 'HELLO\r\n\r\n'), 'BAD_REQUEST');
  assertRefused(await exchange(`http://127.0.0.1:${metricsPort}/metrics`, 'HELLO\r\n\r\n'), 'BAD_REQUEST');
  assert.deepEqual(
    Object.values(shop.services.requestCounts()).filter((count) => count > 0),
    [],
  );
  // No request, no access-log line; counted with the other errors sent to clients.
  const samples = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
  assert.deepEqual(
    ['REQUEST_HEADERS_TOO_LARGE', 'BAD_REQUEST', 'REQUEST_TIMEOUT'].map((code) => valueOf(samples, 'concierge_errors_total', { code })),
    [1, 2, undefined],
  );
});

test('headersTimeout and requestTimeout: defaults, and a headers timeout longer than the request timeout refused at start-up', () => {
  const sources = { users: { kind: 'graphql', url: 'http://users:4001/graphql' } };
  const config = normalizeConfig({ sources }, { baseDir: '/srv', env: {} });
  assert.deepEqual([config.headersTimeout, config.requestTimeout], [10_000, 60_000]);
  assert.equal(normalizeConfig({ sources, headersTimeout: 40_000, requestTimeout: 0 }, { baseDir: '/srv', env: {} }).headersTimeout, 40_000);
  assert.throws(
    () => normalizeConfig({ sources, headersTimeout: 40_000, requestTimeout: 30_000 }, { baseDir: '/srv', env: {} }),
    (error: unknown) =>
      error instanceof ConfigError &&
      error.problems.includes('config.headersTimeout: expected at most config.requestTimeout (30000), or requestTimeout 0, got 40000'),
  );
  assert.throws(
    () => normalizeConfig({ sources, requestTimeout: '30s' }, { baseDir: '/srv', env: {} }),
    (error: unknown) => error instanceof ConfigError && error.problems.includes('config.requestTimeout: expected an integer from 0 to 3600000, got "30s"'),
  );
});
