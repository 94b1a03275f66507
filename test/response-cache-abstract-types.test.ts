import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import { graphql, parse } from 'graphql';
import { createSchema } from 'graphql-yoga';
import { collectCacheHints } from '../src/response-cache/cache-hints.ts';
import { computeCachePolicy, type CallerRules } from '../src/response-cache/cache-policy.ts';
import { buildSourceSchema, compositionDirectives } from '../src/sources/build-source-schema.ts';
import type { LoadedSource } from '../src/sources/loaded-source.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { postGraphQL, type GraphQLResponse } from './helpers/graphql-request.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';

// Hints and rules on implementations (User.name, User.email, User.phone, User.nickname) and on a
// union member (Ticket), read through the interface Account and the union Thing.
const sdl = /* GraphQL */ `
  interface Node { id: ID! }
  interface Account implements Node {
    id: ID!
    name: String!
    email: String
    phone: String
    nickname: String
  }
  type User implements Node & Account {
    id: ID!
    name: String! @cacheControl(scope: PRIVATE)
    email: String @cacheControl(maxAge: 10)
    phone: String @policy(policies: [["isStaff"]])
    nickname: String @requiresScopes(scopes: [["profile:read"]])
  }
  type Robot implements Node & Account {
    id: ID!
    name: String!
    email: String
    phone: String
    nickname: String
    ticket: Ticket @cacheControl(inheritMaxAge: true)
  }
  type Ticket @cacheControl(maxAge: 5) { id: ID! }
  union Thing @cacheControl(maxAge: 60) = Robot | Ticket
  type Query {
    accounts: [Account!]! @cacheControl(maxAge: 60)
    robots: [Robot!]! @cacheControl(maxAge: 60)
    things: [Thing!]!
  }
`;

const records = [
  { __typename: 'User', id: 'ada', name: 'Ada', email: 'ada@example.com', phone: '111', nickname: 'ace' },
  { __typename: 'Robot', id: 'r2', name: 'R2', email: 'r2@example.com', phone: '000', nickname: 'beep' },
  { __typename: 'Ticket', id: 't1' },
];
const typed = (...types: string[]) => records.filter((record) => types.includes(record.__typename));

const keyOf = (name: string) => `key-of-${name}-0123456789abcdef`;
const as = (name: string) => ({ 'x-api-key': keyOf(name) });
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const summary = (response: GraphQLResponse) => [response.headers.get('x-cache'), response.headers.get('cache-control')];

/**
 * A GraphQL service whose `User.name` says who asked (the gateway forwards the consumer), so an
 * answer served to the wrong caller shows; and a caching gateway in front of it.
 */
async function start(t: TestContext) {
  const directives = await readFile(new URL('../src/composition/directives.graphql', import.meta.url), 'utf8');
  const resolveType = (value: { __typename: string }) => value.__typename;
  const schema = createSchema<{ consumer: string }>({
    typeDefs: `${directives}\n${sdl}`,
    resolvers: {
      Query: { accounts: () => typed('User', 'Robot'), robots: () => typed('Robot'), things: () => typed('Robot', 'Ticket') },
      User: { name: (user: { name: string }, _: unknown, { consumer }: { consumer: string }) => `${user.name}, as seen by ${consumer}` },
      Account: { __resolveType: resolveType },
      Node: { __resolveType: resolveType },
      Thing: { __resolveType: resolveType },
    },
  });
  const service = await startFixtureServer(t, async (request, response) => {
    const { query, variables } = JSON.parse(request.body) as { query: string; variables?: Record<string, unknown> };
    const consumer = String(request.headers['x-consumer'] ?? 'nobody');
    json(response, 200, await graphql({ schema, source: query, variableValues: variables ?? null, contextValue: { consumer } }));
  });
  const consumers = Object.fromEntries(
    ['a', 'b', 'staff', 'profiler', 'reader'].map((name) => [
      name,
      { keyHash: sha256(keyOf(name)), scopes: name === 'profiler' || name === 'reader' ? ['profile:read'] : [] },
    ]),
  );
  const gateway = await startTestGateway(
    t,
    { people: { kind: 'graphql', url: `${service.url}/graphql`, sdl } },
    {
      consumers,
      identity: { headers: { 'x-consumer': 'consumer' } },
      authorization: { policies: { isStaff: ({ consumer }: { consumer?: { id: string } }) => consumer?.id === 'staff' } },
      responseCache: { enabled: true },
    },
  );
  const query = (text: string, caller?: string) => postGraphQL(gateway.endpoint, text, undefined, caller ? as(caller) : {});
  return { query, calls: () => service.requests.length };
}

test("a PRIVATE hint on an implementation's field applies when it is read through the interface: no shared entry, a private header", async (t) => {
  const { query, calls } = await start(t);

  const a = await query('{ accounts { name } }', 'a');
  assert.deepEqual(a.body, { data: { accounts: [{ name: 'Ada, as seen by a' }, { name: 'R2' }] } });
  assert.deepEqual(summary(a), ['MISS', 'private, max-age=60'], 'a User may come back, and its name is PRIVATE');
  const b = await query('{ accounts { name } }', 'b');
  assert.deepEqual([b.body.data?.accounts[0], ...summary(b)], [{ name: 'Ada, as seen by b' }, 'MISS', 'private, max-age=60'], "b never gets a's entry");
  const anonymous = await query('{ accounts { name } }');
  assert.deepEqual(summary(anonymous), ['BYPASS', 'no-store'], 'no PRIVATE entry for a caller without an identity');
  const fragment = await query('{ accounts { ...Named } } fragment Named on Account { name }', 'b');
  assert.deepEqual(summary(fragment), ['MISS', 'private, max-age=60'], 'the same through a named fragment on the interface');
  assert.equal(calls(), 4);

  const robots = await query('{ robots { name } }', 'a');
  assert.deepEqual(summary(robots), ['MISS', 'public, max-age=60'], 'a Robot is never a User: its name stays PUBLIC');
  assert.deepEqual(summary(await query('{ robots { name } }', 'b')), ['HIT', 'public, max-age=60']);
  assert.deepEqual(summary(await query('{ accounts { id } }', 'a')), ['MISS', 'public, max-age=60'], 'fields without the hint stay shared');
  assert.deepEqual(summary(await query('{ accounts { id } }', 'b')), ['HIT', 'public, max-age=60']);
});

