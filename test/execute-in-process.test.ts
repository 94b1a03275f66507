import assert from 'node:assert/strict';
import { test } from 'node:test';
import DataLoader from 'dataloader';
import { GraphQLError, GraphQLScalarType, execute, parse, type ExecutionResult } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { executeInProcess } from '../src/sources/rest/execute-in-process.ts';

/**
 * The planner's executor for REST sources against graphql-js's own `execute`, over one schema with
 * sync and async resolvers, failures and nulls at every kind of position: the answers (data in
 * document order, errors by message, path and locations) must be the same, and DataLoader must see
 * one batch per level as it does under graphql-js.
 */

const typeDefs = /* GraphQL */ `
  scalar Even
  enum Status { OPEN CLOSED }
  interface Node { id: ID! }
  type User implements Node { id: ID! name: String! nick: String friends: [User!] best: User! status: Status even: Even }
  type Robot implements Node { id: ID! model: String }
  union Thing = User | Robot
  type Query {
    user(id: ID!): User
    users(ids: [ID!]!): [User]
    strict(ids: [ID!]!): [User!]!
    node(id: ID!): Node
    things: [Thing!]
    greeting(name: String = "world", times: Int): String
    failing: String
    failingStrict: String!
    nothing: [String!]!
  }
  type Mutation { add(n: Int!): Int! }
`;

function build(calls: { batches: string[][]; log: string[] }) {
  const people: Record<string, { id: string; name: string | null; nick?: string; friends?: string[]; status?: string; even?: number }> = {
    '1': { id: '1', name: 'Ada', nick: 'ada', friends: ['2', '3'], status: 'OPEN', even: 2 },
    '2': { id: '2', name: 'Bob', friends: ['1'], status: 'CLOSED', even: 3 },
    '3': { id: '3', name: null, friends: [] },
  };
  let total = 0;
  const schema = makeExecutableSchema({
    typeDefs,
    resolvers: {
      Even: new GraphQLScalarType({
        name: 'Even',
        serialize: (value) => {
          if (typeof value !== 'number' || value % 2 !== 0) throw new GraphQLError(`not even: ${String(value)}`);
          return value;
        },
      }),
      Node: { __resolveType: (value: { model?: string }) => (value.model ? 'Robot' : 'User') },
      Thing: { __resolveType: (value: { __typename?: string }) => value.__typename },
      Query: {
        user: (_: unknown, { id }: { id: string }, context: Context) => context.loader.load(id),
        users: (_: unknown, { ids }: { ids: string[] }, context: Context) => ids.map((id) => context.loader.load(id)),
        strict: async (_: unknown, { ids }: { ids: string[] }) => ids.map((id) => people[id] ?? null),
        node: (_: unknown, { id }: { id: string }) => (id.startsWith('r') ? { id, model: 'R2' } : people[id]),
        things: () => [
          { __typename: 'Robot', id: 'r1', model: 'C3' },
          { ...people['1'], __typename: 'User' },
        ],
        greeting: (_: unknown, { name, times }: { name: string; times?: number }) => `hello ${name}`.repeat(times ?? 1),
        failing: () => {
          throw new Error('boom');
        },
        failingStrict: async () => {
          throw new GraphQLError('strict boom', { extensions: { code: 'X' } });
        },
        nothing: () => ['a', null, 'c'],
      },
      User: {
        friends: (user: { friends?: string[] }, _: unknown, context: Context) => (user.friends ? context.loader.loadMany(user.friends) : null),
        best: (user: { id: string }) => (user.id === '2' ? null : people['1']),
      },
      Mutation: {
        add: async (_: unknown, { n }: { n: number }) => {
          calls.log.push(`add ${n}`);
          await new Promise((resolve) => setImmediate(resolve));
          total += n;
          return total;
        },
      },
    },
  });
  const context = (): Context => ({
    loader: new DataLoader(async (ids: readonly string[]) => {
      calls.batches.push([...ids]);
      return ids.map((id) => (id === '9' ? new Error(`no user ${id}`) : (people[id] ?? null)));
    }),
  });
  return { schema, context };
}

interface Context {
  loader: DataLoader<string, unknown>;
}

