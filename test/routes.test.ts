import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, watch } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { hashApiKey } from '../src/auth/api-keys.ts';
import { startOtlpReceiver } from './helpers/otlp-receiver.ts';
import { scrape, valueOf } from './helpers/prometheus-text.ts';
import { refusal, send, startUpstream } from './helpers/route-traffic.ts';
import { startShop } from './helpers/start-shop.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';

/** The orders service's GraphQL face; routes ignore it, but a source needs one. */
const ordersSdl = /* GraphQL */ `
  type Query { order(id: ID!): String @http(GET: "/orders/{args.id}") }
`;

/**
 * A wait for the log's text to hold `needle`, started before the request: the folder's watcher is
 * running once this returns, so the write is seen as an event, not looked for on a clock.
 */
function lineWritten(dir: string, file: string, needle: string): Promise<string> {
  const stop = new AbortController();
  const events = watch(dir, { signal: stop.signal })[Symbol.asyncIterator]();
  let change = events.next();
  return (async () => {
    try {
      for (;;) {
        const text = await readFile(file, 'utf8').catch(() => '');
        if (text.includes(needle)) return text;
        await change;
        change = events.next();
      }
    } finally {
      stop.abort();
      await change.catch(() => undefined);
    }
  })();
}

const echo = (request: IncomingMessage, response: ServerResponse) =>
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: request.url }));

function startRoutes(t: TestContext, upstream: string, extra: Record<string, unknown> = {}) {
  return startTestGateway(t, { orders: { kind: 'rest', url: upstream, sdl: ordersSdl } }, { routes: { '/api/orders/*': { source: 'orders' } }, ...extra });
}

const keys = { shop: 'ck_shop_0123456789', reader: 'ck_reader_0123456789' };
const consumers = {
  shop: { keyHash: hashApiKey(keys.shop), scopes: ['orders:read', 'orders:write'] },
  reader: { keyHash: hashApiKey(keys.reader), scopes: ['orders:read'] },
};

test('a GET passes through with its query string; status and headers come back; hop-by-hop headers are dropped both ways; Via and X-Forwarded-* are set', async (t) => {
  const upstream = await startUpstream(t, (_request, response) => {
    response
      .writeHead(418, {
        'content-type': 'text/plain',
        'x-upstream': 'yes',
        'keep-alive': 'timeout=77',
        'proxy-authenticate': 'Basic',
        connection: 'x-internal',
        'x-internal': 'secret',
        via: '1.1 orders-sidecar',
      })
      .end('teapot');
  });
  const gateway = await startRoutes(t, upstream.url);

  const sent = await send(`${gateway.url}/api/orders/7?expand=items&x=1`, {
    headers: {
      connection: 'x-hop, keep-alive',
      'x-hop': 'gone',
      'keep-alive': 'timeout=9',
      te: 'gzip',
      'proxy-authorization': 'Basic eA==',
      'x-client': 'kept',
      'x-forwarded-for': '6.6.6.6',
      forwarded: 'for=6.6.6.6',
      host: 'localhost',
    },
  });

  assert.deepEqual([sent.status, sent.body, sent.headers['content-type'], sent.headers['x-upstream']], [418, 'teapot', 'text/plain', 'yes']);
  // The Keep-Alive the client sees is the gateway's own connection's, not the service's.
  assert.deepEqual(
    [sent.headers['x-internal'], sent.headers['proxy-authenticate'], sent.headers['keep-alive'] === 'timeout=77'],
    [undefined, undefined, false],
  );
  assert.equal(sent.headers['via'], '1.1 orders-sidecar, 1.1 concierge');
  assert.equal(upstream.requests.length, 1);
  const [received] = upstream.requests;
  assert.equal(received?.url, '/api/orders/7?expand=items&x=1');
  assert.equal(received?.headers['x-client'], 'kept');
  for (const name of ['x-hop', 'te', 'proxy-authorization', 'forwarded']) assert.equal(received?.headers[name], undefined, name);
  // The peer is no trusted proxy: what it says about the client is replaced.
  assert.deepEqual(
    [received?.headers['x-forwarded-for'], received?.headers['x-forwarded-proto'], received?.headers['x-forwarded-host'], received?.headers['via']],
    ['127.0.0.1', 'http', 'localhost', '1.1 concierge'],
  );
  assert.equal(received?.headers['host'], new URL(upstream.url).host);
  assert.match(String(received?.headers['x-request-id']), /^[\da-f-]{36}$/);
});

