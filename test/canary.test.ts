import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { setConsumer, type Consumer } from '../src/auth/consumer.ts';
import { normalizeConfig, type NormalizedSource } from '../src/config/normalize-config.ts';
import { decideOverrideLabels } from '../src/execution/override-labels.ts';
import { createSourceClient } from '../src/sources/create-source-client.ts';
import type { FetchEvent } from '../src/transport/fetch-hooks.ts';
import { createVersionChooser } from '../src/transport/with-versions.ts';
import { json, startFixtureServer, type FixtureServer } from './helpers/fixture-server.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { scrape, valueOf } from './helpers/prometheus-text.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';

/**
 * Canary and A/B versions of a source: each caller is given a version by a sticky hash of who it is
 * (FNV-1a of `consumer:<name>` and the source's name), so the split is exact for a given set of
 * callers, the same caller always lands on the same version, and a header or cookie lets testers
 * choose. Every upstream call of one client request goes to one version.
 */

/** Fast, uncached calls: every client request reaches a service. */
const plain = { httpCache: false, dedupeInFlight: false, retries: false };

/** A REST service that names itself in every answer. */
const startVersion = (t: TestContext, version: string) =>
  startFixtureServer(t, (request, response) => json(response, 200, { id: request.url?.split('/').at(-1), version }));

const consumer = (name: string, scopes: string[] = []): Consumer => ({ id: name, name, via: 'api-key', scopes, introspection: false });

const sourceOf = (extra: Record<string, unknown>): NormalizedSource =>
  normalizeConfig({ sources: { orders: { kind: 'rest', url: 'http://127.0.0.1:1', ...plain, ...extra } } }, { baseDir: '/srv', env: {} })
    .sources[0] as NormalizedSource;

test('a 10/90 split over 10,000 consumers: exactly the callers the hash gives, within 2% of the weight, each call counted by its version', async (t) => {
  const stable = await startVersion(t, 'stable');
  const v2 = await startVersion(t, 'v2');
  const events: FetchEvent[] = [];
  const client = createSourceClient(
    sourceOf({ url: stable.url, connections: 16, versions: { v2: { url: v2.url, weight: 10 } } }),
    (event) => void events.push(event),
  );
  t.after(() => client.close());

  const answers = new Map<string, unknown>();
  for (let start = 0; start < 10_000; start += 200) {
    await Promise.all(
      Array.from({ length: 200 }, async (_, offset) => {
        const name = `shop-${start + offset}`;
        const origin = new Request('http://gateway/graphql');
        setConsumer(origin, consumer(name));
        answers.set(name, ((await client.request({ method: 'GET', path: `/orders/${name}`, origin })).body as { version: string }).version);
      }),
    );
  }

  assert.equal(v2.requests.length, 1_019, 'the callers FNV-1a puts below the 10th percentile');
  assert.equal(stable.requests.length, 8_981);
  assert.ok(Math.abs(v2.requests.length / 10_000 - 0.1) <= 0.02);
  assert.deepEqual(new Set(events.map(({ version }) => version)), new Set(['stable', 'v2']));
  assert.equal(events.filter(({ version }) => version === 'v2').length, 1_019);
  // The same caller, again: the same version, every time.
  for (const name of ['shop-0', 'shop-1', 'shop-2', 'shop-3', 'shop-4', 'shop-5']) {
    const origin = new Request('http://gateway/graphql');
    setConsumer(origin, consumer(name));
    assert.equal(((await client.request({ method: 'GET', path: `/orders/${name}`, origin })).body as { version: string }).version, answers.get(name), name);
  }
});

test('raising a weight from 10 to 20 keeps every caller the version had; a lower percentile never moves', () => {
  const ten = createVersionChooser('orders', [{ name: 'v2', weight: 10 }], false);
  const twenty = createVersionChooser('orders', [{ name: 'v2', weight: 20 }], false);
  let kept = 0;
  let gained = 0;
  for (let index = 0; index < 10_000; index++) {
    const request = new Request('http://gateway/graphql');
    setConsumer(request, consumer(`shop-${index}`));
    const before = ten.versionOf(request);
    const after = twenty.versionOf(request);
    if (before === 'v2') {
      assert.equal(after, 'v2', `shop-${index} stays on v2`);
      kept += 1;
    } else if (after === 'v2') gained += 1;
  }
  assert.deepEqual([kept, gained], [1_019, 1_032]);
});

