import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { mock, test, type TestContext } from 'node:test';
import { normalizeConfig } from '../src/config/normalize-config.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';

const itemsSdl = /* GraphQL */ `
  type Item { id: ID! name: String! }
  input NewItem { name: String! }
  type Query {
    item(id: ID!): Item @http(GET: "/items/{args.id}")
  }
  type Mutation {
    addItem(input: NewItem!): Item! @http(POST: "/items", body: "{args.input}")
  }
`;

const stockSdl = /* GraphQL */ `
  type Query { stock: Int }
  type Mutation { restock: Int }
`;

/** Fast, uncached calls, so every client request reaches the service and retries do not wait. */
const plain = { httpCache: false, dedupeInFlight: false };
const quickRetries = { attempts: 2, budgetPercent: 100, backoff: 1, maxBackoff: 2 };

/** A REST service answering each call with the next status of `statuses` (then 200 for ever). */
async function startItems(t: TestContext, statuses: number[] = []) {
  const queue = [...statuses];
  return startFixtureServer(t, (request, response) => {
    const status = queue.shift() ?? 200;
    if (status !== 200) return json(response, status, { message: `status ${status}` });
    json(response, 200, request.method === 'POST' ? { id: '9', ...JSON.parse(request.body) } : { id: request.url?.split('/').at(-1), name: 'Lamp' });
  });
}

/** A GraphQL service answering each call with the next status of `statuses` (then 200 for ever). */
async function startStock(t: TestContext, statuses: number[] = []) {
  const queue = [...statuses];
  return startFixtureServer(t, (request, response) => {
    const status = queue.shift() ?? 200;
    if (status !== 200) return json(response, status, { errors: [{ message: `status ${status}` }] });
    json(response, 200, { data: request.body.includes('mutation') ? { restock: 6 } : { stock: 5 } });
  });
}

test('a GET that fails once with 503 is retried and answers', async (t) => {
  const items = await startItems(t, [503]);
  const gateway = await startTestGateway(t, { items: { kind: 'rest', url: items.url, sdl: itemsSdl, ...plain, retries: quickRetries } });

  const answer = await postGraphQL(gateway.endpoint, '{ item(id: "1") { id name } }');

  assert.deepEqual(answer.body, { data: { item: { id: '1', name: 'Lamp' } } });
  assert.equal(items.requests.length, 2);
});

test('a GraphQL query (a readOnly POST) that fails once with 503 is retried', async (t) => {
  const stock = await startStock(t, [503]);
  const gateway = await startTestGateway(t, { stock: { kind: 'graphql', url: stock.url, sdl: stockSdl, ...plain, retries: quickRetries } });

  const answer = await postGraphQL(gateway.endpoint, '{ stock }');

  assert.deepEqual(answer.body, { data: { stock: 5 } });
  assert.equal(stock.requests.length, 2);
});

test('mutations failing with 503 are sent exactly once: a REST POST and a GraphQL mutation', async (t) => {
  const items = await startItems(t, [503, 503, 503]);
  const stock = await startStock(t, [503, 503, 503]);
  const gateway = await startTestGateway(t, {
    items: { kind: 'rest', url: items.url, sdl: itemsSdl, ...plain, retries: quickRetries },
    stock: { kind: 'graphql', url: stock.url, sdl: stockSdl, ...plain, retries: quickRetries },
  });

  const rest = await postGraphQL(gateway.endpoint, 'mutation { addItem(input: { name: "Desk" }) { id } }');
  const graphql = await postGraphQL(gateway.endpoint, 'mutation { restock }');

  assert.equal(rest.body.errors?.[0]?.extensions?.service, 'items');
  assert.equal(graphql.body.errors?.[0]?.extensions?.service, 'stock');
  assert.equal(items.requests.length, 1);
  assert.equal(stock.requests.length, 1);
});

test('a query whose connection is cut before any answer is retried', async (t) => {
  let calls = 0;
  const stock = await startFixtureServer(t, (request, response) => {
    if (++calls === 1) return request.socket.destroy();
    json(response, 200, { data: { stock: 5 } });
  });
  const gateway = await startTestGateway(t, { stock: { kind: 'graphql', url: stock.url, sdl: stockSdl, ...plain, retries: quickRetries } });

  const answer = await postGraphQL(gateway.endpoint, '{ stock }');

  assert.deepEqual(answer.body, { data: { stock: 5 } });
  assert.equal(stock.requests.length, 2);
});

