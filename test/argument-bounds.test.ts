import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import { graphql, parse, print } from 'graphql';
import { createSchema } from 'graphql-yoga';
import { OrderHistoryDocument } from '../generated/operations.ts';
import { computeCost } from '../src/limits/compute-cost.ts';
import { buildCostModel } from '../src/limits/cost-model.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { postGraphQL, sendRaw, type GraphQLResponse } from './helpers/graphql-request.ts';
import { startShop } from './helpers/start-shop.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';

const sdl = /* GraphQL */ `
  input RangeInput {
    from: Int! @constraint(min: 0)
    to: Int! @constraint(max: 1000)
  }
  input SearchInput {
    term: String!
    page: Int = 1 @constraint(min: 1, max: 50)
    ranges: [RangeInput!]
  }
  type Item {
    id: ID!
  }
  type Query {
    items(first: Int = 10 @constraint(min: 0, max: 100), offset: Int @constraint(min: 0)): [Item!]! @http(GET: "/items?first={args.first}") @listSize(slicingArguments: ["first"])
    search(input: SearchInput!): [Item!]! @http(POST: "/search", body: "{args.input}")
    scores(values: [Float!]! @constraint(min: 0.5, max: 2.5)): [Item!]! @http(GET: "/scores")
  }
`;

async function setUp(t: TestContext) {
  const service = await startFixtureServer(t, (_request, response) => json(response, 200, [{ id: '1' }]));
  const gateway = await startTestGateway(t, { api: { kind: 'rest', url: service.url, sdl } });
  return { service, endpoint: gateway.endpoint };
}

function assertRefused(response: GraphQLResponse, messages: string[], message?: string): void {
  assert.equal(response.status, 400, message ?? response.text);
  assert.equal(response.body.data, undefined);
  assert.deepEqual(
    response.body.errors?.map((error) => error.message),
    messages,
  );
  for (const error of response.body.errors ?? [])
    assert.deepEqual(error.extensions, { code: 'BAD_USER_INPUT', requestId: response.headers.get('x-request-id') });
}

test('@constraint: literals, variables, variable defaults and argument defaults outside their bounds are refused with 400 BAD_USER_INPUT before any upstream call', async (t) => {
  const { service, endpoint } = await setUp(t);
  const first = (got: number) => `Argument "first" of "Query.items" must be between 0 and 100, got ${got}.`;

  const literal = await postGraphQL(endpoint, '{ items(first: -1) { id } }');
  assertRefused(literal, [first(-1)]);
  assert.deepEqual(literal.body.errors?.[0]?.locations, [{ line: 1, column: 9 }], 'the error points at the argument');
  assertRefused(await postGraphQL(endpoint, '{ items(first: 101) { id } }'), [first(101)]);
  assertRefused(await postGraphQL(endpoint, 'query($n: Int) { items(first: $n) { id } }', { n: 1000 }), [first(1000)]);
  assertRefused(await postGraphQL(endpoint, 'query($n: Int) { items(first: $n) { id } }', { n: -5 }), [first(-5)]);
  assertRefused(await postGraphQL(endpoint, 'query($n: Int = 500) { items(first: $n) { id } }'), [first(500)]);
  assertRefused(await postGraphQL(endpoint, '{ items(offset: -1) { id } }'), ['Argument "offset" of "Query.items" must be at least 0, got -1.']);
  assertRefused(
    await postGraphQL(endpoint, '{ ...Page a: items(first: 200) { id } } fragment Page on Query { b: items(first: 300) { id } c: items(first: 300) { id } }'),
    [first(300), first(200)],
  );
  assertRefused(
    await postGraphQL(endpoint, 'query($n: Int) { items(first: $n) { id } }', { n: 'ten' }),
    ['Variable "$n" got invalid value "ten"; Int cannot represent non-integer value: "ten"'],
    'a variable that does not coerce is refused as such, not measured',
  );
  const legacy = await sendRaw(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: '{ items(first: -1) { id } }' }),
  });
  assert.deepEqual(
    [legacy.status, legacy.body.errors?.[0]?.message],
    [200, first(-1)],
    'a legacy application/json client gets 200, as for variables that do not coerce',
  );
  assert.equal(service.requests.length, 0, 'no refused request reached the service');

  for (const query of ['{ items(first: 0) { id } }', '{ items(first: 100, offset: 0) { id } }', '{ items { id } }']) {
    assert.deepEqual((await postGraphQL(endpoint, query)).body, { data: { items: [{ id: '1' }] } }, query);
  }
  assert.deepEqual(
    service.requests.map((request) => request.url),
    ['/items?first=0', '/items?first=100', '/items?first=10'],
  );
});

