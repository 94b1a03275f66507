import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { buildSchema, graphql, parse, print } from 'graphql';
import { createSchema } from 'graphql-yoga';
import { computeCost } from '../src/limits/compute-cost.ts';
import { buildCostModel } from '../src/limits/cost-model.ts';
import { compositionDirectives } from '../src/sources/build-source-schema.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';

// Cost directives on implementations (User.email, User.reviews, type Badge) and on an interface
// field (Account.history), read through the interface, on the types, and through a union.
const sdl = /* GraphQL */ `
  interface Node { id: ID! }
  interface Account implements Node {
    id: ID!
    email: String
    reviews(first: Int): [Review!]!
    history(last: Int): [Review!]! @listSize(slicingArguments: ["last"]) @cost(weight: 2)
    badge: Node
  }
  type User implements Node & Account {
    id: ID!
    email: String @cost(weight: 7)
    reviews(first: Int): [Review!]! @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false)
    history(last: Int): [Review!]!
    badge: Node
  }
  type Robot implements Node & Account {
    id: ID!
    email: String
    reviews(first: Int): [Review!]! @listSize(assumedSize: 2)
    history(last: Int): [Review!]!
    badge: Node
  }
  type Review implements Node { id: ID! }
  type Badge implements Node @cost(weight: 6) { id: ID! }
  union Member = User | Robot
  type Query {
    accounts: [Account!]! @listSize(assumedSize: 3)
    users: [User!]! @listSize(assumedSize: 3)
    robots: [Robot!]! @listSize(assumedSize: 3)
    members: [Member!]! @listSize(assumedSize: 3)
    node(id: ID!): Node
  }
`;

const schema = buildSchema(`${print(compositionDirectives)}\n${sdl}`);
const model = buildCostModel([schema]);
const cost = (query: string) => computeCost(parse(query), { schema, model, defaultListSize: 10 });

test('a field selected on an interface costs the most any of its declarations costs, as on the type that declares it', () => {
  assert.deepEqual(cost('{ accounts { email } }'), cost('{ users { email } }'), "User.email's @cost counts through Account");
  assert.deepEqual(cost('{ accounts { email } }'), { cost: 3 * (1 + 7), problems: [] });
  assert.deepEqual(
    cost('{ members { ... on Account { email } } }'),
    { cost: 3 * (1 + 7), problems: [] },
    'and through a fragment on the interface inside a union',
  );
  assert.deepEqual(cost('{ robots { email } }'), { cost: 3, problems: [] }, 'Robot.email weighs nothing: a Robot is never a User');

  assert.deepEqual(
    cost('{ accounts { reviews(first: 40) { id } } }'),
    { cost: 3 * (1 + 40), problems: [] },
    "User.reviews' slicing argument sizes the list through Account",
  );
  assert.deepEqual(cost('{ accounts { reviews(first: 40) { id } } }'), cost('{ users { reviews(first: 40) { id } } }'));
  assert.deepEqual(
    cost('{ accounts { reviews(first: 1) { id } } }'),
    { cost: 3 * (1 + 10), problems: [] },
    'the largest declaration wins: Account.reviews has no @listSize, so defaultListSize',
  );
  assert.deepEqual(
    cost('{ node(id: "1") { id } }'),
    { cost: 6, problems: [] },
    'a field returning an interface weighs what its heaviest object type weighs: a Node may be a Badge',
  );
});

test('a @cost or @listSize on an interface field counts when the field is selected on an implementation', () => {
  assert.deepEqual(cost('{ robots { history(last: 50) { id } } }'), { cost: 3 * (1 + 50 * 2), problems: [] });
  assert.deepEqual(
    cost('{ robots { history { id } } }').problems,
    ['Field "Account.history" must be given exactly one of its slicing arguments: last.'],
    "the interface's requireOneSlicingArgument holds on Robot",
  );
  assert.deepEqual(cost('{ robots { history(last: 50) { id } } }'), cost('{ accounts { history(last: 50) { id } } }'));
});

test('the gateway refuses the same cost through the interface and on the concrete type, before any upstream call', async (t) => {
  const directives = await readFile(new URL('../src/composition/directives.graphql', import.meta.url), 'utf8');
  const resolveType = (value: { __typename: string }) => value.__typename;
  const users = [{ __typename: 'User', id: 'ada', email: 'ada@example.com', reviews: [], history: [], badge: null }];
  const executable = createSchema({
    typeDefs: `${directives}\n${sdl}`,
    resolvers: {
      Query: { accounts: () => users, users: () => users },
      Account: { __resolveType: resolveType },
      Node: { __resolveType: resolveType },
      Member: { __resolveType: resolveType },
    },
  });
  const service = await startFixtureServer(t, async (request, response) => {
    const { query, variables } = JSON.parse(request.body) as { query: string; variables?: Record<string, unknown> };
    json(response, 200, await graphql({ schema: executable, source: query, variableValues: variables ?? null }));
  });
  const gateway = await startTestGateway(t, { people: { kind: 'graphql', url: `${service.url}/graphql`, sdl } }, { limits: { maxCost: 100 } });

  for (const query of [
    '{ accounts { reviews(first: 40) { id } } }',
    '{ users { reviews(first: 40) { id } } }',
    '{ accounts { ... on User { reviews(first: 40) { id } } } }',
  ]) {
    const refused = await postGraphQL(gateway.endpoint, query);
    assert.deepEqual(
      [refused.status, refused.body.errors?.map((error) => error.message)],
      [400, ['Operation cost 123 exceeds limits.maxCost (100). Lists without @listSize or a slicing argument count as defaultListSize elements each.']],
      query,
    );
  }
  assert.equal(service.requests.length, 0);
  const allowed = await postGraphQL(gateway.endpoint, '{ accounts { email reviews(first: 20) { id } } }');
  assert.deepEqual(allowed.body, { data: { accounts: [{ email: 'ada@example.com', reviews: [] }] } }, 'cost 3 × (1 + 7 + 20) = 84');
});