test("a maxAge on an implementation's field lowers the answer's max-age when it is selected through the interface", async (t) => {
  const { query } = await start(t);

  assert.deepEqual(summary(await query('{ accounts { id email } }')), ['MISS', 'public, max-age=10']);
  assert.deepEqual(
    summary(await query('{ accounts { ... on Node { ... on Account { email } } } }')),
    ['MISS', 'public, max-age=10'],
    'through nested fragments on interfaces',
  );
  assert.deepEqual(summary(await query('{ robots { email } }')), ['MISS', 'public, max-age=60'], 'Robot.email has no hint');
});

test('a type hint on a union member applies to a field returning the union, even when the union has a longer hint of its own', async (t) => {
  const { query } = await start(t);

  const things = await query('{ things { ... on Robot { id } } }');
  assert.deepEqual(things.body, { data: { things: [{ id: 'r2' }, {}] } }, 'the Ticket is in the answer, whatever the fragments select');
  assert.deepEqual(summary(things), ['MISS', 'public, max-age=5']);
});

test("authorization rules on an implementation's fields, read through the interface, keep the answer out of shared HTTP caches", async (t) => {
  const { query } = await start(t);

  const staff = await query('{ accounts { id phone } }', 'staff');
  assert.deepEqual(staff.body, {
    data: {
      accounts: [
        { id: 'ada', phone: '111' },
        { id: 'r2', phone: '000' },
      ],
    },
  });
  assert.deepEqual(summary(staff), ['MISS', 'private, max-age=60'], 'a @policy may answer any two callers differently: PRIVATE');
  assert.deepEqual(summary(await query('{ accounts { id phone } }', 'b')), ['BYPASS', 'no-store'], 'refused for b: an error, never cached');

  const profiler = await query('{ accounts { nickname } }', 'profiler');
  assert.deepEqual(profiler.body, { data: { accounts: [{ nickname: 'ace' }, { nickname: 'beep' }] } });
  assert.deepEqual(summary(profiler), ['MISS', 'private, max-age=60'], 'granted by scope: shared by the gateway among the same scopes, private to HTTP caches');
  assert.deepEqual(summary(await query('{ accounts { nickname } }', 'reader')), ['HIT', 'private, max-age=60'], 'reader has the same scopes');
});

// The policy alone, from the document: the hints and rules of every declaration, in both directions.
const schema = buildSourceSchema(sdl, 'people.graphql', [compositionDirectives]);
const source = { name: 'people', subschema: { schema } } as unknown as LoadedSource;
const noRules: CallerRules = { byStanding: () => false, byPolicy: () => false };
function policyOf(query: string, rules = noRules, ttlPerCoordinate: Record<string, number> = {}) {
  const { hints } = collectCacheHints([source], { ttlPerType: new Map(), ttlPerCoordinate: new Map(Object.entries(ttlPerCoordinate)) });
  return computeCachePolicy(schema, parse(query), undefined, hints, 0, rules);
}

test('the policy reads the hints and rules of every declaration of a field, and of every object type a field may return', () => {
  assert.deepEqual(
    policyOf('{ accounts { ... on Robot { name } ... on User { id } } }'),
    { maxAge: 60, scope: 'PUBLIC', callerDependent: false },
    'spelled on the types: only User.name is PRIVATE',
  );
  assert.equal(policyOf('{ accounts { name } }').scope, 'PRIVATE');
  assert.equal(policyOf('{ robots { email } }', noRules, { 'Account.email': 3 }).maxAge, 3, "a hint on the interface's field applies on an implementation");
  const interfaceRules: CallerRules = { byStanding: (coordinate) => coordinate === 'Account.email', byPolicy: (coordinate) => coordinate === 'Account.phone' };
  assert.deepEqual(
    policyOf('{ robots { email phone } }', interfaceRules),
    { maxAge: 60, scope: 'PRIVATE', callerDependent: true },
    "a rule on the interface's field applies on an implementation",
  );
  const typeRules: CallerRules = { byStanding: (_, type) => type.name === 'Ticket', byPolicy: () => false };
  assert.equal(
    policyOf('{ things { ... on Robot { id } } }', typeRules).callerDependent,
    true,
    'a rule on a union member applies to a field returning the union',
  );
  assert.equal(policyOf('{ robots { ticket { id } } }').maxAge, 5, "as in Apollo, inheritMaxAge on a field gives way to its type's maxAge");
  assert.equal(
    policyOf('{ robots { id } }', { byStanding: () => false, byPolicy: (_, type) => type.name === 'Account' }).scope,
    'PRIVATE',
    'a rule on an interface applies to a field returning an implementation',
  );
});
