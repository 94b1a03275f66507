import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import { graphql } from 'graphql';
import { createSchema } from 'graphql-yoga';
import type { AuthorizationPolicy } from '../src/security/authorization-config.ts';
import { postGraphQL, type ClientError } from './helpers/graphql-request.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';

// Rules on implementations (User.email, User.phone, types Secret and Ticket) and on an interface
// field (Account.nickname), read through interfaces, unions and fragments on either.
const sdl = /* GraphQL */ `
  interface Node { id: ID! }
  interface Account implements Node {
    id: ID!
    name: String!
    email: String
    phone: String
    nickname: String @requiresScopes(scopes: [["profile:read"]])
  }
  type User implements Node & Account {
    id: ID!
    name: String!
    email: String @authenticated
    phone: String @policy(policies: [["isSelf"]])
    nickname: String
  }
  type Robot implements Node & Account {
    id: ID!
    name: String!
    email: String
    phone: String
    nickname: String
  }
  type Ticket implements Node @policy(policies: [["holdsTicket"]]) {
    id: ID!
    holderId: ID!
  }
  type Secret @authenticated { code: String! }
  interface Sealed @authenticated { seal: String! }
  type Vault implements Sealed { seal: String! }
  union SearchResult = User | Robot
  union Thing = Robot | Ticket
  union Anything = Robot | Secret
  type Query {
    node(id: ID!): Node
    accounts: [Account!]!
    search: [SearchResult!]!
    things: [Thing]!
    anything: [Anything!]
    vault: Vault
  }
`;

const records = [
  { __typename: 'User', id: 'ada', name: 'Ada', email: 'ada@example.com', phone: '111', nickname: 'ace' },
  { __typename: 'Robot', id: 'r2', name: 'R2', email: 'r2@example.com', phone: '000', nickname: 'beep' },
  { __typename: 'User', id: 'bob', name: 'Bob', email: 'bob@example.com', phone: '222', nickname: 'bobby' },
  { __typename: 'Ticket', id: 't1', holderId: 'ada' },
  { __typename: 'Ticket', id: 't2', holderId: 'bob' },
  { __typename: 'Secret', code: 'xyzzy' },
  { __typename: 'Vault', seal: 'wax' },
];
const byId = (id: string) => records.find((record) => 'id' in record && record.id === id);
const typed = (...types: string[]) => records.filter((record) => types.includes(record.__typename));

const policies: Record<string, AuthorizationPolicy> = {
  isSelf: { requires: '{ id }', onResult: ({ consumer, object }) => object['id'] === consumer?.id },
  holdsTicket: { requires: '{ holderId }', onResult: ({ consumer, object }) => object['holderId'] === consumer?.id },
};

const keyOf = (name: string) => `key-of-${name}-0123456789abcdef`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const as = (name: string) => ({ 'x-api-key': keyOf(name) });
const where = (errors: ClientError[] | undefined) => (errors ?? []).map((error) => [error.path?.join('.'), error.extensions?.code, error.message]);

async function start(t: TestContext, extra: Record<string, unknown> = {}) {
  const directives = await readFile(new URL('../src/composition/directives.graphql', import.meta.url), 'utf8');
  const resolveType = (value: { __typename: string }) => value.__typename;
  const schema = createSchema({
    typeDefs: `${directives}\n${sdl}`,
    resolvers: {
      Query: {
        node: (_: unknown, { id }: { id: string }) => byId(id),
        accounts: () => typed('User', 'Robot'),
        search: () => typed('User', 'Robot'),
        things: () => typed('Robot', 'Ticket'),
        anything: () => typed('Robot', 'Secret'),
        vault: () => typed('Vault')[0],
      },
      Node: { __resolveType: resolveType },
      Account: { __resolveType: resolveType },
      SearchResult: { __resolveType: resolveType },
      Thing: { __resolveType: resolveType },
      Anything: { __resolveType: resolveType },
    },
  });
  const service = await startFixtureServer(t, async (request, response) => {
    const { query, variables } = JSON.parse(request.body) as { query: string; variables?: Record<string, unknown> };
    json(response, 200, await graphql({ schema, source: query, variableValues: variables ?? null }));
  });
  const gateway = await startTestGateway(
    t,
    { people: { kind: 'graphql', url: `${service.url}/graphql`, sdl } },
    {
      consumers: {
        ada: { keyHash: sha256(keyOf('ada')), scopes: [] },
        bob: { keyHash: sha256(keyOf('bob')), scopes: [] },
        profiler: { keyHash: sha256(keyOf('profiler')), scopes: ['profile:read'] },
      },
      authorization: { policies },
      ...extra,
    },
  );
  const lastQuery = () => (JSON.parse(service.requests.at(-1)?.body ?? '{}') as { query?: string }).query ?? '';
  return { gateway, lastQuery, calls: () => service.requests.length };
}

