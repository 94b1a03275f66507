import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mock, test, type TestContext } from 'node:test';
import { mulberry32 } from '../examples/ecommerce/seeded-random.ts';
import { startGateway } from '../src/server/start-gateway.ts';
import { createHttpClient, type HttpClient } from '../src/transport/http-client.ts';
import type { InstanceClock } from '../src/transport/instance-clock.ts';
import { createInstancePool, type InstancePool, type InstancePoolOptions } from '../src/transport/instance-pool.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { scrape, valueOf } from './helpers/prometheus-text.ts';
import { writeTestConfig, type TestSource } from './helpers/start-test-gateway.ts';

const itemsSdl = /* GraphQL */ `
  type Item { id: ID! name: String! }
  input NewItem { name: String! }
  type Query { item(id: ID!): Item @http(GET: "/items/{args.id}") }
  type Mutation { addItem(input: NewItem!): Item! @http(POST: "/items", body: "{args.input}") }
`;

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** One instance of a service on a port of its own, that a test can kill and bring back on the same port. */
interface TestInstance {
  url: string;
  /** Requests received, by method and path. */
  requests: Array<{ method: string; path: string }>;
  /** Closes the server and destroys every connection to it. */
  kill(): Promise<void>;
  /** Listens again on the same port. */
  revive(): Promise<void>;
  handler: Handler;
}

async function startInstance(t: TestContext, handler: Handler): Promise<TestInstance> {
  const requests: TestInstance['requests'] = [];
  let server: Server;
  let port = 0;
  const instance: TestInstance = {
    url: '',
    requests,
    handler,
    kill: async () => {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
    revive: async () => {
      server = createServer((request, response) => {
        requests.push({ method: request.method ?? '', path: request.url ?? '' });
        request.resume();
        request.once('end', () => instance.handler(request, response));
      });
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
      port = (server.address() as AddressInfo).port;
      instance.url = `http://127.0.0.1:${port}`;
    },
  };
  await instance.revive();
  t.after(() => (server.listening ? instance.kill() : undefined));
  return instance;
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Answers every item GET with the instance's name, and /health with 200. */
const itemsOf =
  (name: string): Handler =>
  (request, response) => {
    if (request.url === '/health') return json(response, 200, { ok: true });
    json(response, 200, { id: request.url?.split('/').at(-1), name });
  };

/** A clock that moves only when told; `advance` runs the timers due. */
function manualClock(): InstanceClock & { advance(ms: number): void } {
  let now = 1_000_000;
  const timers = new Set<{ every: number; next: number; run: () => void }>();
  return {
    now: () => now,
    every(ms, run) {
      const timer = { every: ms, next: now + ms, run };
      timers.add(timer);
      return () => timers.delete(timer);
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...timers].filter((timer) => timer.next <= until).sort((a, b) => a.next - b.next)[0];
        if (!due) break;
        now = due.next;
        due.next += due.every;
        due.run();
      }
      now = until;
    },
  };
}

/** A client over its own pool, closed when the test ends. */
function clientOver(t: TestContext, options: Omit<InstancePoolOptions, 'service' | 'connections'>): { client: HttpClient; pool: InstancePool } {
  const pool = createInstancePool({ service: 'items', connections: 4, ...options });
  const client = createHttpClient({ service: 'items', url: 'http://unused.invalid', timeout: 5_000, connections: 4, instances: pool });
  t.after(() => pool.close());
  return { client, pool };
}

const get = (client: HttpClient, id = '1') => client.request({ method: 'GET', path: `/items/${id}` });
const countOf = (instance: TestInstance) => instance.requests.filter((request) => request.path.startsWith('/items')).length;

test('round-robin follows the weights, smoothly interleaved', async (t) => {
  const [a, b] = [await startInstance(t, itemsOf('a')), await startInstance(t, itemsOf('b'))];
  const { client } = clientOver(t, {
    instances: [
      { url: a.url, weight: 3 },
      { url: b.url, weight: 1 },
    ],
    loadBalancing: 'round-robin',
  });
  const answered: string[] = [];
  for (let call = 0; call < 40; call++) answered.push(((await get(client)).body as { name: string }).name);
  assert.deepEqual([countOf(a), countOf(b)], [30, 10]);
  assert.deepEqual(answered.slice(0, 8), ['a', 'a', 'b', 'a', 'a', 'a', 'b', 'a']);
});

