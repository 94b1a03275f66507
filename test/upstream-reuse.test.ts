import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { ServerResponse } from 'node:http';
import { buildSchema, graphql } from 'graphql';
import { hashApiKey } from '../src/auth/api-keys.ts';
import { freshnessLifetime, parseCacheControl } from '../src/transport/cache-control.ts';
import { createHttpClient } from '../src/transport/http-client.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { createManualClock } from './helpers/manual-clock.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';

const itemsSdl = /* GraphQL */ `
  type Item { id: ID! n: Int! consumer: String }
  type Query {
    item(kind: String!): Item @http(GET: "/items/{args.kind}")
    items(ids: [ID!]!): [Item]! @http(GET: "/batch?ids={args.ids}", batchKey: "id")
    slow: Item @http(GET: "/slow")
  }
`;

/** The `Cache-Control` (and `Age`) each `/items/<kind>` answers with. */
const itemHeaders: Record<string, Record<string, string>> = {
  'max-age': { 'cache-control': 'max-age=2' },
  'no-store': { 'cache-control': 'no-store, max-age=60' },
  private: { 'cache-control': 'private, max-age=60' },
  'no-cache': { 'cache-control': 'no-cache, max-age=60' },
  aged: { 'cache-control': 'max-age=2', age: '2' },
  'vary-all': { 'cache-control': 'max-age=60', vary: '*' },
  unavailable: { 'cache-control': 'max-age=60' },
};

/** A count that a test can wait on: `reached(n)` resolves once `add()` has been called `n` times. */
function createCount() {
  let count = 0;
  const waiting = new Set<{ target: number; resolve: () => void }>();
  return {
    add() {
      count += 1;
      for (const waiter of waiting) if (count >= waiter.target) waiting.delete(waiter), waiter.resolve();
    },
    reached: (target: number) => new Promise<void>((resolve) => (count >= target ? resolve() : void waiting.add({ target, resolve }))),
  };
}

/** What a held answer waits for: opened by the test (and when the test ends, so that nothing stays held). */
function createGate(t: TestContext) {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  t.after(() => open());
  return { opened, open };
}

/**
 * A REST service whose answers carry `n`, the number of requests it has served, and the
 * `x-consumer` it was called for. `/slow`, and `/items/unavailable`'s first call (a 503), answer
 * only once the test opens `gate`; `arrived` counts the requests as they come in.
 */
async function startItemService(t: TestContext) {
  let served = 0;
  const gate = createGate(t);
  const arrived = createCount();
  const answer = (response: ServerResponse, status: number, body: object, headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  };
  const service = await startFixtureServer(t, async (request, response) => {
    const n = ++served;
    arrived.add();
    const consumer = request.headers['x-consumer'] ?? null;
    const url = new URL(request.url ?? '/', 'http://x');
    const kind = /^\/items\/(.+)$/.exec(url.pathname)?.[1];
    if (kind === 'unavailable' && n === 1) {
      await gate.opened;
      return answer(response, 503, { message: 'try later' }, itemHeaders[kind]);
    }
    if (kind !== undefined) return answer(response, 200, { id: kind, n, consumer }, itemHeaders[kind]);
    if (url.pathname === '/batch') {
      const ids = url.searchParams.get('ids')?.split(',') ?? [];
      return answer(
        response,
        200,
        ids.map((id) => ({ id, n, consumer })),
        { 'cache-control': 'max-age=2' },
      );
    }
    if (url.pathname === '/slow') {
      await gate.opened;
      return answer(response, 200, { id: 'slow', n, consumer });
    }
    json(response, 404, { message: 'no route' });
  });
  return Object.assign(service, { gate, arrived });
}

const keys = { shop: 'ck_upstream-reuse-shop-0123456789', kiosk: 'ck_upstream-reuse-kiosk-0123456789' };
const consumerConfig = {
  identity: { headers: { 'x-consumer': 'consumer' } },
  consumers: { shop: { keyHash: hashApiKey(keys.shop), scopes: [] }, kiosk: { keyHash: hashApiKey(keys.kiosk), scopes: [] } },
};

/**
 * The item service behind a gateway; `started` counts the gateway's upstream calls as they begin
 * (before the cache and in-flight dedupe), so a test can wait until every caller has joined a call.
 */
async function setUp(t: TestContext, source: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  const service = await startItemService(t);
  const started = createCount();
  const gateway = await startTestGateway(t, { items: { kind: 'rest', url: service.url, sdl: itemsSdl, ...source } }, extra, { onFetch: () => started.add() });
  return { service, gateway, started };
}

test('an answer with max-age=2 is reused by the next client requests', async (t) => {
  const { service, gateway } = await setUp(t);
  const ask = () => postGraphQL(gateway.endpoint, '{ item(kind: "max-age") { id n } }');

  const first = await ask();
  const second = await ask();
  assert.deepEqual(first.body, { data: { item: { id: 'max-age', n: 1 } } });
  assert.deepEqual(second.body, first.body);
  assert.equal(service.requests.length, 1);
});