test('@constraint on input fields and list elements, at any depth, names the path of the value', async (t) => {
  const { service, endpoint } = await setUp(t);
  assertRefused(await postGraphQL(endpoint, '{ search(input: { term: "x", page: 0 }) { id } }'), [
    'Argument "input.page" of "Query.search" must be between 1 and 50, got 0.',
  ]);
  assertRefused(
    await postGraphQL(endpoint, 'query($in: SearchInput!) { search(input: $in) { id } }', {
      in: {
        term: 'x',
        ranges: [
          { from: 0, to: 5 },
          { from: -1, to: 2000 },
        ],
      },
    }),
    [
      'Argument "input.ranges[1].from" of "Query.search" must be at least 0, got -1.',
      'Argument "input.ranges[1].to" of "Query.search" must be at most 1000, got 2000.',
    ],
  );
  assertRefused(await postGraphQL(endpoint, 'query($v: [Float!]!) { scores(values: $v) { id } }', { v: [1, 2.6] }), [
    'Argument "values[1]" of "Query.scores" must be between 0.5 and 2.5, got 2.6.',
  ]);
  assertRefused(
    await postGraphQL(endpoint, '{ scores(values: 0.4) { id } }'),
    ['Argument "values[0]" of "Query.scores" must be between 0.5 and 2.5, got 0.4.'],
    'a single value is a list of one',
  );
  assert.equal(service.requests.length, 0);

  const fine = await postGraphQL(endpoint, '{ search(input: { term: "x", ranges: [{ from: 0, to: 1000 }] }) { id } scores(values: [0.5, 2.5]) { id } }');
  assert.deepEqual(fine.body, { data: { search: [{ id: '1' }], scores: [{ id: '1' }] } });
  assert.deepEqual(JSON.parse(service.requests.find((request) => request.url === '/search')?.body ?? ''), {
    term: 'x',
    page: 1,
    ranges: [{ from: 0, to: 1000 }],
  });
});

test('@constraint that cannot hold, or that its own default breaks, stops start-up naming source and coordinate', async (t) => {
  const broken = /* GraphQL */ `
    input Filter { size: Int = -1 @constraint(min: 0) }
    type Query {
      items(first: Int = 200 @constraint(min: 0, max: 100), filter: Filter = { size: 7 }): [String!]! @http(GET: "/items")
      named(name: String @constraint(min: 1)): String @http(GET: "/named")
      open(n: Int @constraint): String @http(GET: "/open")
      empty(n: Int @constraint(min: 5, max: 1)): String @http(GET: "/empty")
      nested(filter: Filter = { size: 2000 }): String @http(GET: "/nested")
    }
    extend input Filter { most: Int = 3 @constraint(max: 2) }
  `;
  await assert.rejects(startTestGateway(t, { api: { kind: 'rest', url: 'http://127.0.0.1:9', sdl: broken } }), (error: Error & { problems?: string[] }) => {
    assert.deepEqual(error.problems, [
      'sources.api: @constraint on Query.named(name:) bounds numbers (Int or Float), but its type is String.',
      'sources.api: @constraint on Query.open(n:) needs min, max or both.',
      'sources.api: @constraint on Query.empty(n:) allows no value: min 5 is above max 1.',
      'sources.api: the default of input field "size" of "Filter" must be at least 0, got -1.',
      'sources.api: the default of input field "most" of "Filter" must be at most 2, got 3.',
      'sources.api: the default of argument "first" of "Query.items" must be between 0 and 100, got 200.',
      'sources.api: the default of argument "filter.most" of "Query.items" must be at most 2, got 3.',
      'sources.api: the default of argument "filter.most" of "Query.nested" must be at most 2, got 3.',
    ]);
    return true;
  });
  // graphql-constraint-directive's string, list and format rules are not enforced here: declaring one is an error, not a silent no-op.
  await assert.rejects(
    startTestGateway(t, {
      api: { kind: 'rest', url: 'http://127.0.0.1:9', sdl: 'type Query { find(term: String @constraint(minLength: 3)): String @http(GET: "/find") }' },
    }),
    /api\.graphql:1:44: Unknown argument "minLength" on directive "@constraint"\./,
  );
});