test("a rule on an implementation's field applies when the field is selected on an interface, refusing the field as a whole", async (t) => {
  const { gateway, lastQuery } = await start(t);

  const one = await postGraphQL(gateway.endpoint, '{ node(id: "ada") { id ... on Account { email } } }');
  assert.deepEqual(one.body.data, { node: { id: 'ada', email: null } });
  assert.deepEqual(where(one.body.errors), [['node.email', 'UNAUTHENTICATED', 'Reading User.email needs an authenticated caller.']]);
  assert.doesNotMatch(lastQuery(), /email/, 'the service is never asked for it');

  const list = await postGraphQL(gateway.endpoint, '{ accounts { name email } }');
  assert.deepEqual(
    list.body.data,
    {
      accounts: [
        { name: 'Ada', email: null },
        { name: 'R2', email: null },
        { name: 'Bob', email: null },
      ],
    },
    "selected on Account, the field is refused for every Account, the Robot's too",
  );
  assert.deepEqual(
    where(list.body.errors).map(([path, code]) => [path, code]),
    [
      ['accounts.0.email', 'UNAUTHENTICATED'],
      ['accounts.1.email', 'UNAUTHENTICATED'],
      ['accounts.2.email', 'UNAUTHENTICATED'],
    ],
  );
  assert.doesNotMatch(lastQuery(), /email/);

  const robots = await postGraphQL(gateway.endpoint, '{ accounts { name ... on Robot { email } } }');
  assert.deepEqual(
    robots.body,
    { data: { accounts: [{ name: 'Ada' }, { name: 'R2', email: 'r2@example.com' }, { name: 'Bob' }] } },
    'selected on the unprotected type, it is allowed',
  );

  const caller = await postGraphQL(gateway.endpoint, '{ accounts { email } }', undefined, as('bob'));
  assert.deepEqual(caller.body, { data: { accounts: [{ email: 'ada@example.com' }, { email: 'r2@example.com' }, { email: 'bob@example.com' }] } });
});

test('named fragments on an interface, spread inside interface and union selections, are decided like the fields they hold', async (t) => {
  const { gateway, lastQuery } = await start(t);

  const response = await postGraphQL(
    gateway.endpoint,
    '{ node(id: "bob") { ...Contact } search { ... on Node { ...Contact } } } fragment Contact on Account { name email }',
  );
  assert.deepEqual(response.body.data, {
    node: { name: 'Bob', email: null },
    search: [
      { name: 'Ada', email: null },
      { name: 'R2', email: null },
      { name: 'Bob', email: null },
    ],
  });
  assert.deepEqual(
    where(response.body.errors).map(([path]) => path),
    ['node.email', 'search.0.email', 'search.1.email', 'search.2.email'],
  );
  assert.doesNotMatch(lastQuery(), /email/);
});

test('a rule on an interface field covers every implementation, selected in inline or named fragments on union members', async (t) => {
  const { gateway, lastQuery } = await start(t);
  const query = '{ search { ... on User { name nickname } ...RobotParts } } fragment RobotParts on Robot { name nickname }';

  const refused = await postGraphQL(gateway.endpoint, query, undefined, as('bob'));
  assert.deepEqual(refused.body.data, {
    search: [
      { name: 'Ada', nickname: null },
      { name: 'R2', nickname: null },
      { name: 'Bob', nickname: null },
    ],
  });
  assert.deepEqual(
    where(refused.body.errors),
    [
      ['search.0.nickname', 'FORBIDDEN', 'Reading Account.nickname needs the scope profile:read.'],
      ['search.2.nickname', 'FORBIDDEN', 'Reading Account.nickname needs the scope profile:read.'],
      ['search.1.nickname', 'FORBIDDEN', 'Reading Account.nickname needs the scope profile:read.'],
    ],
    'one error per object, from the fragment that selected it',
  );
  assert.doesNotMatch(lastQuery(), /nickname/);

  const allowed = await postGraphQL(gateway.endpoint, query, undefined, as('profiler'));
  assert.deepEqual(allowed.body, {
    data: {
      search: [
        { name: 'Ada', nickname: 'ace' },
        { name: 'R2', nickname: 'beep' },
        { name: 'Bob', nickname: 'bobby' },
      ],
    },
  });
});

test('a field cut from a fragment on one union member is null only on objects of that member', async (t) => {
  const { gateway } = await start(t);

  const response = await postGraphQL(gateway.endpoint, '{ search { ... on User { email } ... on Robot { name } } }');
  assert.deepEqual(
    response.body.data,
    { search: [{ email: null }, { name: 'R2' }, { email: null }] },
    'the Robot never selected email: no null, no error for it',
  );
  assert.deepEqual(
    where(response.body.errors).map(([path, code]) => [path, code]),
    [
      ['search.0.email', 'UNAUTHENTICATED'],
      ['search.2.email', 'UNAUTHENTICATED'],
    ],
  );

  const twice = await postGraphQL(gateway.endpoint, '{ node(id: "ada") { ... on User { email } ... on User { name email } } }');
  assert.deepEqual(twice.body.data, { node: { email: null, name: 'Ada' } });
  assert.deepEqual(
    where(twice.body.errors).map(([path]) => path),
    ['node.email'],
    'one field, one error',
  );
});

