import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServerResponse } from 'node:http';
import { OrderHistoryDocument } from '../generated/operations.ts';
import { ConfigError } from '../src/config/config-error.ts';
import { normalizeConfig } from '../src/config/normalize-config.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { collectLogs } from './helpers/collect-logs.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { scrape, valueOf } from './helpers/prometheus-text.ts';
import { startShop } from './helpers/start-shop.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';

const answerBytes = 4096;

/**
 * An inventory service whose every answer is exactly `answerBytes` long (JSON, then spaces), with
 * a `content-length`: each product in stock at "north".
 */
async function paddedInventory(t: Parameters<typeof startFixtureServer>[0]) {
  return startFixtureServer(t, (request, response) => {
    const { variables } = JSON.parse(request.body) as { variables: Record<string, string[]> };
    const ids = Object.values(variables)[0] ?? [];
    const text = JSON.stringify({ data: { _entities: ids.map(() => ({ inventory: { inStock: 1, warehouse: 'north' } })) } });
    assert.ok(text.length <= answerBytes, `the padded answer holds ${ids.length} products`);
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(answerBytes) }).end(text.padEnd(answerBytes, ' '));
  });
}

test('an answer of exactly maxResponseBytes is read; one byte more fails only that service fields, without a retry', async (t) => {
  const inventory = await paddedInventory(t);
  const shopWith = (maxResponseBytes: number) =>
    startShop(t, {
      adjust: (config) => {
        const source = config.sources.find((candidate) => candidate.name === 'inventory');
        assert.ok(source);
        Object.assign(source, { url: `${inventory.url}/graphql`, maxResponseBytes, dedupeInFlight: false });
      },
    });

  const exact = await shopWith(answerBytes);
  const read = await postGraphQL(exact.endpoint, OrderHistoryDocument, { id: '1' }, exact.asUser1);
  assert.equal(read.status, 200);
  assert.equal(read.body.errors, undefined);
  const readItems = read.body.data?.user?.orders?.flatMap((order) => order.items) ?? [];
  assert.ok(readItems.length >= 30 && readItems.every((item) => item.product?.inventory?.warehouse === 'north'));

  const over = await shopWith(answerBytes - 1);
  const callsBefore = inventory.requests.length;
  const cut = await postGraphQL(over.endpoint, OrderHistoryDocument, { id: '1' }, over.asUser1);
  assert.equal(cut.status, 200);
  // Retries are on for reads (two by default); a too-long answer is not a transient failure.
  assert.equal(inventory.requests.length - callsBefore, 1);
  const items = cut.body.data?.user?.orders?.flatMap((order) => order.items) ?? [];
  assert.ok(items.length >= 30 && items.every((item) => item.product?.name && item.product.inventory === null));
  const errors = cut.body.errors ?? [];
  assert.equal(errors.length, items.length);
  for (const error of errors) {
    assert.equal(error.extensions?.code, 'DOWNSTREAM_SERVICE_ERROR');
    assert.equal(error.extensions?.service, 'inventory');
    assert.equal(error.message, `Service "inventory" answered 200 with a body over the limit of ${answerBytes - 1} bytes.`);
    assert.equal(error.path?.at(-1), 'inventory');
  }
  assert.doesNotMatch(cut.text, /127\.0\.0\.1|stack/);
});