test('least-request spreads an idle pool by weight and avoids an instance whose calls pile up', async (t) => {
  const [a, b, c] = [await startInstance(t, itemsOf('a')), await startInstance(t, itemsOf('b')), await startInstance(t, itemsOf('c'))];
  const weighted = clientOver(t, {
    instances: [
      { url: a.url, weight: 3 },
      { url: b.url, weight: 1 },
    ],
    random: mulberry32(7),
  });
  for (let call = 0; call < 400; call++) await get(weighted.client);
  // 3:1 by weight: about 300 and 100 (seeded, so always these counts).
  const [toA, toB] = [countOf(a), countOf(b)];
  assert.equal(toA + toB, 400);
  assert.ok(toA > 270 && toA < 330, `a got ${toA} of 400 calls`);

  // c never answers until released: its one call stays in flight, so every later call goes to a.
  a.requests.length = 0;
  const held: ServerResponse[] = [];
  c.handler = (_request, response) => void held.push(response);
  const { client } = clientOver(t, {
    instances: [
      { url: a.url, weight: 1 },
      { url: c.url, weight: 1 },
    ],
    random: mulberry32(1),
  });
  const calls: Array<Promise<unknown>> = [];
  for (let call = 0; call < 20; call++) {
    const reachedC = countOf(c);
    let answered = false;
    const pending = get(client).finally(() => (answered = true));
    calls.push(pending);
    // The call either answers (from a) or reaches c and waits there.
    await new Promise<void>((resolve) => {
      const poll = () => (answered || countOf(c) > reachedC ? resolve() : setImmediate(poll));
      poll();
    });
  }
  assert.deepEqual([countOf(a), countOf(c)], [19, 1]);
  for (const response of held) json(response, 200, { id: '1', name: 'c' });
  await Promise.all(calls);
});

test('p2c-ewma prefers the instance that answers faster', async (t) => {
  const [a, b] = [await startInstance(t, itemsOf('a')), await startInstance(t, itemsOf('b'))];
  const pool = createInstancePool({
    service: 'items',
    connections: 1,
    instances: [
      { url: a.url, weight: 1 },
      { url: b.url, weight: 1 },
    ],
    loadBalancing: 'p2c-ewma',
    random: mulberry32(3),
    clock: manualClock(),
  });
  t.after(() => pool.close());
  const latencyOf: Record<string, number> = { [a.url]: 80, [b.url]: 10 };
  const picked: string[] = [];
  for (let call = 0; call < 50; call++) {
    const lease = pool.acquire();
    assert.ok(lease);
    picked.push(lease.url);
    lease.release({ failed: false, latencyMs: latencyOf[lease.url] ?? 0 });
  }
  // Each is tried once (no latency known yet costs nothing); then the faster one takes every call.
  assert.deepEqual([picked.filter((url) => url === a.url).length, picked.filter((url) => url === b.url).length], [1, 49]);
  assert.deepEqual(
    pool.status().map((instance) => instance.latencyMs),
    [80, 10],
  );
});

test('health checks take an instance out of rotation and bring it back; no call reaches it meanwhile', async (t) => {
  let bHealthy = true;
  const a = await startInstance(t, itemsOf('a'));
  const b = await startInstance(t, (request, response) =>
    request.url === '/health' ? json(response, bHealthy ? 200 : 503, {}) : itemsOf('b')(request, response),
  );
  const clock = manualClock();
  const healthCheck = { path: '/health', interval: 1_000, timeout: 1_000, healthyThreshold: 2, unhealthyThreshold: 2 };
  const { client, pool } = clientOver(t, {
    instances: [
      { url: a.url, weight: 1 },
      { url: b.url, weight: 1 },
    ],
    loadBalancing: 'round-robin',
    healthCheck,
    clock,
  });
  await pool.checksSettled();
  const checksOfB = () => b.requests.filter((request) => request.path === '/health').length;
  assert.equal(checksOfB(), 1, 'the first check runs at once');

  bHealthy = false;
  clock.advance(1_000);
  await pool.checksSettled();
  assert.equal(pool.status()[1]?.state, 'healthy', 'one failed check is not enough');
  clock.advance(1_000);
  await pool.checksSettled();
  assert.deepEqual(
    pool.status().map((instance) => instance.state),
    ['healthy', 'unhealthy'],
  );
  assert.equal(pool.status()[1]?.lastCheck?.passed, false);

  const before = countOf(b);
  for (let call = 0; call < 10; call++) assert.deepEqual((await get(client)).body, { id: '1', name: 'a' });
  assert.equal(countOf(b), before);

  bHealthy = true;
  clock.advance(2_000);
  await pool.checksSettled();
  assert.equal(checksOfB(), 5);
  assert.equal(pool.status()[1]?.state, 'healthy');
  for (let call = 0; call < 10; call++) await get(client);
  assert.equal(countOf(b), before + 5);
  await pool.close();
  clock.advance(10_000);
  assert.equal(checksOfB(), 5, 'no check after close');
});

