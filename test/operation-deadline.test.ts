import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHttpClient } from '../src/transport/http-client.ts';
import { remainingTime, useOperationDeadline } from '../src/transport/operation-deadline.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { createManualClock } from './helpers/manual-clock.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';

const sdl = /* GraphQL */ `
  type Item { id: ID! name: String! }
  type Query { item(id: ID!): Item @http(GET: "/items/{args.id}") }
`;

test('operationTimeout bounds an upstream call when it leaves less than the source timeout: GATEWAY_TIMEOUT while the service still holds the call', async (t) => {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  t.after(() => release());
  const items = await startFixtureServer(t, async (_request, response) => {
    await released;
    json(response, 200, { id: '1', name: 'Lamp' });
  });
  const gateway = await startTestGateway(
    t,
    { items: { kind: 'rest', url: items.url, sdl, timeout: 60_000, retries: false, httpCache: false, dedupeInFlight: false } },
    { operationTimeout: 200 },
  );

  const answer = await postGraphQL(gateway.endpoint, '{ item(id: "1") { id name } }');

  assert.deepEqual(answer.body.data, { item: null });
  assert.deepEqual(
    answer.body.errors?.map((error) => [error.extensions?.code, error.extensions?.service, error.path]),
    [['GATEWAY_TIMEOUT', 'items', ['item']]],
  );
  assert.equal(items.requests.length, 1, 'one call, still held by the service when the client got its answer');
});

test('a call due after the deadline is not made; a request without a deadline, or one far from it, keeps the source timeout', async (t) => {
  const items = await startFixtureServer(t, (_request, response) => json(response, 200, { id: '1' }));
  const client = createHttpClient({ service: 'items', url: items.url, timeout: 10_000, connections: 1 });
  t.after(() => client.close());
  const clock = createManualClock();
  const deadline = useOperationDeadline(500, clock);
  const arrive = () => {
    const request = new Request('http://gateway/graphql');
    (deadline.onRequest as (payload: { request: Request }) => void)({ request });
    return request;
  };

  const fresh = arrive();
  assert.equal(remainingTime(fresh), 500);
  assert.deepEqual(await client.request({ method: 'GET', path: '/items/1', origin: fresh }), { status: 200, body: { id: '1' } });

  const late = arrive();
  clock.advance(500);
  assert.equal(remainingTime(late), 0);
  await assert.rejects(client.request({ method: 'GET', path: '/items/1', origin: late }), (error: Error & { extensions?: Record<string, unknown> }) => {
    assert.equal(error.extensions?.['code'], 'GATEWAY_TIMEOUT');
    assert.match(error.message, /was not called: the operation's deadline \(operationTimeout\) had passed/);
    return true;
  });
  assert.equal(remainingTime(new Request('http://gateway/graphql')), undefined, 'a request the plugin never saw has no deadline');
  assert.equal(items.requests.length, 1, 'only the call within its deadline reached the service');
});