test("a trusted proxy's forwarding headers are extended, not replaced; stripPrefix and rewrite choose the path sent", async (t) => {
  const upstream = await startUpstream(t, echo);
  const gateway = await startRoutes(t, `${upstream.url}/v1`, {
    network: { trustedProxies: ['127.0.0.1'] },
    routes: { '/api/orders/*': { source: 'orders', stripPrefix: true }, '/api/users/:id/orders/*': { source: 'orders', rewrite: '/users/:id/orders/*' } },
  });

  const headers = { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'shop.example.com', host: 'localhost' };
  assert.equal((await send(`${gateway.url}/api/orders/7/items?page=2`, { headers })).status, 200);
  assert.equal((await send(`${gateway.url}/api/orders`, { headers })).status, 200);
  const rewritten = await send(`${gateway.url}/api/users/u1/orders/7`);

  assert.deepEqual(
    upstream.requests.map((request) => request.url),
    ['/v1/7/items?page=2', '/v1/', '/v1/users/u1/orders/7'],
  );
  assert.equal(JSON.parse(rewritten.body).url, '/v1/users/u1/orders/7');
  const [first] = upstream.requests;
  assert.deepEqual(
    [first?.headers['x-forwarded-for'], first?.headers['x-forwarded-proto'], first?.headers['x-forwarded-host']],
    ['203.0.113.9, 127.0.0.1', 'https', 'shop.example.com'],
  );
});

test('a method the route does not list: 405 METHOD_NOT_ALLOWED with Allow, and no call', async (t) => {
  const upstream = await startUpstream(t, echo);
  const gateway = await startRoutes(t, upstream.url, { routes: { '/api/orders/*': { source: 'orders', methods: ['GET', 'POST'] } } });

  const sent = await send(`${gateway.url}/api/orders/7`, { method: 'DELETE' });
  const head = await send(`${gateway.url}/api/orders/7`, { method: 'HEAD' });
  const elsewhere = await send(`${gateway.url}/api/other`);

  assert.deepEqual(
    [sent.status, sent.headers['allow'], refusal(sent)],
    [405, 'GET, POST, HEAD', { code: 'METHOD_NOT_ALLOWED', message: 'Route /api/orders/* answers GET, POST, HEAD only.' }],
  );
  assert.deepEqual([head.status, head.body], [200, '']);
  assert.deepEqual([elsewhere.status, refusal(elsewhere).code], [404, 'NOT_FOUND']);
  assert.deepEqual(
    upstream.requests.map((request) => request.method),
    ['HEAD'],
  );
});