// Bounds on an interface field (Account.friends, Social.friends) and on an implementation's
// (User.tags); User implements both interfaces, Robot only Account.
const accountsSdl = /* GraphQL */ `
  interface Account {
    id: ID!
    friends(first: Int @constraint(min: 0, max: 10)): [Account!]!
    tags(limit: Int): [String!]!
  }
  interface Social { friends(first: Int @constraint(max: 5)): [Account!]! }
  type User implements Account & Social {
    id: ID!
    friends(first: Int): [Account!]!
    tags(limit: Int @constraint(min: 1, max: 3)): [String!]!
  }
  type Robot implements Account {
    id: ID!
    friends(first: Int): [Account!]!
    tags(limit: Int): [String!]!
  }
  type Query { accounts: [Account!]! users: [User!]! robots: [Robot!]! }
`;

async function startAccounts(t: TestContext) {
  const directives = await readFile(new URL('../src/composition/directives.graphql', import.meta.url), 'utf8');
  const records = [
    { __typename: 'User', id: 'ada', friends: [], tags: ['a'] },
    { __typename: 'Robot', id: 'r2', friends: [], tags: ['b'] },
  ];
  const schema = createSchema({
    typeDefs: `${directives}\n${accountsSdl}`,
    resolvers: {
      Query: { accounts: () => records, users: () => records.slice(0, 1), robots: () => records.slice(1) },
      Account: { __resolveType: (value: { __typename: string }) => value.__typename },
    },
  });
  const service = await startFixtureServer(t, async (request, response) => {
    const { query } = JSON.parse(request.body) as { query: string };
    json(response, 200, await graphql({ schema, source: query }));
  });
  const gateway = await startTestGateway(t, { accounts: { kind: 'graphql', url: `${service.url}/graphql`, sdl: accountsSdl } });
  return { service, endpoint: gateway.endpoint };
}

test('@constraint on any declaration of a field applies, whether it is selected on the interface or on an implementation', async (t) => {
  const { service, endpoint } = await startAccounts(t);
  const cases: Array<[string, string]> = [
    ['{ robots { friends(first: 11) { id } } }', 'Argument "first" of "Robot.friends" must be between 0 and 10, got 11.'],
    ['{ accounts { ... on Robot { friends(first: -1) { id } } } }', 'Argument "first" of "Robot.friends" must be between 0 and 10, got -1.'],
    ['{ users { friends(first: 8) { id } } }', 'Argument "first" of "User.friends" must be between 0 and 5, got 8.'],
    ['{ accounts { friends(first: 8) { id } } }', 'Argument "first" of "Account.friends" must be between 0 and 5, got 8.'],
    ['{ accounts { tags(limit: 9) } }', 'Argument "limit" of "Account.tags" must be between 1 and 3, got 9.'],
  ];
  for (const [query, message] of cases) assertRefused(await postGraphQL(endpoint, query), [message], query);
  assert.equal(service.requests.length, 0);

  const allowed = await postGraphQL(endpoint, '{ robots { friends(first: 8) { id } } accounts { ... on Robot { tags(limit: 9) } } }');
  assert.deepEqual(
    allowed.body,
    { data: { robots: [{ friends: [] }], accounts: [{}, { tags: ['b'] }] } },
    "a Robot is neither Social nor a User: their bounds do not hold on Robot's fields",
  );
});