test('update(): a removed instance gets no new call and its call in flight completes; instances that stay keep their state', async (t) => {
  const a = await startInstance(t, itemsOf('a'));
  const held: ServerResponse[] = [];
  const b = await startInstance(t, (_request, response) => void held.push(response));
  const { client, pool } = clientOver(t, { instances: [{ url: b.url, weight: 1 }] });
  const inFlight = get(client);
  while (held.length === 0) await new Promise((resolve) => setImmediate(resolve));

  pool.update([{ url: a.url, weight: 1 }]);
  for (let call = 0; call < 5; call++) assert.deepEqual((await get(client)).body, { id: '1', name: 'a' });
  assert.deepEqual([countOf(a), countOf(b)], [5, 1]);
  assert.deepEqual(
    pool.status().map((instance) => [instance.url, instance.requests]),
    [[a.url, 5]],
  );

  json(held[0] as ServerResponse, 200, { id: '1', name: 'b' });
  assert.deepEqual(((await inFlight) as { body: unknown }).body, { id: '1', name: 'b' });

  pool.update([
    { url: a.url, weight: 2 },
    { url: b.url, weight: 1 },
  ]);
  assert.deepEqual(
    pool.status().map((instance) => [instance.url, instance.weight, instance.requests]),
    [
      [a.url, 2, 5],
      [b.url, 1, 0],
    ],
  );
  pool.update([]);
  await assert.rejects(get(client), (error: Error & { extensions?: Record<string, unknown> }) => {
    assert.deepEqual(
      [error.message, error.extensions?.['code'], error.extensions?.['service']],
      ['Service "items" has no instance to call.', 'SERVICE_UNAVAILABLE', 'items'],
    );
    return true;
  });
});

test('a mutation whose call fails is sent once, though a second instance is there; a query retries on the other instance', async (t) => {
  const failing: Handler = (request, response) => json(response, 503, { message: 'overloaded' });
  const [a, b] = [await startInstance(t, failing), await startInstance(t, failing)];
  const { config } = await writeTestConfig(t, {
    items: {
      kind: 'rest',
      urls: [a.url, b.url],
      sdl: itemsSdl,
      httpCache: false,
      dedupeInFlight: false,
      retries: { attempts: 2, budgetPercent: 100, backoff: 1, maxBackoff: 2 },
    } as unknown as TestSource,
  });
  const gateway = await startGateway(config);
  t.after(() => gateway.close());
  const endpoint = `${gateway.url}${config.graphqlEndpoint}`;

  const mutation = await postGraphQL(endpoint, 'mutation { addItem(input: { name: "Lamp" }) { id } }');
  assert.deepEqual([mutation.body.errors?.[0]?.extensions?.code, mutation.body.errors?.[0]?.extensions?.service], ['SERVICE_UNAVAILABLE', 'items']);
  assert.deepEqual(
    [...a.requests, ...b.requests].map((request) => request.method),
    ['POST'],
  );

  // The instance that got the mutation keeps failing; a query answers from the other, on its retry.
  const [failed, other] = a.requests.length === 1 ? [a, b] : [b, a];
  other.handler = itemsOf('other');
  for (let call = 0; call < 20; call++)
    assert.deepEqual((await postGraphQL(endpoint, `{ item(id: "${call}") { name } }`)).body, { data: { item: { name: 'other' } } });
  const gets = (instance: TestInstance) => instance.requests.filter((request) => request.method === 'GET').length;
  // Picked at random among the two until ejected, the failing one got some first attempts; each was retried on the other.
  assert.ok(gets(failed) >= 1);
  assert.equal(gets(other), 20);
});