test('the HTTP cache reuses an answer with max-age=2 for 2 s on its clock, then fetches it again', async (t) => {
  const service = await startItemService(t);
  const clock = createManualClock();
  const client = createHttpClient({ service: 'items', url: service.url, timeout: 5_000, connections: 1, httpCache: true, httpCacheClock: clock });
  t.after(() => client.close());
  const ask = async () => (await client.request({ method: 'GET', path: '/items/max-age' })).body;

  assert.deepEqual(await ask(), { id: 'max-age', n: 1, consumer: null });
  clock.advance(1_999);
  assert.deepEqual(await ask(), { id: 'max-age', n: 1, consumer: null }, 'fresh 1999 ms later');
  clock.advance(1);
  assert.deepEqual(await ask(), { id: 'max-age', n: 2, consumer: null }, 'stale once 2 s have passed');
  assert.equal(service.requests.length, 2);
});

test('batch-endpoint GETs are cached too; httpCache: false turns the cache off', async (t) => {
  const cached = await setUp(t);
  await postGraphQL(cached.gateway.endpoint, '{ items(ids: ["1", "2"]) { id n } }');
  const again = await postGraphQL(cached.gateway.endpoint, '{ items(ids: ["1", "2"]) { id n } }');
  assert.deepEqual(again.body, {
    data: {
      items: [
        { id: '1', n: 1 },
        { id: '2', n: 1 },
      ],
    },
  });
  assert.equal(cached.service.requests.length, 1);

  const uncached = await setUp(t, { httpCache: false });
  await postGraphQL(uncached.gateway.endpoint, '{ item(kind: "max-age") { n } }');
  await postGraphQL(uncached.gateway.endpoint, '{ item(kind: "max-age") { n } }');
  assert.equal(uncached.service.requests.length, 2);
});

test('no-store, no-cache, private, Vary: * and answers as old as their max-age are never reused', async (t) => {
  const { service, gateway } = await setUp(t);
  for (const kind of ['no-store', 'no-cache', 'private', 'vary-all', 'aged']) {
    const before = service.requests.length;
    const first = await postGraphQL(gateway.endpoint, `{ item(kind: "${kind}") { n } }`);
    const second = await postGraphQL(gateway.endpoint, `{ item(kind: "${kind}") { n } }`);
    assert.equal(service.requests.length - before, 2, kind);
    assert.notEqual(first.body.data?.item?.n, second.body.data?.item?.n, kind);
  }
});

test('two consumers never share a cached or an in-flight answer; each reuses its own', async (t) => {
  const { service, gateway, started } = await setUp(t, {}, consumerConfig);
  const as = (consumer: keyof typeof keys, query: string) => postGraphQL(gateway.endpoint, query, undefined, { 'x-api-key': keys[consumer] });

  const cached = [];
  for (const consumer of ['shop', 'kiosk', 'shop', 'kiosk'] as const) cached.push(await as(consumer, '{ item(kind: "max-age") { n consumer } }'));
  assert.deepEqual(
    cached.map((response) => response.body.data?.item),
    [
      { n: 1, consumer: 'shop' },
      { n: 2, consumer: 'kiosk' },
      { n: 1, consumer: 'shop' },
      { n: 2, consumer: 'kiosk' },
    ],
  );
  assert.equal(service.requests.length, 2);

  const concurrent = Promise.all(
    ['shop', 'kiosk', 'shop', 'kiosk', 'shop', 'kiosk'].map((consumer) => as(consumer as keyof typeof keys, '{ slow { consumer } }')),
  );
  await started.reached(4 + 6);
  service.gate.open();
  assert.deepEqual(
    (await concurrent).map((response) => response.body.data?.slow?.consumer),
    ['shop', 'kiosk', 'shop', 'kiosk', 'shop', 'kiosk'],
  );
  assert.equal(service.requests.length, 4, 'one call per consumer');
});

test('20 concurrent identical requests to a slow service make 1 upstream call with dedupe, 20 without', async (t) => {
  for (const [dedupeInFlight, calls] of [
    [true, 1],
    [false, 20],
  ] as const) {
    const { service, gateway, started } = await setUp(t, { dedupeInFlight });
    const pending = Promise.all(Array.from({ length: 20 }, () => postGraphQL(gateway.endpoint, '{ slow { id } }')));
    // Held until every call has joined the first (with dedupe) or reached the service (without).
    await (dedupeInFlight ? started.reached(20) : service.arrived.reached(20));
    service.gate.open();
    const answers = await pending;
    assert.ok(answers.every((answer) => answer.body.data?.slow?.id === 'slow' && !answer.body.errors));
    assert.equal(service.requests.length, calls, `dedupeInFlight: ${dedupeInFlight}`);
  }
});

test('a timeout fails every waiting caller with GATEWAY_TIMEOUT, and the next request goes upstream again', async (t) => {
  // The service holds its answer until the test opens the gate: the gateway's own timer ends the wait.
  const { service, gateway } = await setUp(t, { timeout: 250 });
  const answers = await Promise.all(Array.from({ length: 5 }, () => postGraphQL(gateway.endpoint, '{ slow { id } }')));
  for (const answer of answers) {
    assert.deepEqual(answer.body.data, { slow: null });
    assert.equal(answer.body.errors?.[0]?.extensions?.code, 'GATEWAY_TIMEOUT');
    assert.equal(answer.body.errors?.[0]?.message, 'Service "items" did not answer within 250 ms.');
  }
  assert.equal(service.requests.length, 1);

  service.gate.open();
  assert.deepEqual((await postGraphQL(gateway.endpoint, '{ slow { id } }')).body, { data: { slow: { id: 'slow' } } });
  assert.equal(service.requests.length, 2);
});

