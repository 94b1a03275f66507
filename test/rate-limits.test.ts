import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { test, type TestContext } from 'node:test';
import { postGraphQL } from './helpers/graphql-request.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { createManualClock, type ManualClock } from './helpers/manual-clock.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';
import { collectLogs } from './helpers/collect-logs.ts';

const sdl = /* GraphQL */ `
  type Query {
    hello: String @http(GET: "/hello")
    search(term: String!): [String!]! @http(GET: "/search?term={args.term}") @rateLimit(max: 3, window: "1m", identityArgs: ["term"])
    bulk(ids: [ID!]!): [String!]! @http(GET: "/bulk?ids={args.ids}") @rateLimit(max: 5, window: "1m", arrayLengthField: "ids", message: "Too many ids this minute.")
    report: String @http(GET: "/report") @cost(weight: 20)
    legacy: String @http(GET: "/legacy")
  }
`;
const keys = { a: 'key-of-a-0123456789abcdef', b: 'key-of-b-0123456789abcdef' };
const hash = (key: string) => createHash('sha256').update(key).digest('hex');

/** A gateway over the `api` service; its windows run on `clock` (a window-aligned one by default: 2026-12-01T00:00:00Z). */
async function setUp(t: TestContext, extra: Record<string, unknown> = {}, clock: ManualClock = createManualClock()) {
  const service = await startFixtureServer(t, (request, response) =>
    json(response, 200, request.url?.startsWith('/search') || request.url?.startsWith('/bulk') ? ['x'] : 'ok'),
  );
  const gateway = await startTestGateway(
    t,
    { api: { kind: 'rest', url: service.url, sdl } },
    {
      consumers: { a: { keyHash: hash(keys.a), plan: 'small' }, b: { keyHash: hash(keys.b) } },
      ...extra,
    },
    { clock },
  );
  const calls = (prefix: string) => service.requests.filter((request) => request.url.startsWith(prefix)).length;
  return { gateway, calls };
}

test('@rateLimit: over the limit the field is null with RATE_LIMITED, never reaches the service, and the rest answers', async (t) => {
  const { gateway, calls } = await setUp(t);
  const results = [];
  for (let index = 0; index < 5; index += 1)
    results.push(await postGraphQL(gateway.endpoint, '{ hello search(term: "shoes") }', undefined, { 'x-api-key': keys.a }));

  assert.deepEqual(
    results.map((result) => result.body.data),
    [{ hello: 'ok', search: ['x'] }, { hello: 'ok', search: ['x'] }, { hello: 'ok', search: ['x'] }, null, null],
    'search is non-null, so its null reaches the root',
  );
  const refused = results[3]?.body.errors?.[0];
  assert.deepEqual([refused?.path, refused?.extensions?.code, refused?.message], [['search'], 'RATE_LIMITED', "You are trying to access 'search' too often"]);
  assert.equal(results[3]?.status, 200);
  assert.equal(calls('/search'), 3);

  const otherTerm = await postGraphQL(gateway.endpoint, '{ search(term: "hats") }', undefined, { 'x-api-key': keys.a });
  assert.deepEqual(otherTerm.body.data, { search: ['x'] }, 'identityArgs: each term has its own budget');
  const otherConsumer = await postGraphQL(gateway.endpoint, '{ search(term: "shoes") }', undefined, { 'x-api-key': keys.b });
  assert.deepEqual(otherConsumer.body.data, { search: ['x'] }, 'each consumer has its own budget');
  const anonymous = await postGraphQL(gateway.endpoint, '{ search(term: "shoes") }');
  assert.deepEqual(anonymous.body.data, { search: ['x'] }, 'anonymous callers count by address');
});

