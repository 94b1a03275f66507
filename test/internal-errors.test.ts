import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { createBurstLog } from '../src/observability/burst-log.ts';
import { createGatewayLogger } from '../src/observability/gateway-logger.ts';
import { hashApiKey } from '../src/auth/api-keys.ts';
import { startCachedGateway, startCatalogService } from './helpers/cached-catalog.ts';
import { collectLogs } from './helpers/collect-logs.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { scrape, valueOf } from './helpers/prometheus-text.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';

/** A TCP port where nothing listens: connecting there is refused. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const internalErrors = async (url: string, component: string) => valueOf(await scrape(`${url}/metrics`), 'concierge_internal_errors_total', { component });

test('a burst log tells the first failure, counts every one, summarizes while it lasts and closes on the first success', () => {
  const logs = collectLogs();
  let now = 0;
  let counted = 0;
  const burst = createBurstLog({ logger: logs.logger, subject: 'thing', count: () => void (counted += 1), every: 60_000, clock: { now: () => now } });
  burst.succeeded();
  for (let failure = 1; failure <= 5; failure++) burst.failed(`reason ${failure}`);
  now = 60_000;
  burst.failed('reason 6');
  burst.failed('reason 7');
  burst.succeeded();
  burst.succeeded();
  burst.failed('reason 8');
  assert.equal(counted, 8);
  assert.deepEqual(logs.lines, [
    { level: 'error', message: 'thing failing: reason 1 (further failures are counted, not logged, until it recovers)' },
    { level: 'error', message: 'thing still failing: 5 more failures since the last line, 6 in this burst; the last: reason 6' },
    { level: 'warn', message: 'thing recovered after 7 failures' },
    { level: 'error', message: 'thing failing: reason 8 (further failures are counted, not logged, until it recovers)' },
  ]);
});

test('gateway messages are JSON lines on a stream that is not a terminal, pretty when asked, and none when silent', async () => {
  const lines = async (format: 'auto' | 'json' | 'pretty', level: 'info' | 'warn' | 'silent' = 'info') => {
    const destination = new PassThrough();
    let text = '';
    destination.on('data', (chunk) => (text += String(chunk)));
    const logger = createGatewayLogger({ level, format }, { destination });
    logger.info('serving 1 sources at http://127.0.0.1:4000/graphql');
    logger.error('redis (rate limits) unreachable');
    await new Promise((resolve) => setImmediate(resolve));
    return text.trimEnd().split('\n').filter(Boolean);
  };
  const json = (await lines('auto')).map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.deepEqual(
    json.map(({ level, name, msg }) => ({ level, name, msg })),
    [
      { level: 30, name: 'concierge', msg: 'serving 1 sources at http://127.0.0.1:4000/graphql' },
      { level: 50, name: 'concierge', msg: 'redis (rate limits) unreachable' },
    ],
  );
  const pretty = await lines('pretty');
  assert.equal(pretty.length, 2, pretty.join('\n'));
  assert.match(pretty[0] ?? '', /INFO.*: serving 1 sources at http:\/\/127\.0\.0\.1:4000\/graphql$/);
  assert.deepEqual(
    (await lines('json', 'warn')).map((line) => (JSON.parse(line) as { msg: string }).msg),
    ['redis (rate limits) unreachable'],
  );
  assert.deepEqual(await lines('json', 'silent'), []);
});

test('logging.format accepts auto, json and pretty, and names the key otherwise', async () => {
  const { normalizeConfig } = await import('../src/config/normalize-config.ts');
  const sources = { a: { kind: 'rest', url: 'http://a' } };
  assert.equal(normalizeConfig({ sources }, { env: {} }).logging.format, 'auto');
  assert.equal(normalizeConfig({ sources, logging: { format: 'pretty' } }, { env: {} }).logging.format, 'pretty');
  assert.throws(
    () => normalizeConfig({ sources, logging: { format: 'yaml' } }, { env: {} }),
    /config\.logging\.format: expected one of "auto", "json", "pretty", got "yaml"/,
  );
});

test('a service that refuses connections is logged once per burst with the network error code, and every failed call is counted', async (t) => {
  const logs = collectLogs();
  const port = await closedPort();
  const gateway = await startTestGateway(
    t,
    { things: { kind: 'rest', url: `http://127.0.0.1:${port}`, sdl: 'type Query { hello: String @http(GET: "/hello") }', retries: false } },
    {},
    { logger: logs.logger },
  );
  for (let round = 0; round < 3; round++) {
    const response = await postGraphQL(gateway.endpoint, '{ hello }');
    assert.deepEqual([response.status, response.body.data, response.body.errors?.[0]?.extensions?.code], [200, { hello: null }, 'DOWNSTREAM_SERVICE_ERROR']);
  }
  const told = logs.messages().filter((message) => message.startsWith('service "things"'));
  assert.equal(told.length, 1, logs.messages().join('\n'));
  assert.match(told[0] ?? '', new RegExp(`^service "things" failing: unreachable at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED: .*\\)`));
  assert.equal(await internalErrors(gateway.url, 'upstream_connect'), 3);
});

test('a rate-limit store on a Redis where nothing listens: one outage line, every failed check counted', async (t) => {
  const logs = collectLogs();
  const service = await startFixtureServer(t, (_request, response) => json(response, 200, 'ok'));
  const gateway = await startTestGateway(
    t,
    { api: { kind: 'rest', url: service.url, sdl: 'type Query { hello: String @http(GET: "/hello") }' } },
    {
      redis: { url: `redis://127.0.0.1:${await closedPort()}`, commandTimeout: 200 },
      consumers: { a: { keyHash: hashApiKey('key-a-0123456789abcdef'), plan: 'small' } },
      rateLimits: { store: 'redis', onStoreFailure: 'open', plans: { small: { requests: { max: 100, window: '1m' } } } },
    },
    { logger: logs.logger },
  );
  for (let round = 0; round < 4; round++) {
    const response = await postGraphQL(gateway.endpoint, '{ hello }', undefined, { 'x-api-key': 'key-a-0123456789abcdef' });
    assert.deepEqual([response.status, response.body.data], [200, { hello: 'ok' }]);
  }
  assert.equal(logs.messages().filter((message) => message.startsWith('redis (rate limits) unreachable')).length, 1, logs.messages().join('\n'));
  assert.equal(await internalErrors(gateway.url, 'rate_limit_store'), 4);
});

test('cache invalidation after a mutation, with the Redis store unreachable: logged once for the burst, each failure counted, the mutation answered', async (t) => {
  const logs = collectLogs();
  const catalog = await startCatalogService(t);
  const { gateway, query } = await startCachedGateway(
    t,
    catalog,
    {},
    { redis: { url: `redis://127.0.0.1:${await closedPort()}`, commandTimeout: 200 } },
    { logger: logs.logger },
  );
  for (const price of [5, 6, 7]) {
    const response = await query(`mutation { setPrice(id: "1", price: ${price}) { id price } }`);
    assert.deepEqual([response.status, response.body.data], [200, { setPrice: { id: '1', price } }]);
  }
  assert.equal(catalog.calls('/products/1/price?value=7'), 1);
  const told = logs.messages().filter((message) => message.startsWith('response cache invalidation'));
  assert.deepEqual(told, [
    'response cache invalidation failing: the response cache store (redis) is unreachable; answers cached with the changed entities stay until their maxAge (further failures are counted, not logged, until it recovers)',
  ]);
  assert.equal(await internalErrors(gateway.url, 'response_cache_invalidation'), 3);
});