const ordersSdl = /* GraphQL */ `
  type Order { id: ID! version: String! }
  type Query { order(id: ID!): Order @http(GET: "/orders/{args.id}") }
`;
const threeOrders = '{ a: order(id: "1") { version } b: order(id: "2") { version } c: order(id: "3") { version } }';
const keyOf = (name: string) => `key-of-${name}-0123456789abcdef`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const names = Array.from({ length: 12 }, (_, index) => `shop${index}`);

/** A gateway over `orders` (stable and v2, half the callers each) and twelve API-key consumers, `tester` with the override scope. */
async function startCanary(t: TestContext, extra: Record<string, unknown> = {}) {
  const stable = await startVersion(t, 'stable');
  const v2 = await startVersion(t, 'v2');
  const consumers = Object.fromEntries([
    ...names.map((name) => [name, { keyHash: sha256(keyOf(name)) }]),
    ['tester', { keyHash: sha256(keyOf('tester')), scopes: ['version:override'] }],
  ]);
  const gateway = await startTestGateway(
    t,
    { orders: { kind: 'rest', url: stable.url, sdl: ordersSdl, ...plain, versions: { v2: { url: v2.url, weight: 50 } }, ...extra } },
    { consumers },
  );
  const ask = async (name: string | undefined, headers: Record<string, string> = {}) => {
    const { status, body } = await postGraphQL(gateway.endpoint, threeOrders, undefined, { ...(name ? { 'x-api-key': keyOf(name) } : {}), ...headers });
    assert.equal(status, 200);
    const versions = new Set(Object.values(body.data as Record<string, { version: string }>).map(({ version }) => version));
    assert.equal(versions.size, 1, `one request, one version: ${JSON.stringify(body)}`);
    return [...versions][0];
  };
  return { gateway, stable, v2, ask };
}

/** The request ids each service saw: a request id on both would be a request that mixed versions. */
const requestIds = (service: FixtureServer) => new Set(service.requests.map(({ headers }) => String(headers['x-request-id'])));

test('through the gateway: each consumer keeps its version, one request never mixes versions, and /metrics counts calls per version', async (t) => {
  const { gateway, stable, v2, ask } = await startCanary(t);
  const given = new Map<string, string | undefined>();
  for (const name of names) given.set(name, await ask(name));
  for (let round = 0; round < 3; round++) for (const name of names) assert.equal(await ask(name), given.get(name), name);

  assert.deepEqual(new Set(given.values()), new Set(['stable', 'v2']), 'both versions serve some of the twelve');
  const onV2 = [...given.values()].filter((version) => version === 'v2').length;
  assert.equal(v2.requests.length, onV2 * 4 * 3, 'three calls per request, four requests per consumer');
  assert.equal(stable.requests.length, (names.length - onV2) * 4 * 3);
  const [stableIds, v2Ids] = [requestIds(stable), requestIds(v2)];
  assert.equal(stableIds.size + v2Ids.size, names.length * 4);
  assert.deepEqual(
    [...stableIds].filter((id) => v2Ids.has(id)),
    [],
  );

  const samples = await scrape(`${gateway.url}/metrics`);
  assert.equal(valueOf(samples, 'concierge_upstream_requests_total', { service: 'orders', version: 'v2', outcome: '2xx' }), v2.requests.length);
  assert.equal(valueOf(samples, 'concierge_upstream_requests_total', { service: 'orders', version: 'stable', outcome: '2xx' }), stable.requests.length);
});