test("identityArgs read the coerced arguments: a term given as a variable, or as a variable's default, shares the literal's budget", async (t) => {
  const { gateway, calls } = await setUp(t);
  const ask = (query: string, variables?: Record<string, unknown>) => postGraphQL(gateway.endpoint, query, variables, { 'x-api-key': keys.a });
  const answers = [
    await ask('{ search(term: "shoes") }'),
    await ask('query ($term: String!) { search(term: $term) }', { term: 'shoes' }),
    await ask('query ($term: String! = "shoes") { search(term: $term) }'),
    await ask('query ($term: String! = "shoes") { search(term: $term) }'),
  ];
  assert.deepEqual(
    answers.map((answer) => answer.body.errors?.[0]?.extensions?.code ?? 'ok'),
    ['ok', 'ok', 'ok', 'RATE_LIMITED'],
  );
  assert.equal(calls('/search'), 3);
  assert.deepEqual((await ask('query ($term: String! = "hats") { search(term: $term) }')).body.data, { search: ['x'] }, 'another default, another budget');
});

test('arrayLengthField counts the list length; the directive message is used', async (t) => {
  const { gateway, calls } = await setUp(t);
  const first = await postGraphQL(gateway.endpoint, '{ bulk(ids: ["1", "2", "3"]) }');
  const second = await postGraphQL(gateway.endpoint, 'query($ids: [ID!]!) { bulk(ids: $ids) }', { ids: ['4', '5', '6'] });
  assert.deepEqual(first.body.data, { bulk: ['x'] });
  assert.equal(second.body.errors?.[0]?.message, 'Too many ids this minute.');
  assert.equal(calls('/bulk'), 1);
});

test('limits declared in config for fields whose SDL we do not own; unknown coordinates stop start-up', async (t) => {
  const { gateway, calls } = await setUp(t, { rateLimits: { fields: { 'Query.legacy': { max: 1, window: 60_000 } } } });
  await postGraphQL(gateway.endpoint, '{ legacy }');
  const refused = await postGraphQL(gateway.endpoint, '{ legacy }');
  assert.deepEqual(refused.body.data, { legacy: null });
  assert.equal(refused.body.errors?.[0]?.extensions?.code, 'RATE_LIMITED');
  assert.equal(calls('/legacy'), 1);

  await assert.rejects(
    setUp(t, { rateLimits: { fields: { 'Query.legasy': { max: 1 } } } }),
    /config\.rateLimits\.fields\.Query\.legasy: expected a field of a registered schema, found none/,
  );
});

test('plan request budgets: 429 RATE_LIMITED with Retry-After and RateLimit-* headers; other plans unaffected; the next window starts afresh', async (t) => {
  const clock = createManualClock();
  const { gateway, calls } = await setUp(
    t,
    { rateLimits: { plans: { small: { requests: { max: 2, window: '1m' } }, default: { requests: { max: 100, window: '1m' } } } } },
    clock,
  );
  const first = await postGraphQL(gateway.endpoint, '{ hello }', undefined, { 'x-api-key': keys.a });
  assert.equal(first.headers.get('ratelimit-limit'), '2');
  assert.equal(first.headers.get('ratelimit-remaining'), '1');
  assert.equal(first.headers.get('ratelimit-reset'), '60');
  clock.advance(15_000);
  await postGraphQL(gateway.endpoint, '{ hello }', undefined, { 'x-api-key': keys.a });
  const third = await postGraphQL(gateway.endpoint, '{ hello }', undefined, { 'x-api-key': keys.a });

  assert.equal(third.status, 429);
  assert.deepEqual(third.body.errors?.[0]?.extensions, { code: 'RATE_LIMITED', requestId: third.headers.get('x-request-id') });
  assert.equal(third.body.errors?.[0]?.message, 'Request limit of 2 per 60 s reached.');
  assert.deepEqual([third.headers.get('retry-after'), third.headers.get('ratelimit-reset')], ['45', '45'], 'the window ends 45 s later');
  assert.equal(third.headers.get('ratelimit-remaining'), '0');
  assert.equal(calls('/hello'), 2);

  const other = await postGraphQL(gateway.endpoint, '{ hello }', undefined, { 'x-api-key': keys.b });
  assert.equal(other.status, 200);
  assert.equal(other.headers.get('ratelimit-limit'), '100');

  clock.advance(44_999);
  assert.equal((await postGraphQL(gateway.endpoint, '{ hello }', undefined, { 'x-api-key': keys.a })).status, 429, '1 ms before the window ends');
  clock.advance(1);
  const next = await postGraphQL(gateway.endpoint, '{ hello }', undefined, { 'x-api-key': keys.a });
  assert.deepEqual([next.status, next.headers.get('ratelimit-remaining'), next.headers.get('ratelimit-reset')], [200, '1', '60'], 'a new window');
  assert.equal(calls('/hello'), 4, "a's three allowed requests and b's one");
});

