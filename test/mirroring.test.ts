import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { normalizeConfig, type NormalizedSource } from '../src/config/normalize-config.ts';
import { assignRequestId } from '../src/observability/request-id.ts';
import { createSourceClient } from '../src/sources/create-source-client.ts';
import { firstDifference } from '../src/transport/compare-answers.ts';
import type { FetchEvent, OnFetch } from '../src/transport/fetch-hooks.ts';
import { withMirror, type MirrorOutcome } from '../src/transport/with-mirror.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { scrape, valueOf } from './helpers/prometheus-text.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';

/**
 * Mirrored traffic: a share of a source's reading calls is copied to a shadow once the source has
 * answered; the caller gets the source's answer without waiting, whatever the shadow does, and
 * the copies' outcomes (same, different with the first difference's path, failed, dropped) are
 * what observers see. Waits are on events (the shadow receiving a copy, an outcome arriving), never
 * on time.
 */

const plain = { httpCache: false, dedupeInFlight: false, retries: false };
const products = (prices: number[]) => ({ data: { products: prices.map((price, index) => ({ id: `p${index}`, price })) } });

const sourceOf = (url: string, mirror: Record<string, unknown>): NormalizedSource =>
  normalizeConfig({ sources: { shop: { kind: 'rest', url, ...plain, mirror } } }, { baseDir: '/srv', env: {} }).sources[0] as NormalizedSource;

/** The copies' events and outcomes as observers receive them, and a wait for the n-th outcome. */
function observeCopies() {
  const copies: FetchEvent[] = [];
  const outcomes: MirrorOutcome[] = [];
  const waiting: Array<{ count: number; resolve: () => void }> = [];
  const onFetch: OnFetch = (event) => {
    if (!event.mirror) return;
    copies.push(event);
    return (result) => {
      outcomes.push(result.mirror as MirrorOutcome);
      for (const waiter of waiting.filter(({ count }) => outcomes.length >= count)) waiter.resolve();
    };
  };
  const outcomesReach = (count: number) => new Promise<void>((resolve) => (outcomes.length >= count ? resolve() : waiting.push({ count, resolve })));
  return { onFetch, copies, outcomes, outcomesReach };
}

/** A shadow whose answers wait until the test releases them; `received(n)` resolves once n copies arrived. */
async function startHeldShadow(t: TestContext, body: unknown) {
  const held: Array<() => void> = [];
  const arrivals: Array<{ count: number; resolve: () => void }> = [];
  let count = 0;
  const server = await startFixtureServer(t, async (_request, response) => {
    count += 1;
    for (const arrival of arrivals.filter((item) => count >= item.count)) arrival.resolve();
    await new Promise<void>((resolve) => held.push(resolve));
    json(response, 200, body);
  });
  t.after(() => held.forEach((release) => release()));
  return {
    server,
    received: (wanted: number) => new Promise<void>((resolve) => (count >= wanted ? resolve() : arrivals.push({ count: wanted, resolve }))),
    releaseAll: () => held.splice(0).forEach((release) => release()),
  };
}

const request = (id: string) => {
  const origin = new Request('http://gateway/graphql', { headers: { 'x-request-id': id } });
  assignRequestId(origin);
  return origin;
};

test("the client gets the source's answer while a slow shadow still holds its copy; the copy is compared once it answers", async (t) => {
  const primary = await startFixtureServer(t, (_request, response) => json(response, 200, products([10, 20])));
  const shadow = await startHeldShadow(t, {
    data: {
      products: [
        { price: 10, id: 'p0' },
        { id: 'p1', price: 20 },
      ],
    },
    extensions: { took: 3 },
  });
  const observed = observeCopies();
  const client = createSourceClient(sourceOf(primary.url, { url: shadow.server.url }), observed.onFetch);
  t.after(() => client.close());

  const answer = await client.request({ method: 'GET', path: '/products', origin: request('r-1') });

  assert.deepEqual(answer, { status: 200, body: products([10, 20]) });
  await shadow.received(1);
  assert.deepEqual(observed.outcomes, [], 'the copy is still held by the shadow');
  assert.equal(shadow.server.requests[0]?.url, '/products');
  assert.equal(observed.copies[0]?.origin?.headers.get('x-request-id'), 'r-1');
  shadow.releaseAll();
  await observed.outcomesReach(1);
  assert.deepEqual(observed.outcomes, [{ result: 'same' }], 'key order and extensions are not compared');
});