test('authentication and scopes: 401 without a credential where the route requires one, 403 without a scope; optional routes admit anonymous callers under authentication.required', async (t) => {
  const upstream = await startUpstream(t, echo);
  const gateway = await startRoutes(t, upstream.url, {
    consumers,
    authentication: { required: true },
    routes: {
      '/api/orders/*': { source: 'orders', methods: ['GET', 'POST'], scopes: ['orders:write'] },
      '/api/catalog/*': { source: 'orders', authentication: 'optional' },
    },
  });

  const anonymous = await send(`${gateway.url}/api/orders/7`);
  const badKey = await send(`${gateway.url}/api/orders/7`, { headers: { 'x-api-key': 'ck_wrong' } });
  const reader = await send(`${gateway.url}/api/orders/7`, { headers: { 'x-api-key': keys.reader } });
  const shop = await send(`${gateway.url}/api/orders/7`, { headers: { 'x-api-key': keys.shop } });
  const catalog = await send(`${gateway.url}/api/catalog/1`);

  assert.deepEqual(
    [anonymous.status, anonymous.headers['www-authenticate'], refusal(anonymous)],
    [401, 'Bearer', { code: 'UNAUTHENTICATED', message: 'Authentication is required: send a bearer token or an API key.' }],
  );
  assert.deepEqual([badKey.status, refusal(badKey)], [401, { code: 'UNAUTHENTICATED', message: 'The API key is not valid.' }]);
  assert.deepEqual(
    [reader.status, refusal(reader)],
    [403, { code: 'FORBIDDEN', message: 'Route /api/orders/* needs the scope orders:write, which consumer "reader" lacks.' }],
  );
  assert.deepEqual([shop.status, catalog.status], [200, 200]);
  assert.deepEqual(
    upstream.requests.map((request) => request.url),
    ['/api/orders/7', '/api/catalog/1'],
  );
  // The gateway's credential is its own: the service never sees the API key.
  assert.equal(upstream.requests[0]?.headers['x-api-key'], undefined);
});

test('network rules refuse a route request as they refuse GraphQL: 403 FORBIDDEN, no call', async (t) => {
  const upstream = await startUpstream(t, echo);
  const gateway = await startRoutes(t, upstream.url, { network: { ipDeny: ['127.0.0.1'] } });

  const sent = await send(`${gateway.url}/api/orders/7`);

  assert.deepEqual([sent.status, refusal(sent)], [403, { code: 'FORBIDDEN', message: 'Requests from this address are not allowed.' }]);
  assert.equal(upstream.requests.length, 0);
});

test("a route request counts as one request of the caller's plan, and against the route's own rateLimit: 429 RATE_LIMITED with Retry-After", async (t) => {
  const upstream = await startUpstream(t, echo);
  const gateway = await startRoutes(t, upstream.url, {
    rateLimits: { plans: { anonymous: { requests: { max: 3, window: '1m' } } } },
    routes: { '/api/a/*': { source: 'orders', rateLimit: { max: 1, window: '1m' } }, '/api/b/*': { source: 'orders' } },
  });

  const statuses = [];
  for (const path of ['/api/a/1', '/api/a/2', '/api/b/1', '/api/b/2']) statuses.push(await send(`${gateway.url}${path}`));

  assert.deepEqual(
    statuses.map((sent) => sent.status),
    [200, 429, 200, 429],
  );
  assert.deepEqual(
    statuses.map((sent) => sent.headers['ratelimit-limit']),
    ['1', '1', '3', '3'],
  );
  for (const limited of [statuses[1], statuses[3]]) {
    assert.ok(limited);
    assert.equal(refusal(limited).code, 'RATE_LIMITED');
    assert.match(String(limited.headers['retry-after']), /^\d+$/);
  }
  assert.deepEqual(
    upstream.requests.map((request) => request.url),
    ['/api/a/1', '/api/b/1'],
  );
});

test('upstream failures: 502 DOWNSTREAM_SERVICE_ERROR when unreachable, 504 GATEWAY_TIMEOUT when silent; messages name the service, never its URL', async (t) => {
  const silent = await startUpstream(t, () => {});
  const gateway = await startTestGateway(
    t,
    { orders: { kind: 'rest', url: silent.url, sdl: ordersSdl }, gone: { kind: 'rest', url: 'http://127.0.0.1:1', sdl: ordersSdl.replace('order(', 'gone(') } },
    { routes: { '/api/orders/*': { source: 'orders', timeout: 50 }, '/api/gone/*': { source: 'gone' } } },
  );

  const unreachable = await send(`${gateway.url}/api/gone/1`);
  const timedOut = await send(`${gateway.url}/api/orders/1`);

  assert.deepEqual([unreachable.status, refusal(unreachable)], [502, { code: 'DOWNSTREAM_SERVICE_ERROR', message: 'Service "gone" could not be reached.' }]);
  assert.deepEqual([timedOut.status, refusal(timedOut)], [504, { code: 'GATEWAY_TIMEOUT', message: 'Service "orders" did not answer within 50 ms.' }]);
  assert.equal(silent.requests.length, 1);
  assert.doesNotMatch(unreachable.body + timedOut.body, /127\.0\.0\.1|stack|at /);
});