test('the override header and cookie choose the version for a consumer with the scope; others, and unknown versions, keep their own', async (t) => {
  const { ask } = await startCanary(t);
  const own = await ask('tester');
  const other = own === 'v2' ? 'stable' : 'v2';
  assert.equal(await ask('tester', { 'concierge-version': `products=v2, orders=${other}` }), other);
  assert.equal(await ask('tester', { cookie: `theme=dark; concierge-version=${encodeURIComponent(`orders=${other}`)}` }), other);
  assert.equal(
    await ask('tester', { 'concierge-version': `orders=${own}`, cookie: `concierge-version=orders=${other}` }),
    own,
    'the header wins over the cookie',
  );
  assert.equal(await ask('tester', { 'concierge-version': 'orders=v9' }), own, 'an unknown version is ignored');

  const shop = names[0] as string;
  const shopOwn = await ask(shop);
  assert.equal(await ask(shop, { 'concierge-version': `orders=${shopOwn === 'v2' ? 'stable' : 'v2'}` }), shopOwn, 'no scope: the choice is ignored');
  assert.equal(await ask(undefined, { 'concierge-version': 'orders=v2' }), await ask(undefined), 'anonymous callers neither');
});

test('versionOverride: false ignores every choice; true honours anyone, anonymous included', async (t) => {
  const closed = await startCanary(t, { versionOverride: false });
  const own = await closed.ask('tester');
  assert.equal(await closed.ask('tester', { 'concierge-version': `orders=${own === 'v2' ? 'stable' : 'v2'}` }), own);

  const open = await startCanary(t, { versionOverride: true });
  assert.equal(await open.ask(undefined, { 'concierge-version': 'orders=v2' }), 'v2');
  assert.equal(await open.ask(undefined, { 'concierge-version': 'orders=stable' }), 'stable');
  assert.deepEqual([open.v2.requests.length, open.stable.requests.length], [3, 3]);
});

test('the access log names the version of each upstream call, and tells at debug a choice it did not follow', async (t) => {
  const logs = await mkdtemp(path.join(tmpdir(), 'concierge-canary-'));
  t.after(() => rm(logs, { recursive: true, force: true }));
  const logFile = path.join(logs, 'access.log');
  const stable = await startVersion(t, 'stable');
  const v2 = await startVersion(t, 'v2');
  const gateway = await startTestGateway(
    t,
    { orders: { kind: 'rest', url: stable.url, sdl: ordersSdl, ...plain, versions: { v2: { url: v2.url, weight: 0 } }, versionOverride: true } },
    { logging: { level: 'debug', destination: logFile } },
  );

  assert.deepEqual((await postGraphQL(gateway.endpoint, '{ order(id: "1") { version } }', undefined, { 'concierge-version': 'orders=v9' })).body, {
    data: { order: { version: 'stable' } },
  });
  assert.deepEqual((await postGraphQL(gateway.endpoint, '{ order(id: "2") { version } }', undefined, { 'concierge-version': 'orders=v2' })).body, {
    data: { order: { version: 'v2' } },
  });
  await gateway.close();

  const lines = (await readFile(logFile, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { msg: string; level: number; upstream?: Array<{ version?: string; path: string }> });
  assert.deepEqual(
    lines.filter(({ upstream }) => upstream).map(({ upstream }) => upstream?.map(({ version, path: called }) => [version, called])),
    [[['stable', '/orders/1']], [['v2', '/orders/2']]],
  );
  assert.deepEqual(
    lines.filter(({ msg }) => msg.startsWith('version override')).map(({ level, msg }) => [level, msg]),
    [[20, 'version override ignored: "orders=v9": the source has no version "v9" (it has stable, v2)']],
  );
});

test('progressive @override percent(n) labels are sticky per caller: the same answer on every request, n% of the callers', () => {
  const activeFor = (caller: string, label = 'percent(25)') => decideOverrideLabels([label], {}, caller).has(label);
  const callers = Array.from({ length: 10_000 }, (_, index) => `consumer:shop-${index}`);
  const active = callers.filter((caller) => activeFor(caller));
  assert.equal(active.length, 2_511);
  for (const caller of callers.slice(0, 50)) assert.equal(activeFor(caller), active.includes(caller), caller);
  assert.ok(
    active.every((caller) => activeFor(caller, 'percent(50)')),
    'raising 25 to 50 keeps the callers already moved',
  );
  assert.deepEqual([...decideOverrideLabels(['percent(25)'], { random: () => 0.9 }, callers[0])], [], 'an injected random source still decides (tests)');
});