const operations: Array<[string, Record<string, unknown>?]> = [
  ['{ user(id: "1") { id name nick status even best { name } friends { id name friends { id } } } }'],
  ['{ user(id: "2") { id even } }'],
  ['{ user(id: "2") { id best { id } } }'],
  ['{ users(ids: ["1", "3", "9", "4"]) { id name } }'],
  ['{ strict(ids: ["1", "4"]) { id } }'],
  ['{ strict(ids: ["1", "3"]) { id name } greeting }'],
  [
    'query ($id: ID!, $skip: Boolean!) { a: user(id: $id) { ...F n: name @skip(if: $skip) } b: node(id: "r2") { id ... on Robot { model } __typename } }  fragment F on User { id nick @include(if: $skip) }',
    { id: '1', skip: true },
  ],
  [
    'query ($id: ID!, $skip: Boolean!) { a: user(id: $id) { ...F n: name @skip(if: $skip) } }  fragment F on User { id nick @include(if: $skip) }',
    { id: '2', skip: false },
  ],
  ['{ things { __typename ... on Node { id } ... on User { name } ... on Robot { model } } }'],
  ['{ greeting g2: greeting(name: "you", times: 2) failing }'],
  ['{ failingStrict greeting }'],
  ['{ nothing }'],
  ['query ($times: Int) { greeting(times: $times) }', { times: 'x' }],
  ['{ user(id: "1") { friends { best { friends { name } } } } }'],
  // `__proto__` is an alias like any other: an own key of the answer, never the object's prototype.
  ['{ user(id: "1") { __proto__: name id } __proto__: user(id: "2") { id name } }'],
  ['{ users(ids: ["1", "2"]) { __proto__: best { __proto__: id name } constructor: nick } }'],
  ['{ user(id: "1") { ...__proto__ } } fragment __proto__ on User { id __proto__: nick }'],
  ['mutation { __proto__: add(n: 1) toString: add(n: 2) }'],
];

function described(error: GraphQLError): string {
  return JSON.stringify({ message: error.message, path: error.path, locations: error.locations, code: error.extensions?.['code'] });
}

/** Whether an error's path runs into a null above its own position: a subtree graphql-js stops reporting in once nulled (the spec asks for every error). */
function insideNulled(data: unknown, path: readonly (string | number)[]): boolean {
  let at: unknown = data;
  for (const key of path.slice(0, -1)) {
    if (at === null) return true;
    at = (at as Record<string | number, unknown>)[key];
  }
  return at === null;
}

/** Same data in the same order; every graphql-js error, and extra ones only inside a subtree nulled by another. */
function assertSameAnswer(actual: ExecutionResult, expected: ExecutionResult, query: string): void {
  assert.equal(JSON.stringify(actual.data), JSON.stringify(expected.data), query);
  const ours = (actual.errors ?? []).map(described);
  const theirs = (expected.errors ?? []).map(described);
  for (const error of theirs) assert.ok(ours.includes(error), `${query}: missing ${error}`);
  for (const error of actual.errors ?? [])
    if (!theirs.includes(described(error))) assert.ok(insideNulled(actual.data, error.path ?? []), `${query}: extra ${described(error)}`);
}

test('answers equal graphql-js execute: data in order, errors by message, path and location, null bubbling at every position', async () => {
  for (const [query, variables = {}] of operations) {
    const document = parse(query);
    const reference = build({ batches: [], log: [] });
    const ours = build({ batches: [], log: [] });
    const expected = await execute({ schema: reference.schema, document, variableValues: variables, contextValue: reference.context() });
    const actual = await executeInProcess(ours.schema, document, variables, ours.context());
    assertSameAnswer(actual, expected, query);
  }
});

test('DataLoader sees the same batches, one per level, as under graphql-js', async () => {
  const query = parse('{ users(ids: ["2"]) { id friends { id friends { id name } } } a: user(id: "9") { id } }');
  const reference = { batches: [] as string[][], log: [] as string[] };
  const ours = { batches: [] as string[][], log: [] as string[] };
  const built = build(reference);
  await execute({ schema: built.schema, document: query, contextValue: built.context() });
  const mine = build(ours);
  await executeInProcess(mine.schema, query, {}, mine.context());
  assert.deepEqual(ours.batches, reference.batches);
  assert.equal(ours.batches.length, 3);
});

test('a mutation runs its root fields one after the other', async () => {
  const calls = { batches: [] as string[][], log: [] as string[] };
  const { schema, context } = build(calls);
  const result = await executeInProcess(schema, parse('mutation { a: add(n: 1) b: add(n: 2) c: add(n: 3) }'), {}, context());
  assert.deepEqual(result, { data: { a: 1, b: 3, c: 6 } });
  assert.deepEqual(calls.log, ['add 1', 'add 2', 'add 3']);
});

test('one document object run again and again (as a plan runs its fetch documents) answers each run by its own variables', async () => {
  // Collected fields are kept across runs of a document only when no @skip/@include reads a variable.
  const dynamic = parse('query ($id: ID!, $on: Boolean!) { user(id: $id) { id ...F n: name @skip(if: $on) } }  fragment F on User { nick @include(if: $on) }');
  const literal = parse('query ($id: ID!) { user(id: $id) { id n: name @skip(if: true) nick @include(if: true) } }');
  const ours = build({ batches: [], log: [] });
  for (const [document, variables] of [
    [dynamic, { id: '1', on: true }],
    [dynamic, { id: '1', on: false }],
    [dynamic, { id: '2', on: true }],
    [literal, { id: '1' }],
    [literal, { id: '2' }],
    [dynamic, { id: '2', on: false }],
  ] as const) {
    const reference = build({ batches: [], log: [] });
    const expected = await execute({ schema: reference.schema, document, variableValues: variables, contextValue: reference.context() });
    const actual = await executeInProcess(ours.schema, document, variables, ours.context());
    assertSameAnswer(actual, expected, `${JSON.stringify(variables)}`);
  }
});