test('an endless chunked answer is cut off at maxResponseBytes and its connection closed, long before the timeout', async (t) => {
  // A payments service that never stops: a JSON array streamed without a content-length for as long as the connection stays open.
  let closed!: () => void;
  const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
  let sent = 0;
  const endless = await startFixtureServer(t, (_request, response) => {
    response.on('close', closed);
    response.writeHead(200, { 'content-type': 'application/json' });
    const chunk = `${JSON.stringify({ orderId: 'o-1', status: 'CAPTURED', method: 'CARD', amount: 1 })},`.repeat(100);
    // Writes while the socket takes it, again on each drain, until the gateway closes the connection.
    const pump = (out: ServerResponse): void => {
      while (!out.destroyed) {
        sent += chunk.length;
        if (!out.write(chunk)) return void out.once('drain', () => pump(out));
      }
    };
    response.write('[');
    pump(response);
  });
  const shop = await startShop(t, {
    adjust: (config) => {
      const source = config.sources.find((candidate) => candidate.name === 'payments');
      assert.ok(source);
      // Had the answer been read to its end, the call would fail only here, with GATEWAY_TIMEOUT.
      Object.assign(source, { url: endless.url, maxResponseBytes: 65_536, timeout: 20_000 });
    },
  });

  const response = await postGraphQL(shop.endpoint, OrderHistoryDocument, { id: '1' }, shop.asUser1);
  await connectionClosed;

  assert.equal(response.status, 200);
  const orders = response.body.data?.user?.orders ?? [];
  assert.equal(orders.length, 10);
  assert.ok(orders.every((order) => order.payment === null && order.shipment?.carrier));
  const errors = response.body.errors ?? [];
  assert.equal(errors.length, 10);
  for (const error of errors) {
    assert.equal(error.extensions?.code, 'DOWNSTREAM_SERVICE_ERROR');
    assert.equal(error.extensions?.service, 'payments');
    assert.equal(error.message, 'Service "payments" answered 200 with a body over the limit of 65536 bytes.');
  }
  assert.equal(endless.requests.length, 1);
  // The service could write more than the limit into socket buffers, never an unbounded amount.
  assert.ok(sent < 16 * 1024 * 1024, `the service wrote ${sent} bytes before the gateway closed the connection`);
});

test('the operator is told once per burst which service answered too much and which option bounds it; every cut answer is counted', async (t) => {
  const logs = collectLogs();
  let size = 300;
  const service = await startFixtureServer(t, (_request, response) => json(response, 200, 'x'.repeat(size)));
  const gateway = await startTestGateway(
    t,
    { things: { kind: 'rest', url: service.url, sdl: 'type Query { hello: String @http(GET: "/hello") }', maxResponseBytes: 200 } },
    {},
    { logger: logs.logger },
  );
  for (let round = 0; round < 3; round++) {
    const response = await postGraphQL(gateway.endpoint, '{ hello }');
    assert.deepEqual([response.status, response.body.data, response.body.errors?.[0]?.extensions?.code], [200, { hello: null }, 'DOWNSTREAM_SERVICE_ERROR']);
  }
  const told = () => logs.messages().filter((message) => message.startsWith('service "things"'));
  assert.deepEqual(told(), [
    `service "things" failing: answered 200 with a body over the limit of 200 bytes at ${service.url} (the source's maxResponseBytes; raise it if such answers are expected) (further failures are counted, not logged, until it recovers)`,
  ]);
  assert.equal(valueOf(await scrape(`${gateway.url}/metrics`), 'concierge_internal_errors_total', { component: 'upstream_answer_size' }), 3);
  assert.equal(valueOf(await scrape(`${gateway.url}/metrics`), 'concierge_internal_errors_total', { component: 'upstream_connect' }), undefined);

  size = 100;
  const within = await postGraphQL(gateway.endpoint, '{ hello }');
  assert.deepEqual(within.body.data, { hello: 'x'.repeat(100) });
  assert.equal(told().at(-1), 'service "things" recovered after 3 failures');
});

test('maxResponseBytes: a positive integer of bytes, up to 1 GiB, per source and per subgraph', () => {
  const problemsOf = (sources: unknown): readonly string[] => {
    try {
      normalizeConfig({ sources }, { baseDir: '/srv/gateway', env: {} });
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      return error.problems;
    }
    return [];
  };
  assert.deepEqual(problemsOf({ users: { kind: 'graphql', url: 'http://users/graphql', maxResponseBytes: '10mb' } }), [
    'config.sources.users.maxResponseBytes: expected an integer from 1 to 1073741824, got "10mb"',
  ]);
  assert.deepEqual(problemsOf({ users: { kind: 'graphql', url: 'http://users/graphql', maxResponseBytes: 0 } }), [
    'config.sources.users.maxResponseBytes: expected an integer from 1 to 1073741824, got 0',
  ]);
  const config = normalizeConfig({ sources: { users: { kind: 'graphql', url: 'http://users/graphql', maxResponseBytes: 52_428_800 } } }, { env: {} });
  assert.equal(config.sources[0]?.maxResponseBytes, 52_428_800);
});