test('one of two instances killed under steady load: no client request fails, it is ejected, and re-admitted once back', { timeout: 180_000 }, async (t) => {
  // The ejection's clock is Date.now(); moving the mocked clock replaces waiting baseEjectionTime.
  mock.timers.enable({ apis: ['Date'], now: Date.now() });
  t.after(() => mock.timers.reset());
  const [a, b] = [await startInstance(t, itemsOf('a')), await startInstance(t, itemsOf('b'))];
  const { config } = await writeTestConfig(t, {
    items: {
      kind: 'rest',
      urls: [a.url, b.url],
      sdl: itemsSdl,
      httpCache: false,
      dedupeInFlight: false,
      retries: { attempts: 2, budgetPercent: 50, backoff: 1, maxBackoff: 2 },
      outlierDetection: { consecutiveFailures: 3, baseEjectionTime: '30s' },
    } as unknown as TestSource,
  });
  const gateway = await startGateway(config);
  t.after(() => gateway.close());
  const endpoint = `${gateway.url}${config.graphqlEndpoint}`;
  const metrics = () => scrape(`${gateway.url}/metrics`);
  const state = async (instance: TestInstance, name: string) =>
    valueOf(await metrics(), 'concierge_upstream_instance_state', { service: 'items', instance: instance.url, state: name });

  /** `rounds` rounds of 5 concurrent queries; answers the names that answered. */
  const load = async (rounds: number) => {
    const names: string[] = [];
    for (let round = 0; round < rounds; round++) {
      const answers = await Promise.all(Array.from({ length: 5 }, (_, index) => postGraphQL(endpoint, `{ item(id: "${round * 5 + index}") { name } }`)));
      for (const answer of answers) {
        assert.equal(answer.status, 200);
        assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
        names.push((answer.body.data as { item: { name: string } }).item.name);
      }
    }
    return names;
  };

  const steady = await load(10);
  assert.ok(steady.includes('a') && steady.includes('b'), 'both instances serve');

  await b.kill();
  const whileDown = await load(10);
  assert.deepEqual(new Set(whileDown), new Set(['a']));
  assert.equal(await state(b, 'ejected'), 1);
  assert.equal(await state(a, 'healthy'), 1);
  assert.equal(valueOf(await metrics(), 'concierge_upstream_instance_ejections_total', { service: 'items', instance: b.url }), 1);
  const data = (await (await fetch(`${gateway.url}/_concierge/data.json`)).json()) as {
    instances: Array<{ service: string; instances: Array<{ url: string; state: string; ejections: number }> }>;
  };
  assert.deepEqual(
    data.instances.find((source) => source.service === 'items')?.instances.map(({ url, state: now, ejections }) => [url, now, ejections]),
    [
      [a.url, 'healthy', 0],
      [b.url, 'ejected', 1],
    ],
  );

  await b.revive();
  b.requests.length = 0;
  assert.deepEqual(new Set(await load(4)), new Set(['a']), 'still ejected: no call to b');
  assert.equal(b.requests.length, 0);

  mock.timers.tick(30_000);
  assert.equal(await state(b, 'probation'), 1);
  const back = await load(10);
  assert.ok(back.includes('b'), 'b serves again');
  assert.equal(await state(b, 'healthy'), 1);

  // Every client call was answered: each is counted once, on the instance that answered.
  const samples = await metrics();
  const calls = (instance: TestInstance, outcome: string) =>
    valueOf(samples, 'concierge_upstream_requests_total', { service: 'items', instance: instance.url, outcome }) ?? 0;
  assert.equal(calls(a, '2xx') + calls(b, '2xx'), 170);
  assert.equal(calls(b, 'unreachable'), 0);
});