test("an object policy on an implementation's field decides each object of that type, and only those, through an interface", async (t) => {
  const { gateway, lastQuery } = await start(t);

  const list = await postGraphQL(gateway.endpoint, '{ accounts { name phone } }', undefined, as('ada'));
  assert.deepEqual(
    list.body.data,
    {
      accounts: [
        { name: 'Ada', phone: '111' },
        { name: 'R2', phone: '000' },
        { name: 'Bob', phone: null },
      ],
    },
    'no internal field in the answer',
  );
  assert.deepEqual(where(list.body.errors), [['accounts.2.phone', 'FORBIDDEN', 'Reading User.phone is not allowed by policy isSelf.']]);
  assert.match(lastQuery(), /concierge__policy\d+: ?id/, 'the policy reads the id, under an alias of the gateway');

  const union = await postGraphQL(gateway.endpoint, '{ search { ... on Account { phone } } }', undefined, as('bob'));
  assert.deepEqual(union.body.data, { search: [{ phone: null }, { phone: '000' }, { phone: '222' }] });
  assert.deepEqual(
    where(union.body.errors).map(([path]) => path),
    ['search.0.phone'],
  );
});

test('a rule on a type applies to it when a field returns it through a union or an interface, and a rule on an interface to its implementations', async (t) => {
  const { gateway, calls } = await start(t);

  const anonymous = await postGraphQL(gateway.endpoint, '{ anything { ... on Robot { name } ... on Secret { code } } }');
  assert.deepEqual(anonymous.body.data, { anything: null }, 'Anything can be a Secret: before the call, the field is refused as a whole');
  assert.deepEqual(where(anonymous.body.errors), [
    ['anything', 'UNAUTHENTICATED', 'Reading Query.anything, which can return Secret, needs an authenticated caller.'],
  ]);
  assert.equal(calls(), 0, 'no service is asked');
  const vault = await postGraphQL(gateway.endpoint, '{ vault { seal } }');
  assert.deepEqual(vault.body.data, { vault: null }, 'a rule on an interface applies to its implementations');
  assert.deepEqual(where(vault.body.errors), [['vault', 'UNAUTHENTICATED', 'Reading Query.vault, which can return Sealed, needs an authenticated caller.']]);
  const caller = await postGraphQL(gateway.endpoint, '{ anything { ... on Secret { code } } }', undefined, as('bob'));
  assert.deepEqual(caller.body, { data: { anything: [{}, { code: 'xyzzy' }] } });

  const things = await postGraphQL(gateway.endpoint, '{ things { ... on Robot { name } ... on Ticket { id } } }', undefined, as('ada'));
  assert.deepEqual(things.body.data, { things: [{ name: 'R2' }, { id: 't1' }, null] }, 'each Ticket decided on the result, the Robot not at all');
  assert.deepEqual(where(things.body.errors), [['things.2', 'FORBIDDEN', 'Reading this Ticket is not allowed by policy holdsTicket.']]);

  const node = await postGraphQL(
    gateway.endpoint,
    '{ other: node(id: "t2") { id } own: node(id: "t1") { id } user: node(id: "bob") { id } }',
    undefined,
    as('ada'),
  );
  assert.deepEqual(node.body.data, { other: null, own: { id: 't1' }, user: { id: 'bob' } });
  assert.deepEqual(
    where(node.body.errors).map(([path, code]) => [path, code]),
    [['other', 'FORBIDDEN']],
  );
});

test('a field rate limit on an implementation counts whichever type the field is selected on', async (t) => {
  const { gateway, lastQuery } = await start(t, { rateLimits: { fields: { 'User.email': { max: 1, window: '1m' } } } });

  const first = await postGraphQL(gateway.endpoint, '{ accounts { email } }', undefined, as('bob'));
  assert.equal(first.body.errors, undefined);
  const second = await postGraphQL(gateway.endpoint, '{ node(id: "ada") { ... on User { email } } }', undefined, as('bob'));
  assert.deepEqual(second.body.data, { node: { email: null } }, 'the read through Account counted');
  assert.deepEqual(
    where(second.body.errors).map(([path, code]) => [path, code]),
    [['node.email', 'RATE_LIMITED']],
  );
  const third = await postGraphQL(gateway.endpoint, '{ accounts { email } }', undefined, as('bob'));
  assert.deepEqual(
    where(third.body.errors).map(([path, code]) => [path, code]),
    [
      ['accounts.0.email', 'RATE_LIMITED'],
      ['accounts.1.email', 'RATE_LIMITED'],
      ['accounts.2.email', 'RATE_LIMITED'],
    ],
  );
  assert.doesNotMatch(lastQuery(), /email/);
});