test('a query to a service that closes every connection is tried 1 + attempts times, then reported unreachable', async (t) => {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const gateway = await startTestGateway(t, { stock: { kind: 'graphql', url, sdl: stockSdl, ...plain, retries: quickRetries } });

  const answer = await postGraphQL(gateway.endpoint, '{ stock }');

  assert.equal(answer.body.errors?.[0]?.message, 'Service "stock" could not be reached.');
  assert.equal(connections, 3);
});

test('the retry budget stops retries once spent', async (t) => {
  const items = await startFixtureServer(t, (_request, response) => json(response, 503, { message: 'down' }));
  const gateway = await startTestGateway(t, {
    items: { kind: 'rest', url: items.url, sdl: itemsSdl, ...plain, breaker: false, retries: { ...quickRetries, budgetPercent: 20 } },
  });

  for (let call = 0; call < 10; call++) await postGraphQL(gateway.endpoint, '{ item(id: "1") { id } }');

  // One saved retry at start, then one per five calls (20 %): calls 1, 5 and 10 retry once each.
  assert.equal(items.requests.length, 13);
});

test('answers that are not worth another attempt are not retried: 400 to a GET, 500 to a query', async (t) => {
  const items = await startItems(t, [400]);
  const stock = await startStock(t, [500]);
  const gateway = await startTestGateway(t, {
    items: { kind: 'rest', url: items.url, sdl: itemsSdl, ...plain, retries: quickRetries },
    stock: { kind: 'graphql', url: stock.url, sdl: stockSdl, ...plain, retries: quickRetries },
  });

  const answer = await postGraphQL(gateway.endpoint, '{ item(id: "1") { id } stock }');

  assert.equal(answer.body.errors?.length, 2);
  assert.equal(items.requests.length, 1);
  assert.equal(stock.requests.length, 1);
});

test('the circuit opens after repeated failures, fails fast, then half-opens and closes on success', async (t) => {
  // cockatiel reads Date.now(); moving the mocked clock replaces waiting for halfOpenAfter.
  mock.timers.enable({ apis: ['Date'], now: Date.now() });
  t.after(() => mock.timers.reset());
  const items = await startItems(t, [503, 503, 503]);
  const stock = await startStock(t);
  const gateway = await startTestGateway(t, {
    items: { kind: 'rest', url: items.url, sdl: itemsSdl, ...plain, retries: false, breaker: { threshold: 3, halfOpenAfter: '10s' } },
    stock: { kind: 'graphql', url: stock.url, sdl: stockSdl, ...plain },
  });
  const ask = () => postGraphQL(gateway.endpoint, '{ item(id: "1") { name } stock }');

  for (let call = 0; call < 3; call++) await ask();
  assert.equal(items.requests.length, 3);

  const open = await ask();
  assert.equal(items.requests.length, 3, 'an open circuit does not touch the network');
  assert.deepEqual(open.body.data, { item: null, stock: 5 });
  assert.deepEqual(
    open.body.errors?.map(({ message, path, extensions }) => ({ message, path, code: extensions?.code, service: extensions?.service })),
    [
      {
        message: 'Service "items" is unavailable: its circuit is open after repeated failures.',
        path: ['item'],
        code: 'SERVICE_UNAVAILABLE',
        service: 'items',
      },
    ],
  );

  mock.timers.tick(10_000);
  const trial = await ask();
  assert.deepEqual(trial.body, { data: { item: { name: 'Lamp' }, stock: 5 } });
  const closed = await ask();
  assert.deepEqual(closed.body, { data: { item: { name: 'Lamp' }, stock: 5 } });
  assert.equal(items.requests.length, 5);
});

test('bad retries and breaker options are start-up errors naming key, value and expectation', () => {
  const source = { kind: 'rest', url: 'http://items', retries: { attempts: -1, backoff: 'soon' }, breaker: { threshold: 3, failureRate: 2 } };
  assert.throws(
    () => normalizeConfig({ sources: { items: source } }, { env: {} }),
    (error: Error) => {
      assert.match(error.message, /config\.sources\.items\.retries\.attempts: expected an integer from 0 to 10, got -1/);
      assert.match(
        error.message,
        /config\.sources\.items\.retries\.backoff: expected a duration such as "500ms" or "10s", or a number of milliseconds, from 1 to 60000 ms, got "soon"/,
      );
      assert.match(error.message, /config\.sources\.items\.breaker\.threshold: expected no threshold beside failureRate \(one or the other\), got 3/);
      assert.match(error.message, /config\.sources\.items\.breaker\.failureRate: expected a number above 0 and below 1, such as 0\.5, got 2/);
      return true;
    },
  );
});