test('a share of the reads is copied, decided by the request id; writes are never copied unless mutations: true', async (t) => {
  const primary = await startFixtureServer(t, (_request, response) => json(response, 200, { ok: true }));
  const shadow = await startFixtureServer(t, (_request, response) => json(response, 200, { ok: true }));
  const observed = observeCopies();
  const client = createSourceClient(sourceOf(primary.url, { url: shadow.url, percent: 10 }), observed.onFetch);
  t.after(() => client.close());

  for (let index = 0; index < 1_000; index++) await client.request({ method: 'GET', path: `/items/${index}`, origin: request(`req-${index}`) });
  await client.request({ method: 'POST', path: '/items', body: '{}', origin: request('req-1') });
  await client.request({ method: 'POST', path: '/graphql', body: '{}', readOnly: true, origin: request('req-9') });
  await observed.outcomesReach(observed.copies.length);

  assert.equal(observed.copies.length, 94, 'the 93 reads whose request id falls below the 10th percentile, and one readOnly POST');
  assert.equal(shadow.requests.filter(({ method }) => method === 'GET').length, 93);
  assert.deepEqual(
    shadow.requests.filter(({ method }) => method === 'POST').map(({ url }) => url),
    ['/graphql'],
    'the write is not copied, though its request id (req-1) is in the share',
  );
  assert.deepEqual(new Set(observed.outcomes.map(({ result }) => result)), new Set(['same']));

  const writes = observeCopies();
  const copying = createSourceClient(sourceOf(primary.url, { url: shadow.url, mutations: true }), writes.onFetch);
  t.after(() => copying.close());
  await copying.request({ method: 'POST', path: '/items', body: '{"name":"Desk"}', origin: request('req-write') });
  await writes.outcomesReach(1);
  assert.deepEqual(shadow.requests.at(-1), { ...shadow.requests.at(-1), method: 'POST', url: '/items', body: '{"name":"Desk"}' });
});

test('calls without a request id draw from the injected randomness', async (t) => {
  const primary = await startFixtureServer(t, (_request, response) => json(response, 200, { ok: true }));
  const shadow = await startFixtureServer(t, (_request, response) => json(response, 200, { ok: true }));
  const source = sourceOf(primary.url, { url: shadow.url });
  const draws = [0.05, 0.5, 0.25, 0.249];
  const client = withMirror(createSourceClient({ ...source, mirror: undefined }), createSourceClient({ ...source, url: shadow.url, mirror: undefined }), {
    service: 'shop',
    instance: shadow.url,
    percent: 25,
    mutations: false,
    maxInFlight: 10,
    compare: true,
    ignore: [],
    logEvery: 1,
    random: () => draws.shift() ?? 1,
  });
  t.after(() => client.close());
  for (let index = 0; index < 4; index++) await client.request({ method: 'GET', path: `/items/${index}` });
  await client.close();
  assert.deepEqual(
    shadow.requests.map(({ url }) => url),
    ['/items/0', '/items/3'],
  );
});

test('a different answer is counted with the path of its first difference; a shadow that is down fails alone; copies beyond maxInFlight are dropped', async (t) => {
  const primary = await startFixtureServer(t, (_request, response) => json(response, 200, products([10, 20, 30, 10])));
  const differing = await startFixtureServer(t, (_request, response) => json(response, 200, products([10, 20, 30, 12])));
  const observed = observeCopies();
  const client = createSourceClient(sourceOf(primary.url, { url: differing.url }), observed.onFetch);
  t.after(() => client.close());
  await client.request({ method: 'GET', path: '/products', origin: request('d-1') });
  await client.request({ method: 'GET', path: '/products', origin: request('d-2') });
  await observed.outcomesReach(2);
  assert.deepEqual(observed.outcomes, [
    { result: 'different', difference: { path: 'data.products[3].price', primary: '10', shadow: '12' }, log: true },
    { result: 'different', difference: { path: 'data.products[3].price', primary: '10', shadow: '12' }, log: false },
  ]);

  const down = observeCopies();
  const toNowhere = createSourceClient(sourceOf(primary.url, { url: 'http://127.0.0.1:9' }), down.onFetch);
  t.after(() => toNowhere.close());
  assert.deepEqual(await toNowhere.request({ method: 'GET', path: '/products', origin: request('f-1') }), { status: 200, body: products([10, 20, 30, 10]) });
  await down.outcomesReach(1);
  assert.deepEqual(down.outcomes, [{ result: 'failed' }]);

  const shadow = await startHeldShadow(t, products([10, 20, 30, 10]));
  const bounded = observeCopies();
  const small = createSourceClient(sourceOf(primary.url, { url: shadow.server.url, maxInFlight: 1 }), bounded.onFetch);
  t.after(() => small.close());
  await small.request({ method: 'GET', path: '/products', origin: request('m-1') });
  await small.request({ method: 'GET', path: '/products', origin: request('m-2') });
  assert.deepEqual(bounded.outcomes, [{ result: 'dropped' }], 'the second copy is dropped at once');
  await shadow.received(1);
  shadow.releaseAll();
  await bounded.outcomesReach(2);
  assert.deepEqual(
    bounded.outcomes.map(({ result }) => result),
    ['dropped', 'same'],
  );
  assert.equal(shadow.server.requests.length, 1);
});