test('an error status is shared by the callers waiting for it but never cached, even with max-age', async (t) => {
  // Without retries, which would ask again (test/upstream-resilience.test.ts covers them).
  const { service, gateway, started } = await setUp(t, { retries: false });
  const pending = Promise.all(Array.from({ length: 3 }, () => postGraphQL(gateway.endpoint, '{ item(kind: "unavailable") { n } }')));
  await started.reached(3);
  service.gate.open();
  for (const answer of await pending) {
    assert.equal(answer.body.errors?.[0]?.extensions?.code, 'SERVICE_UNAVAILABLE');
    assert.equal(answer.body.errors?.[0]?.message, 'try later');
  }
  assert.equal(service.requests.length, 1);

  const next = await postGraphQL(gateway.endpoint, '{ item(kind: "unavailable") { n } }');
  assert.deepEqual(next.body, { data: { item: { n: 2 } } });
});

test('GraphQL sources: identical queries in flight share one call, mutations never do', async (t) => {
  const sdl = /* GraphQL */ 'type Query { greeting: String } type Mutation { bump: Int }';
  const schema = buildSchema(sdl);
  let bumps = 0;
  const rootValue = { greeting: () => 'hello', bump: () => ++bumps };
  // Queries and mutations are each held until the test opens their gate.
  const gates = { query: createGate(t), mutation: createGate(t) };
  const arrived = createCount();
  const service = await startFixtureServer(t, async (request, response) => {
    arrived.add();
    const { query, variables } = JSON.parse(request.body) as { query: string; variables?: Record<string, unknown> };
    await gates[query.startsWith('mutation') ? 'mutation' : 'query'].opened;
    json(response, 200, await graphql({ schema, source: query, rootValue, variableValues: variables ?? null }));
  });
  const started = createCount();
  const gateway = await startTestGateway(t, { counter: { kind: 'graphql', url: service.url, sdl } }, {}, { onFetch: () => started.add() });

  const queries = Promise.all(Array.from({ length: 5 }, () => postGraphQL(gateway.endpoint, '{ greeting }')));
  await started.reached(5);
  gates.query.open();
  assert.ok((await queries).every((answer) => answer.body.data?.greeting === 'hello'));
  assert.equal(service.requests.length, 1);

  const mutations = Promise.all(Array.from({ length: 5 }, () => postGraphQL(gateway.endpoint, 'mutation { bump }')));
  await arrived.reached(1 + 5);
  gates.mutation.open();
  assert.deepEqual((await mutations).map((answer) => answer.body.data?.bump).sort(), [1, 2, 3, 4, 5], 'all five were in flight at once, each sent');
  assert.equal(service.requests.length, 6);
});

test('freshnessLifetime follows the shared-cache rules of RFC 9111', () => {
  const life = (status: number, headers: Record<string, string>, request: Record<string, string> = {}) => freshnessLifetime(status, headers, request);
  assert.equal(life(200, { 'cache-control': 'max-age=10' }), 10_000);
  assert.equal(life(404, { 'cache-control': 'public, max-age=10' }), 10_000);
  assert.equal(life(200, { 'cache-control': 'max-age=10, s-maxage=3' }), 3_000, 's-maxage wins for a shared cache');
  assert.equal(life(200, { 'cache-control': 'max-age=10', age: '4' }), 6_000);
  assert.equal(life(200, { 'cache-control': 'max-age=10', age: '12' }), 0);
  assert.equal(life(200, {}), 0, 'no heuristic freshness');
  assert.equal(life(200, { 'cache-control': 'max-age=ten' }), 0);
  assert.equal(life(500, { 'cache-control': 'max-age=10' }), 0);
  assert.equal(life(301, { 'cache-control': 'max-age=10' }), 0);
  assert.equal(life(200, { 'cache-control': 'max-age=10', vary: 'accept-language, *' }), 0);
  assert.equal(life(200, { 'cache-control': 'max-age=10', vary: 'accept-language' }), 10_000, 'the key holds every request header');
  assert.equal(life(200, { 'cache-control': 'max-age=10' }, { Authorization: 'Bearer x' }), 0, 'RFC 9111 §3.5');
  assert.equal(life(200, { 'cache-control': 'public, max-age=10' }, { authorization: 'Bearer x' }), 10_000);
  assert.equal(life(200, { 'cache-control': 's-maxage=10' }, { authorization: 'Bearer x' }), 10_000);
  assert.deepEqual(
    [...parseCacheControl(['max-age=1, private="set-cookie, x-a"', 'MAX-AGE=9, No-Store'])],
    [
      ['max-age', '1'],
      ['private', 'set-cookie, x-a'],
      ['no-store', true],
    ],
  );
});