test("identity headers reach the service, a client's copies never do; with tracing on, the service continues the client's trace", async (t) => {
  const upstream = await startUpstream(t, echo);
  const receiver = await startOtlpReceiver(t);
  const gateway = await startRoutes(t, upstream.url, {
    consumers,
    identity: { headers: { 'x-consumer': 'consumer', 'x-scopes': 'scopes' } },
    tracing: { enabled: true, endpoint: receiver.endpoint },
  });
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';

  await send(`${gateway.url}/api/orders/7`, { headers: { 'x-api-key': keys.reader, 'x-consumer': 'admin', traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
  await send(`${gateway.url}/api/orders/8`, { headers: { 'x-consumer': 'admin' } });

  const [asReader, anonymous] = upstream.requests;
  assert.deepEqual([asReader?.headers['x-consumer'], asReader?.headers['x-scopes']], ['reader', 'orders:read']);
  assert.equal(anonymous?.headers['x-consumer'], undefined);
  const traceparent = String(asReader?.headers['traceparent']);
  assert.match(traceparent, new RegExp(`^00-${traceId}-[\\da-f]{16}-01$`));
  assert.notEqual(traceparent, `00-${traceId}-00f067aa0ba902b7-01`);
  // Closed before the receiver, so its last spans are exported rather than retried.
  await gateway.close();
  assert.ok(receiver.spans().some((span) => span.name === 'GET /api/orders/*' && span.traceId === traceId && span.kind === 2));
});

test('a route request gets its access-log line (with the route and its upstream call) and is counted in /metrics as an operation of type route', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-routes-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'access.log');
  const upstream = await startUpstream(t, echo);
  const gateway = await startRoutes(t, upstream.url, { logging: { level: 'info', destination: file } });

  const written = lineWritten(dir, file, '/api/orders/7');
  const sent = await send(`${gateway.url}/api/orders/7?secret=1`);
  const samples = await scrape(`${gateway.url}/metrics`);
  const text = await written;

  assert.equal(sent.status, 200);
  const line = JSON.parse(text.trim().split('\n')[0] ?? '{}') as Record<string, unknown>;
  assert.deepEqual(
    [line['level'], line['method'], line['path'], line['route'], line['status'], line['requestId']],
    [30, 'GET', '/api/orders/7', '/api/orders/*', 200, sent.headers['x-request-id']],
  );
  assert.deepEqual(
    (line['upstream'] as Array<Record<string, unknown>>).map(({ service, method, path: called, status }) => ({ service, method, path: called, status })),
    [{ service: 'orders', method: 'GET', path: '/api/orders/7?secret', status: 200 }],
  );
  assert.equal(
    valueOf(samples, 'concierge_requests_total', { operation_type: 'route', operation: '/api/orders/*', status_class: '2xx', consumer: 'anonymous' }),
    1,
  );
  assert.equal(valueOf(samples, 'concierge_upstream_requests_total', { service: 'orders', outcome: '2xx' }), 1);
});

test('the example shop: /api/products/* reads the products REST API for a signed-in caller, and refuses an anonymous one', async (t) => {
  const shop = await startShop(t);

  const anonymous = await send(`${shop.gateway.url}/api/products/1`);
  const product = await send(`${shop.gateway.url}/api/products/1`, { headers: shop.asUser1 });
  const page = await send(`${shop.gateway.url}/api/products?limit=2`, { headers: shop.asUser1 });

  assert.deepEqual([anonymous.status, refusal(anonymous).code], [401, 'UNAUTHENTICATED']);
  assert.deepEqual([product.status, JSON.parse(product.body).id], [200, '1']);
  assert.deepEqual([page.status, JSON.parse(page.body).products.length], [200, 2]);
});