test('example shop: out-of-range page sizes and offsets are refused with 400 BAD_USER_INPUT, and no service is called', async (t) => {
  const shop = await startShop(t);
  shop.services.resetRequestCounts();
  const cases: Array<[string, Record<string, unknown> | undefined, string]> = [
    ['{ users(first: -1) { id } }', undefined, 'Argument "first" of "Query.users" must be between 0 and 100, got -1.'],
    ['{ users(first: 1000) { id } }', undefined, 'Argument "first" of "Query.users" must be between 0 and 100, got 1000.'],
    ['{ users(offset: -20) { id } }', undefined, 'Argument "offset" of "Query.users" must be at least 0, got -20.'],
    ['query($n: Int) { products(first: $n) { id } }', { n: -1 }, 'Argument "first" of "Query.products" must be between 1 and 100, got -1.'],
    ['query($n: Int) { products(first: $n) { id } }', { n: 0 }, 'Argument "first" of "Query.products" must be between 1 and 100, got 0.'],
    ['query($n: Int) { products(first: $n) { id } }', { n: 1000 }, 'Argument "first" of "Query.products" must be between 1 and 100, got 1000.'],
    ['query($n: Int = 101) { products(first: $n) { id } }', {}, 'Argument "first" of "Query.products" must be between 1 and 100, got 101.'],
    ['query($o: Int) { products(offset: $o) { id } }', { o: -1 }, 'Argument "offset" of "Query.products" must be at least 0, got -1.'],
    ['{ me { orders(first: 0) { id } } }', undefined, 'Argument "first" of "User.orders" must be between 1 and 100, got 0.'],
    ['query($n: Int!) { user(id: "1") { orders(first: $n) { id } } }', { n: 5000 }, 'Argument "first" of "User.orders" must be between 1 and 100, got 5000.'],
  ];
  for (const [query, variables, message] of cases) assertRefused(await postGraphQL(shop.endpoint, query, variables, shop.asUser1), [message]);
  assert.deepEqual(shop.services.requestCounts(), { users: 0, orders: 0, products: 0, inventory: 0, payments: 0, shipping: 0 });
});

test('example shop: the cost limit sees the page sizes the schemas declare', async (t) => {
  const shop = await startShop(t);
  const { schema, sources } = shop.gateway.gateway;
  const model = buildCostModel(sources.map((source) => source.subschema.schema));
  const cost = (query: string, variables: Record<string, unknown> = {}) => computeCost(parse(query), { schema, model, variables, defaultListSize: 10 });

  assert.deepEqual(cost('{ users(first: 100) { orders(first: 100) { id } } }'), { cost: 100 * (1 + 100), problems: [] });
  assert.deepEqual(cost('{ users { orders { id } } }'), { cost: 20 * (1 + 10), problems: [] }, 'the defaults: 20 users, 10 orders each');
  assert.deepEqual(cost('{ products(first: 100) { id } }'), { cost: 100, problems: [] });
  assert.deepEqual(
    cost(print(OrderHistoryDocument), { id: '1' }),
    { cost: 1 + 10 * (1 + 10 * (1 + 1 + 1) + 1 + 1), problems: [] },
    'the order-history query: 331',
  );
  assert.deepEqual(
    cost('{ me { name orders(first: 2) { id status total payment { status method } shipment { carrier status } } } }'),
    { cost: 1 + 2 * 3, problems: [] },
    "the README's example",
  );

  shop.services.resetRequestCounts();
  const over = await postGraphQL(shop.endpoint, '{ users(first: 100) { orders(first: 100) { id } } }', undefined, shop.asUser1);
  assert.deepEqual(
    [over.status, over.body.errors?.map((error) => error.message)],
    [400, ['Operation cost 10100 exceeds limits.maxCost (10000). Lists without @listSize or a slicing argument count as defaultListSize elements each.']],
  );
  assert.deepEqual(shop.services.requestCounts(), { users: 0, orders: 0, products: 0, inventory: 0, payments: 0, shipping: 0 });
  const atLimit = await postGraphQL(shop.endpoint, '{ users(first: 100) { orders(first: 99) { id } } }', undefined, shop.asUser1);
  assert.equal(atLimit.status, 200, "cost 100 × 100 = 10000 is within the shop's limit");
  assert.equal(
    atLimit.body.errors?.find((error) => error.extensions?.code === 'COST_ESTIMATED_TOO_EXPENSIVE'),
    undefined,
  );
  assert.equal(atLimit.body.data?.users.length, 50, 'all 50 users: the service caps nothing below the bound');
});