test("a field limit's window slides: each hit frees its place one window after it was counted", async (t) => {
  const clock = createManualClock();
  const { gateway, calls } = await setUp(t, {}, clock);
  const search = async () => {
    const answer = await postGraphQL(gateway.endpoint, '{ search(term: "shoes") }', undefined, { 'x-api-key': keys.a });
    return answer.body.errors?.[0]?.extensions?.code ?? 'ok';
  };
  const verdicts = [];
  for (const step of [0, 10_000, 10_000]) {
    clock.advance(step);
    verdicts.push(await search());
  }
  assert.deepEqual(verdicts, ['ok', 'ok', 'ok'], 'three per minute, 10 s apart');
  clock.advance(40_000);
  assert.deepEqual([await search(), await search()], ['ok', 'RATE_LIMITED'], 'a minute after the first hit, it has left the window; the second has not');
  assert.equal(calls('/search'), 4);
});

test('plan cost budgets sum the static cost of operations per window', async (t) => {
  const { gateway, calls } = await setUp(t, { rateLimits: { plans: { small: { cost: { max: 50, window: '1m' } } } } });
  const costs = [];
  for (let index = 0; index < 3; index += 1) costs.push(await postGraphQL(gateway.endpoint, '{ report }', undefined, { 'x-api-key': keys.a }));
  assert.deepEqual(
    costs.map((response) => response.status),
    [200, 200, 429],
  );
  assert.equal(costs[2]?.body.errors?.[0]?.message, 'Cost limit of 50 per 60 s reached: this operation costs 20.');
  assert.equal(calls('/report'), 2);
});

/** A Redis URL where nothing listens: every command of a store there fails. */
async function unreachableRedisUrl(): Promise<string> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `redis://127.0.0.1:${port}`;
}

async function setUpUnreachableStore(t: TestContext, onStoreFailure: 'open' | 'closed') {
  const logs = collectLogs();
  const service = await startFixtureServer(t, (_request, response) => json(response, 200, 'ok'));
  const gateway = await startTestGateway(
    t,
    {
      api: {
        kind: 'rest',
        url: service.url,
        sdl: /* GraphQL */ `
      type Query {
        hello: String @http(GET: "/hello")
        report: String @http(GET: "/report") @cost(weight: 20)
        limited: String @http(GET: "/limited") @rateLimit(max: 3, window: "1m")
      }
    `,
      },
    },
    {
      redis: { url: await unreachableRedisUrl(), commandTimeout: 200 },
      consumers: { a: { keyHash: hash(keys.a), plan: 'small' }, b: { keyHash: hash(keys.b), plan: 'metered' } },
      rateLimits: { onStoreFailure, plans: { small: { requests: { max: 100, window: '1m' } }, metered: { cost: { max: 1000, window: '1m' } } } },
    },
    { logger: logs.logger },
  );
  const lines = () => logs.messages();
  return { gateway, service, lines };
}