test('firstDifference: status first, then keys in any order, lists item by item, ignored paths with *; values described, never shown whole', () => {
  const ok = (body: unknown) => ({ status: 200, body });
  assert.deepEqual(firstDifference({ status: 200, body: {} }, { status: 500, body: {} }), { path: 'status', primary: '200', shadow: '500' });
  assert.equal(firstDifference(ok({ a: 1, b: [1, { c: 2 }] }), ok({ b: [1, { c: 2 }], a: 1 })), undefined);
  assert.deepEqual(firstDifference(ok({ data: { user: { email: 'ann@example.com' } } }), ok({ data: { user: { email: 'bob@example.com!' } } })), {
    path: 'data.user.email',
    primary: 'a string of 15 characters',
    shadow: 'a string of 16 characters',
  });
  assert.deepEqual(firstDifference(ok({ data: { list: [1, 2] } }), ok({ data: { list: [1, 2, 3] } })), {
    path: 'data.list[2]',
    primary: 'nothing',
    shadow: '3',
  });
  assert.deepEqual(firstDifference(ok({ data: { a: { x: 1 } } }), ok({ data: { a: [1] } })), {
    path: 'data.a',
    primary: 'an object of 1 keys',
    shadow: 'a list of 1 items',
  });
  assert.equal(
    firstDifference(
      ok({
        data: {
          orders: [
            { at: 1, id: 'a' },
            { at: 2, id: 'b' },
          ],
        },
      }),
      ok({
        data: {
          orders: [
            { at: 5, id: 'a' },
            { at: 6, id: 'b' },
          ],
        },
      }),
      [['data', 'orders', '*', 'at']],
    ),
    undefined,
  );
});

const stockSdl = /* GraphQL */ `
  type Query { stock: Int }
  type Mutation { restock: Int }
`;

test('through the gateway: queries copied, mutations not; /metrics, the status page and one log line per difference show the outcomes', async (t) => {
  const primary = await startFixtureServer(t, (request, response) =>
    json(response, 200, { data: request.body.includes('mutation') ? { restock: 6 } : { stock: 5 } }),
  );
  const shadow = await startFixtureServer(t, (request, response) =>
    json(response, 200, { data: request.body.includes('mutation') ? { restock: 6 } : { stock: 7 } }),
  );
  const logs = await mkdtemp(path.join(tmpdir(), 'concierge-mirror-'));
  t.after(() => rm(logs, { recursive: true, force: true }));
  const logFile = path.join(logs, 'access.log');
  const gateway = await startTestGateway(
    t,
    { stock: { kind: 'graphql', url: primary.url, sdl: stockSdl, ...plain, mirror: { url: shadow.url, logEvery: 2 } } },
    { logging: { level: 'warn', destination: logFile } },
  );

  for (let index = 0; index < 3; index++) assert.deepEqual((await postGraphQL(gateway.endpoint, '{ stock }')).body, { data: { stock: 5 } });
  assert.deepEqual((await postGraphQL(gateway.endpoint, 'mutation { restock }')).body, { data: { restock: 6 } });

  const mirrorsOf = async () => ((await (await fetch(`${gateway.url}/_concierge/data.json`)).json()) as { mirrors: Array<Record<string, unknown>> }).mirrors;
  // Each look is a request to the gateway: the copies' answers are read and compared meanwhile.
  let mirrors = await mirrorsOf();
  for (let look = 0; look < 500 && mirrors[0]?.['sent'] !== 3; look++) mirrors = await mirrorsOf();

  assert.deepEqual(mirrors, [
    {
      service: 'stock',
      sent: 3,
      same: 0,
      different: 3,
      failed: 0,
      dropped: 0,
      uncompared: 0,
      differences: mirrors[0]?.['differences'],
    },
  ]);
  assert.deepEqual(
    ((mirrors[0]?.['differences'] ?? []) as Array<Record<string, string>>).map(({ path: at, primary: was, shadow: is }) => [at, was, is]),
    [
      ['data.stock', '5', '7'],
      ['data.stock', '5', '7'],
      ['data.stock', '5', '7'],
    ],
  );
  assert.equal(primary.requests.length, 4);
  assert.equal(shadow.requests.length, 3, 'the mutation is not copied');
  const page = await (await fetch(`${gateway.url}/_concierge`, { headers: { accept: 'text/html' } })).text();
  assert.match(page, /<section id="mirroring" hidden>\n<h2>Mirroring/, 'the page has its Mirroring section, shown once data.json lists a mirror');
  const samples = await scrape(`${gateway.url}/metrics`);
  assert.equal(valueOf(samples, 'concierge_mirror_requests_total', { service: 'stock', result: 'different' }), 3);
  assert.equal(valueOf(samples, 'concierge_upstream_requests_total', { service: 'stock', outcome: '2xx' }), 4, 'copies are not calls of the source');

  await gateway.close();
  const lines = (await readFile(logFile, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { level: number; msg: string; mirror?: Record<string, unknown> });
  const told = lines.filter(({ mirror }) => mirror);
  assert.deepEqual(
    told.map(({ level, msg, mirror }) => [level, msg, { ...mirror, requestId: typeof mirror?.['requestId'] }]),
    [
      [40, 'mirror of stock answered differently at data.stock', { service: 'stock', requestId: 'string', path: 'data.stock', primary: '5', shadow: '7' }],
      [40, 'mirror of stock answered differently at data.stock', { service: 'stock', requestId: 'string', path: 'data.stock', primary: '5', shadow: '7' }],
    ],
    'the first difference and then one per logEvery (2)',
  );
});