test("a schema swap keeps the source's instance state: its pool is shared by name and updated with the new list", async (t) => {
  mock.timers.enable({ apis: ['Date'], now: Date.now() });
  t.after(() => mock.timers.reset());
  const [a, b, c] = [await startInstance(t, itemsOf('a')), await startInstance(t, itemsOf('b')), await startInstance(t, itemsOf('c'))];
  const source = (urls: string[]) =>
    ({
      kind: 'rest',
      urls,
      sdl: itemsSdl,
      loadBalancing: 'round-robin',
      httpCache: false,
      dedupeInFlight: false,
      retries: { attempts: 2, budgetPercent: 100, backoff: 1, maxBackoff: 2 },
      outlierDetection: { consecutiveFailures: 2 },
    }) as unknown as TestSource;
  const first = (await writeTestConfig(t, { items: source([a.url, b.url]) })).config;
  const second = (await writeTestConfig(t, { items: source([a.url, b.url, c.url]) })).config;
  // A feed of two revisions of the config's sources, as `concierge dev` hands a gateway.
  let revision = { version: 1, sources: first.sources, cause: 'test' };
  let announce: (version: number) => void = () => {};
  const gateway = await startGateway(first, {
    sourcesFeed: { latestGraph: async () => revision, subscribe: (onChange) => ((announce = onChange), { close: async () => {} }) },
  });
  t.after(() => gateway.close());
  const endpoint = `${gateway.url}${first.graphqlEndpoint}`;
  const states = async () =>
    (
      (await (await fetch(`${gateway.url}/_concierge/data.json`)).json()) as {
        instances: Array<{ instances: Array<{ url: string; state: string; requests: number }> }>;
      }
    ).instances[0]?.instances.map(({ url, state }) => [url, state]);

  await b.kill();
  for (let call = 0; call < 6; call++)
    assert.deepEqual((await postGraphQL(endpoint, `{ item(id: "${call}") { name } }`)).body, { data: { item: { name: 'a' } } });
  assert.deepEqual(await states(), [
    [a.url, 'healthy'],
    [b.url, 'ejected'],
  ]);

  revision = { version: 2, sources: second.sources, cause: 'test' };
  announce(2);
  await gateway.gateway.sourceFiles?.reached(2);
  assert.equal(gateway.gateway.version, 2);
  // b is still ejected in the new graph; c joined.
  assert.deepEqual(await states(), [
    [a.url, 'healthy'],
    [b.url, 'ejected'],
    [c.url, 'healthy'],
  ]);
  for (let call = 0; call < 6; call++) await postGraphQL(endpoint, `{ item(id: "${call}") { name } }`);
  assert.ok(countOf(c) > 0);
});

test('proxy() picks an instance too; a bodiless GET that cannot connect tries another, a POST does not', async (t) => {
  const [dead, live] = [await startInstance(t, itemsOf('dead')), await startInstance(t, itemsOf('live'))];
  await dead.kill();
  const events: string[] = [];
  // Round robin over a fresh pool: the first pick is always the dead instance.
  const fresh = () => {
    const pool = createInstancePool({
      service: 'items',
      connections: 2,
      instances: [
        { url: dead.url, weight: 1 },
        { url: live.url, weight: 1 },
      ],
      loadBalancing: 'round-robin',
    });
    t.after(() => pool.close());
    return createHttpClient({
      service: 'items',
      url: dead.url,
      timeout: 5_000,
      connections: 2,
      instances: pool,
      onFetch:
        ({ instance }) =>
        (result) =>
          void events.push(`${instance} ${result.instance} ${result.status ?? result.error?.message}`),
    });
  };

  const answer = await fresh().proxy({ method: 'GET', path: '/items/7', headers: {}, body: null });
  assert.deepEqual([answer.statusCode, await answer.body.json()], [200, { id: '7', name: 'live' }]);
  assert.deepEqual(events, [`${dead.url} ${live.url} 200`]);

  // A body streamed once is never sent again.
  await assert.rejects(
    fresh().proxy({ method: 'POST', path: '/items', headers: {}, body: Readable.from(['{"name":"Lamp"}']) }),
    (error: Error & { extensions?: Record<string, unknown> }) => {
      assert.deepEqual(
        [error.message, error.extensions?.['code'], error.extensions?.['service']],
        ['Service "items" could not be reached.', 'DOWNSTREAM_SERVICE_ERROR', 'items'],
      );
      return true;
    },
  );
  assert.deepEqual(
    live.requests.map((request) => request.method),
    ['GET'],
  );
  assert.equal(events[1], `${dead.url} ${dead.url} Service "items" could not be reached.`);
});
