import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { GraphQLError, parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { NotPlannable } from '../src/execution/collect-fields.ts';
import { link, subgraphSchema, type Reference, type SubgraphOptions } from './helpers/federation-subgraph.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { linesOf } from './helpers/log-lines.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';

/**
 * The federation query planner against stitching: the same queries over the same four subgraphs,
 * through a gateway that plans (the default) and one with `queryPlanner: false`, must give the same
 * answers; the planned one makes exactly one call per subgraph and position.
 */

const users = [
  { id: 'u1', name: 'Ada Lovelace', username: 'ada' },
  { id: 'u2', name: 'Alan Turing', username: 'alan' },
];
const products = [
  { upc: 'p1', name: 'Table', price: 100, weight: 20 },
  { upc: 'p2', name: 'Chair', price: 40, weight: 5 },
  { upc: 'p3', name: 'Lamp', price: 25, weight: 2 },
];
const reviews = [
  { id: 'r1', body: 'Sturdy', authorId: 'u1', upc: 'p1' },
  { id: 'r2', body: 'Wobbly', authorId: 'u2', upc: 'p2' },
  { id: 'r3', body: 'Fine', authorId: 'u1', upc: 'p3' },
  { id: 'r4', body: 'Solid', authorId: 'u2', upc: 'p1' },
];
const reviewOut = (review: (typeof reviews)[number]) => ({
  id: review.id,
  body: review.body,
  author: { id: review.authorId, username: users.find((user) => user.id === review.authorId)?.username },
  product: { upc: review.upc },
});

/** The subgraphs; `down` makes one answer 503, `failUpc` makes inventory report an error for one product. */
const state = { down: new Set<string>(), failUpc: '', mutations: [] as string[] };

const subgraphs: Record<string, SubgraphOptions> = {
  accounts: {
    sdl: `${link('key', 'shareable')}
      type User @key(fields: "id") { id: ID! name: String! username: String @shareable }
      type Query { users: [User!]! user(id: ID!): User }
      type Mutation { rename(id: ID!, name: String!): User }`,
    resolvers: {
      Query: { users: () => users, user: (_: unknown, { id }: { id: string }) => users.find((user) => user.id === id) ?? null },
      Mutation: {
        rename: (_: unknown, { id, name }: { id: string; name: string }) => {
          state.mutations.push(`rename ${name}`);
          const user = users.find((candidate) => candidate.id === id);
          return user ? { ...user, name } : null;
        },
      },
    },
    entities: ['User'],
    resolve: (reference) => users.find((user) => user.id === reference['id']) ?? null,
  },
  products: {
    sdl: `${link('key')}
      type Product @key(fields: "upc") { upc: String! name: String! price: Int! weight: Int! }
      type Query { topProducts(first: Int = 2): [Product!]! }`,
    resolvers: { Query: { topProducts: (_: unknown, { first }: { first: number }) => products.slice(0, first) } },
    entities: ['Product'],
    resolve: (reference) => products.find((product) => product.upc === reference['upc']) ?? null,
  },
  inventory: {
    sdl: `${link('key', 'external', 'requires')}
      type Product @key(fields: "upc") { upc: String! price: Int! @external weight: Int! @external inStock: Boolean shippingEstimate: Int @requires(fields: "price weight") }`,
    resolvers: {
      Product: {
        inStock: (product: Reference) => {
          if (product['upc'] === state.failUpc) throw new GraphQLError(`no stock data for ${state.failUpc}`);
          return product['upc'] !== 'p2';
        },
        shippingEstimate: (product: Reference) => Math.round(Number(product['price']) / 10 + Number(product['weight'])),
      },
    },
    entities: ['Product'],
    resolve: (reference) => reference,
  },
  reviews: {
    sdl: `${link('key', 'external', 'provides')}
      type Review @key(fields: "id") { id: ID! body: String! author: User! @provides(fields: "username") product: Product }
      type User @key(fields: "id") { id: ID! username: String @external reviews: [Review!]! }
      type Product @key(fields: "upc") { upc: String! reviews: [Review!]! }
      union Feed = Review | Product
      type Query { review(id: ID!): Review feed: [Feed!]! }
      type Mutation { addReview(upc: String!, body: String!): Review! }`,
    resolvers: {
      Query: {
        review: (_: unknown, { id }: { id: string }) => reviews.filter((review) => review.id === id).map(reviewOut)[0] ?? null,
        feed: () => [
          { __typename: 'Review', ...reviewOut(reviews[1] as (typeof reviews)[number]) },
          { __typename: 'Product', upc: 'p3' },
          { __typename: 'Review', ...reviewOut(reviews[0] as (typeof reviews)[number]) },
        ],
      },
      Mutation: {
        addReview: (_: unknown, { upc, body }: { upc: string; body: string }) => {
          state.mutations.push(`addReview ${body}`);
          return reviewOut({ id: `new-${state.mutations.length}`, body, authorId: 'u1', upc });
        },
      },
      Feed: { __resolveType: (value: { __typename: string }) => value.__typename },
      User: { reviews: (user: Reference) => reviews.filter((review) => review.authorId === user['id']).map(reviewOut) },
      Product: { reviews: (product: Reference) => reviews.filter((review) => review.upc === product['upc']).map(reviewOut) },
    },
    entities: ['User', 'Product', 'Review'],
    resolve: (reference) =>
      reference.__typename === 'Review' ? (reviews.filter((review) => review.id === reference['id']).map(reviewOut)[0] ?? null) : reference,
  },
};

async function startSubgraphs(t: TestContext) {
  const started = await Promise.all(
    Object.entries(subgraphs).map(async ([name, options]) => {
      const yoga = createYoga({ logging: false, schema: subgraphSchema(options) });
      const server = await startFixtureServer(t, async (request, response) => {
        if (state.down.has(name)) return void response.writeHead(503, { 'content-type': 'text/plain' }).end('maintenance');
        const answer = await yoga.fetch(`http://subgraph${request.url}`, {
          method: request.method,
          headers: { 'content-type': 'application/json' },
          body: request.body || undefined,
        });
        json(response, answer.status, await answer.json());
      });
      return [name, server] as const;
    }),
  );
  return Object.fromEntries(started);
}

async function startGateways(t: TestContext) {
  state.down.clear();
  state.failUpc = '';
  state.mutations.length = 0;
  const servers = await startSubgraphs(t);
  const sources = Object.fromEntries(
    Object.entries(servers).map(([name, server]) => [name, { kind: 'federation' as const, url: `${server.url}/graphql`, sdl: '', dedupeInFlight: false }]),
  );
  const [planned, stitched] = await Promise.all([
    startTestGateway(t, sources, { limits: { maxCost: 100_000 } }),
    startTestGateway(t, sources, { limits: { maxCost: 100_000 }, queryPlanner: false }),
  ]);
  const calls = () =>
    Object.values(servers).reduce((total, server) => total + server.requests.filter((request) => request.url.startsWith('/graphql')).length, 0);
  return { planned, stitched, calls };
}

const deepQuery = /* GraphQL */ `
  query Deep($first: Int, $id: ID! = "u2") {
    __typename
    topProducts(first: $first) {
      __typename
      title: name
      ...Stock
      reviews {
        id
        body
        author { username name ... on User { reviews { id product { upc name shippingEstimate } } } }
      }
    }
    who: user(id: $id) { name reviews { body product { name inStock } } }
  }
  fragment Stock on Product { upc inStock shippingEstimate price }
`;

test('a query across four subgraphs is planned and answers exactly what stitching answers, with one call per subgraph and position', async (t) => {
  const { planned, stitched, calls } = await startGateways(t);
  const plan = planned.gateway.planner?.plan(parse(deepQuery), 'Deep');
  assert.ok(plan && !(plan instanceof NotPlannable), `not planned: ${String(plan instanceof NotPlannable ? plan.message : plan)}`);
  for (const variables of [{ first: 3 }, {}, { first: 1, id: 'u1' }]) {
    const before = calls();
    const answer = await postGraphQL(planned.endpoint, deepQuery, variables);
    const plannedCalls = calls() - before;
    const reference = await postGraphQL(stitched.endpoint, deepQuery, variables);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    assert.deepEqual(answer.body, reference.body);
    assert.equal(JSON.stringify(answer.body), JSON.stringify(reference.body), 'the same answer, field order included');
    // accounts + products roots; reviews of the products; author names (accounts); the authors'
    // reviews' products (products) and their shipping estimates (inventory, after products); the
    // products' stock (inventory); `who`'s review products (products) and their stock (inventory).
    const total: number = plan instanceof NotPlannable || !plan ? 0 : countFetches(plan.fetches);
    assert.equal(plannedCalls, total, `planned ${total} calls`);
  }
});

test('a union: each member is completed by the subgraphs that own its fields, in one call per subgraph and type', async (t) => {
  const { planned, stitched, calls } = await startGateways(t);
  const query =
    '{ feed { __typename ... on Review { body author { name } product { name } } ... on Product { name inStock shippingEstimate reviews { id } } } }';
  const plan = planned.gateway.planner?.plan(parse(query), undefined);
  assert.ok(plan && !(plan instanceof NotPlannable), `not planned: ${String(plan instanceof NotPlannable ? plan.message : plan)}`);
  const before = calls();
  const answer = await postGraphQL(planned.endpoint, query);
  assert.equal(calls() - before, countFetches(plan.fetches));
  assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
  assert.deepEqual(
    answer.body.data?.feed?.map((item: { __typename: string }) => item.__typename),
    ['Review', 'Product', 'Review'],
  );
  assert.equal(JSON.stringify(answer.body), JSON.stringify((await postGraphQL(stitched.endpoint, query)).body));
});

test('@provides: a field the subgraph provides on a path is answered without an entity call', async (t) => {
  const { planned, stitched, calls } = await startGateways(t);
  const query = '{ review(id: "r2") { body author { id username } } }';
  const before = calls();
  const answer = await postGraphQL(planned.endpoint, query);
  assert.equal(calls() - before, 1);
  assert.deepEqual(answer.body, { data: { review: { body: 'Wobbly', author: { id: 'u2', username: 'alan' } } } });
  assert.deepEqual(answer.body, (await postGraphQL(stitched.endpoint, query)).body);
});

test('a subgraph that is down: its nullable fields are null with an error on every path, non-null ones null their parent', async (t) => {
  const { planned } = await startGateways(t);
  state.down.add('inventory');
  const nullable = await postGraphQL(planned.endpoint, '{ topProducts { upc inStock } }');
  assert.equal(nullable.status, 200);
  assert.deepEqual(nullable.body.data, {
    topProducts: [
      { upc: 'p1', inStock: null },
      { upc: 'p2', inStock: null },
    ],
  });
  assert.deepEqual(
    nullable.body.errors?.map((error) => [error.path, error.extensions?.code, error.extensions?.service]),
    [
      [['topProducts', 0, 'inStock'], 'DOWNSTREAM_SERVICE_ERROR', 'inventory'],
      [['topProducts', 1, 'inStock'], 'DOWNSTREAM_SERVICE_ERROR', 'inventory'],
    ],
  );
  state.down.add('products');
  const nonNull = await postGraphQL(planned.endpoint, '{ review(id: "r1") { body product { upc name } } }');
  assert.deepEqual(nonNull.body.data, { review: { body: 'Sturdy', product: null } });
  assert.deepEqual(
    nonNull.body.errors?.map((error) => [error.path, error.extensions?.code, error.extensions?.service]),
    [[['review', 'product', 'name'], 'DOWNSTREAM_SERVICE_ERROR', 'products']],
  );
  const required = await postGraphQL(planned.endpoint, '{ review(id: "r1") { body product { upc shippingEstimate } } }');
  assert.deepEqual(
    required.body.data,
    { review: { body: 'Sturdy', product: { upc: 'p1', shippingEstimate: null } } },
    'inventory never asked: the price and weight it requires could not be had',
  );
  assert.deepEqual(
    required.body.errors?.map((error) => [error.path, error.extensions?.service]),
    [[['review', 'product', 'shippingEstimate'], 'products']],
  );
  const root = await postGraphQL(planned.endpoint, '{ topProducts { upc } users { id } }');
  assert.deepEqual(root.body.data, null, 'topProducts is non-null, so the whole answer is null');
  assert.equal(root.body.errors?.[0]?.extensions?.service, 'products');
  assert.doesNotMatch(JSON.stringify(root.body), /\\n\s+at /, 'no stack trace');
});

test("an error a subgraph reports for one entity lands on that object's path; the others keep their data", async (t) => {
  const { planned, stitched } = await startGateways(t);
  state.failUpc = 'p2';
  const query = '{ topProducts(first: 3) { upc inStock } }';
  const answer = await postGraphQL(planned.endpoint, query);
  assert.deepEqual(answer.body.data, {
    topProducts: [
      { upc: 'p1', inStock: true },
      { upc: 'p2', inStock: null },
      { upc: 'p3', inStock: true },
    ],
  });
  assert.deepEqual(
    answer.body.errors?.map((error) => [error.message, error.path, error.extensions?.service]),
    [['no stock data for p2', ['topProducts', 1, 'inStock'], 'inventory']],
  );
  assert.deepEqual(answer.body.data, (await postGraphQL(stitched.endpoint, query)).body.data);
});

test('@skip and @include: a plan per value of the variables they read, each answering what stitching answers', async (t) => {
  const { planned, stitched, calls } = await startGateways(t);
  const query = 'query ($all: Boolean!, $lean: Boolean = false) { topProducts { upc name @include(if: $all) ... on Product @skip(if: $lean) { inStock } } }';
  const withAll = planned.gateway.planner?.plan(parse(query), undefined, { all: true, lean: false });
  const lean = planned.gateway.planner?.plan(parse(query), undefined, { all: false, lean: true });
  assert.ok(withAll && !(withAll instanceof NotPlannable) && lean && !(lean instanceof NotPlannable));
  assert.equal(countFetches(withAll.fetches), 2, 'products, then inventory for inStock');
  assert.equal(countFetches(lean.fetches), 1, 'inStock skipped: no inventory call');
  for (const variables of [{ all: true }, { all: false }, { all: true, lean: true }, { all: false, lean: true }]) {
    const before = calls();
    const answer = await postGraphQL(planned.endpoint, query, variables);
    assert.equal(calls() - before, variables.lean ? 1 : 2);
    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    assert.equal(JSON.stringify(answer.body), JSON.stringify((await postGraphQL(stitched.endpoint, query, variables)).body));
  }
});

test('a mutation: root fields run in order, one call per run of fields of one subgraph, entities completed as in a query', async (t) => {
  const { planned, stitched } = await startGateways(t);
  const mutation = /* GraphQL */ `
    mutation ($upc: String!) {
      first: addReview(upc: $upc, body: "Great") { id body product { name inStock } author { name } }
      renamed: rename(id: "u1", name: "Ada L.") { name reviews { id } }
      second: addReview(upc: "p2", body: "Meh") { body product { upc } }
    }
  `;
  const plan = planned.gateway.planner?.plan(parse(mutation), undefined);
  assert.ok(plan && !(plan instanceof NotPlannable), `not planned: ${String(plan instanceof NotPlannable ? plan.message : plan)}`);
  assert.deepEqual(
    plan.fetches.map((fetch) => fetch.graph),
    ['reviews', 'accounts', 'reviews'],
  );
  const answer = await postGraphQL(planned.endpoint, mutation, { upc: 'p3' });
  assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
  assert.deepEqual(state.mutations, ['addReview Great', 'rename Ada L.', 'addReview Meh']);
  assert.deepEqual(answer.body.data?.first, { id: 'new-1', body: 'Great', product: { name: 'Lamp', inStock: true }, author: { name: 'Ada Lovelace' } });
  const reference = await postGraphQL(stitched.endpoint, mutation, { upc: 'p3' });
  // Stitching runs the same three mutations again: its new review is the 4th.
  assert.equal(JSON.stringify(answer.body).replace('new-1', 'new-4'), JSON.stringify(reference.body));
});

test('what the planner does not cover is executed by stitching: introspection, bad variables', async (t) => {
  const { planned, stitched } = await startGateways(t);
  assert.ok(planned.gateway.planner?.plan(parse('{ __schema { queryType { name } } topProducts { upc } }'), undefined) instanceof NotPlannable);
  const introspection = await postGraphQL(planned.endpoint, '{ __schema { queryType { name } } topProducts { upc } }');
  assert.deepEqual(introspection.body.data, { __schema: { queryType: { name: 'Query' } }, topProducts: [{ upc: 'p1' }, { upc: 'p2' }] });
  const badVariable = await postGraphQL(planned.endpoint, 'query ($first: Int) { topProducts(first: $first) { upc } }', { first: 'many' });
  const reference = await postGraphQL(stitched.endpoint, 'query ($first: Int) { topProducts(first: $first) { upc } }', { first: 'many' });
  assert.equal(badVariable.status, reference.status);
  assert.deepEqual(withoutRequestIds(badVariable.body), withoutRequestIds(reference.body));
  assert.match(badVariable.body.errors?.[0]?.message ?? '', /\$first/);
});

/** Errors carry each request's own id; the rest must be equal. */
function withoutRequestIds(body: { errors?: readonly { extensions?: Record<string, unknown> }[] }): unknown {
  return { ...body, errors: body.errors?.map(({ extensions: { requestId: _, ...extensions } = {}, ...error }) => ({ ...error, extensions })) };
}

test('the access log says which way each operation was executed, and why not planned; the metrics count it by reason', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-plans-log-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'access.log');
  const servers = await startSubgraphs(t);
  const sources = Object.fromEntries(
    Object.entries(servers).map(([name, server]) => [name, { kind: 'federation' as const, url: `${server.url}/graphql`, sdl: '' }]),
  );
  const gateway = await startTestGateway(t, sources, { logging: { level: 'info', destination: file } });
  await postGraphQL(gateway.endpoint, 'query Planned { topProducts { name inStock } }');
  await postGraphQL(gateway.endpoint, 'query Stitched { __schema { queryType { name } } topProducts { name } }');
  const lines = (await linesOf(file, 2)).map((line) => JSON.parse(line) as { operationName: string; execution: unknown; fallback?: unknown });
  const reason = 'Query.__schema is not a supergraph field';
  assert.deepEqual(
    lines.map(({ operationName, execution, fallback }) => [operationName, execution, fallback]),
    [
      ['Planned', 'plan', undefined],
      ['Stitched', 'stitching', reason],
    ],
  );
  const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
  assert.match(metrics, new RegExp(`concierge_planner_fallbacks_total\\{reason="${reason}"\\} 1\\n`), 'the fallback is counted by its reason');
});

function countFetches(fetches: readonly { children: readonly unknown[] }[]): number {
  return fetches.reduce((total, fetch) => total + 1 + countFetches(fetch.children as { children: readonly unknown[] }[]), 0);
}