test('onStoreFailure "closed" with the store unreachable: plan budgets refuse the whole request with 503 SERVICE_UNAVAILABLE before any call; a limited field answers null, the rest 200', async (t) => {
  const { gateway, service, lines } = await setUpUnreachableStore(t, 'closed');
  const message = 'Rate limits cannot be checked right now; try again shortly.';

  for (const [key, query] of [
    [keys.a, '{ hello }'],
    [keys.b, '{ report }'],
  ] as const) {
    const refused = await postGraphQL(gateway.endpoint, query, undefined, { 'x-api-key': key });
    assert.equal(refused.status, 503, query);
    assert.match(refused.headers.get('content-type') ?? '', /^application\/graphql-response\+json/);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.deepEqual(refused.body, { errors: [{ message, extensions: { code: 'SERVICE_UNAVAILABLE', requestId: refused.headers.get('x-request-id') } }] });
  }
  const legacy = await postGraphQL(gateway.endpoint, '{ hello }', undefined, { 'x-api-key': keys.a, accept: 'application/json' });
  assert.equal(legacy.status, 503, 'a legacy application/json client is refused the same way');
  assert.equal(service.requests.length, 0, 'no service was called');

  const free = await postGraphQL(gateway.endpoint, '{ hello }', undefined, { 'x-api-key': keys.b });
  assert.deepEqual([free.status, free.body], [200, { data: { hello: 'ok' } }], 'an operation costing 0 spends no cost budget, so needs no store');

  const field = await postGraphQL(gateway.endpoint, '{ hello limited }');
  assert.equal(field.status, 200);
  assert.deepEqual(field.body.data, { hello: 'ok', limited: null });
  assert.deepEqual(
    field.body.errors?.map((error) => [error.path, error.extensions?.code, error.message]),
    [[['limited'], 'SERVICE_UNAVAILABLE', 'Rate limits cannot be checked right now, so Query.limited is refused.']],
  );
  assert.deepEqual(
    service.requests.map((request) => request.url),
    ['/hello', '/hello'],
  );
  assert.deepEqual(
    lines().filter((line) => line.includes('redis (rate limits)')),
    [
      `redis (rate limits) unreachable: ECONNREFUSED; plan budgets refuse operations with 503 and limited fields answer null, with SERVICE_UNAVAILABLE (rateLimits.onStoreFailure: 'closed') until it returns`,
    ],
  );
});

test('onStoreFailure "open" with the store unreachable: everything passes, and the outage is logged once, saying so', async (t) => {
  const { gateway, service, lines } = await setUpUnreachableStore(t, 'open');
  const answers = [];
  for (const key of [keys.a, keys.b, undefined]) {
    answers.push(await postGraphQL(gateway.endpoint, '{ hello report limited }', undefined, key ? { 'x-api-key': key } : {}));
  }
  assert.deepEqual(
    answers.map((answer) => [answer.status, answer.body]),
    Array(3).fill([200, { data: { hello: 'ok', report: 'ok', limited: 'ok' } }]),
  );
  assert.equal(service.requests.length, 9);
  assert.deepEqual(
    lines().filter((line) => line.includes('redis (rate limits)')),
    ["redis (rate limits) unreachable: ECONNREFUSED; limited requests pass unchecked (rateLimits.onStoreFailure: 'open') until it returns"],
  );
});

test('rate-limit config mistakes name the key', async () => {
  const { normalizeConfig } = await import('../src/config/normalize-config.ts');
  assert.throws(
    () =>
      normalizeConfig(
        { sources: { a: { kind: 'rest', url: 'http://a' } }, rateLimits: { store: 'redis', plans: { gold: { requests: { max: 0, window: 'soon' } } } } },
        { env: {} },
      ),
    (error: Error & { problems?: string[] }) => {
      assert.deepEqual(error.problems, [
        'config.rateLimits.store: expected a top-level redis: { url } for the "redis" store, found none',
        'config.rateLimits.plans.gold.requests.max: expected an integer from 1 to 1000000000, got 0',
        'config.rateLimits.plans.gold.requests.window: expected a window such as "30s", "1m", "1h" or a number of milliseconds (at most 31 days), got "soon"',
      ]);
      return true;
    },
  );
});
