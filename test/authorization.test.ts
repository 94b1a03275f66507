import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import { graphql } from 'graphql';
import { createSchema } from 'graphql-yoga';
import type { AuthorizationPolicy } from '../src/security/authorization-config.ts';
import { cacheStatus } from './helpers/cached-catalog.ts';
import { postGraphQL, type ClientError } from './helpers/graphql-request.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { startTestGateway, type TestSource } from './helpers/start-test-gateway.ts';
import { notePolicies, notesSdl, startNotes, where } from './helpers/notes-gateway.ts';

const accountsSdl = /* GraphQL */ `
  type Account {
    id: ID!
    name: String!
    email: String! @authenticated
    balance: Float @requiresScopes(scopes: [["billing:read"], ["admin"]])
    notes: String @policy(policies: [["isOwner"]])
    ledger: [Entry!]! @requiresScopes(scopes: [["billing:read", "ledger:read"]])
  }
  type Entry @requiresScopes(scopes: [["ledger:read"]]) { amount: Float! }
  type Query {
    accounts: [Account!]!
    account(id: ID!): Account
    secret: String! @authenticated
  }
`;

const accounts = [
  { id: '1', name: 'Ada', email: 'ada@example.com', balance: 10, notes: 'vip', ledger: [{ amount: 1 }] },
  { id: '2', name: 'Bob', email: 'bob@example.com', balance: 20, notes: 'new', ledger: [] },
];

const keyOf = (name: string) => `key-of-${name}-0123456789abcdef`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function startAccounts(t: TestContext) {
  const directives = await readFile(new URL('../src/composition/directives.graphql', import.meta.url), 'utf8');
  const schema = createSchema({
    typeDefs: `${directives}\n${accountsSdl}`,
    resolvers: { Query: { accounts: () => accounts, account: () => accounts[0], secret: () => 's3cret' } },
  });
  const service = await startFixtureServer(t, async (request, response) => {
    const { query, variables } = JSON.parse(request.body) as { query: string; variables?: Record<string, unknown> };
    json(response, 200, await graphql({ schema, source: query, variableValues: variables ?? null }));
  });
  const source: TestSource = { kind: 'graphql', url: `${service.url}/graphql`, sdl: accountsSdl };
  const gateway = await startTestGateway(
    t,
    { accounts: source },
    {
      consumers: {
        reader: { keyHash: sha256(keyOf('reader')), scopes: ['billing:read'] },
        auditor: { keyHash: sha256(keyOf('auditor')), scopes: ['billing:read', 'ledger:read'] },
      },
      authorization: { policies: { isOwner: ({ consumer }: { consumer?: { id: string } }) => consumer?.id === 'auditor' } },
    },
  );
  const upstreamQueries = () => service.requests.map((request) => (JSON.parse(request.body) as { query: string }).query);
  return { gateway, upstreamQueries, service };
}

test('an anonymous caller gets null and UNAUTHENTICATED on protected fields; the service never sees them', async (t) => {
  const { gateway, upstreamQueries } = await startAccounts(t);

  const response = await postGraphQL(gateway.endpoint, '{ accounts { id name email balance } }');

  assert.equal(response.status, 200);
  assert.deepEqual(response.body.data, null, 'email, the list items and accounts are non-null: the null reaches the root');
  const errors = response.body.errors ?? [];
  assert.deepEqual(
    errors.map((error) => [error.path?.join('.'), error.extensions?.code]),
    [
      ['accounts.0.email', 'UNAUTHENTICATED'],
      ['accounts.1.email', 'UNAUTHENTICATED'],
    ],
    'once the null has reached the root, the other cut fields have nowhere to be',
  );
  assert.equal(errors[0]?.message, 'Reading Account.email needs an authenticated caller.');
  const [sent] = upstreamQueries();
  assert.ok(sent);
  assert.doesNotMatch(sent, /email|balance/, 'the removed fields never reach the service');
  assert.match(sent, /name/);
});

test('a nullable protected field becomes null in place and the rest of the query answers', async (t) => {
  const { gateway, upstreamQueries } = await startAccounts(t);

  const response = await postGraphQL(gateway.endpoint, '{ account(id: "1") { id name balance } }');

  assert.deepEqual(response.body.data, { account: { id: '1', name: 'Ada', balance: null } });
  assert.deepEqual(
    response.body.errors?.map((error) => error.path),
    [['account', 'balance']],
  );
  assert.doesNotMatch(upstreamQueries()[0] ?? '', /balance/);
});

test('a query of nothing but protected fields makes no upstream call', async (t) => {
  const { gateway, service } = await startAccounts(t);
  const response = await postGraphQL(gateway.endpoint, '{ secret }');
  assert.equal(response.body.data, null);
  assert.equal(response.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  assert.deepEqual(response.body.errors?.[0]?.path, ['secret']);
  assert.equal(service.requests.length, 0);
});

test('scopes: outer list OR, inner list AND; type-level requirements add up; FORBIDDEN names what is missing', async (t) => {
  const { gateway, upstreamQueries } = await startAccounts(t);

  const reader = await postGraphQL(gateway.endpoint, '{ account(id: "1") { email balance notes ledger { amount } } }', undefined, {
    'x-api-key': keyOf('reader'),
  });
  assert.deepEqual(reader.body.data, { account: null });
  assert.deepEqual(
    reader.body.errors?.map((error) => [error.path?.join('.'), error.extensions?.code, error.message]),
    [
      ['account.notes', 'FORBIDDEN', 'Reading Account.notes is not allowed by policy isOwner.'],
      ['account.ledger', 'FORBIDDEN', 'Reading Account.ledger needs the scope billing:read and ledger:read.'],
    ],
  );
  assert.doesNotMatch(upstreamQueries()[0] ?? '', /notes|ledger/);

  const auditor = await postGraphQL(gateway.endpoint, '{ account(id: "1") { email balance notes ledger { amount } } }', undefined, {
    'x-api-key': keyOf('auditor'),
  });
  assert.equal(auditor.body.errors, undefined);
  assert.deepEqual(auditor.body.data, { account: { email: 'ada@example.com', balance: 10, notes: 'vip', ledger: [{ amount: 1 }] } });
});

test('fragments and aliases are cut and answered at the right paths', async (t) => {
  const { gateway, upstreamQueries } = await startAccounts(t);
  const response = await postGraphQL(gateway.endpoint, 'query { first: account(id: "1") { ...F } } fragment F on Account { id money: balance }', undefined, {
    'x-api-key': keyOf('reader'),
  });
  assert.equal(response.body.errors, undefined);
  assert.deepEqual(response.body.data, { first: { id: '1', money: 10 } });
  const anonymous = await postGraphQL(gateway.endpoint, 'query { first: account(id: "1") { ...F } } fragment F on Account { id money: balance }');
  assert.deepEqual(anonymous.body.data, { first: { id: '1', money: null } });
  assert.deepEqual(anonymous.body.errors?.[0]?.path, ['first', 'money']);
  assert.doesNotMatch(upstreamQueries()[1] ?? '', /balance/);
});

test('a policy the schemas use but the config lacks stops start-up', async (t) => {
  await assert.rejects(
    startTestGateway(t, { accounts: { kind: 'graphql', url: 'http://127.0.0.1:9/graphql', sdl: accountsSdl } }),
    /config\.authorization\.policies\.isOwner: expected a function or object policy for @policy "isOwner" used in the registered schemas, found none/,
  );
});

test('an object policy decides from the arguments before any call when they tell, variables included', async (t) => {
  const { gateway, as, upstreamQueries } = await startNotes(t);

  const other = await postGraphQL(gateway.endpoint, 'query ($id: ID!) { account(id: $id) { name email } }', { id: 'ada' }, as('bob'));
  assert.deepEqual(other.body.data, { account: { name: 'Ada', email: null } });
  assert.deepEqual(where(other.body.errors), [['account.email', 'FORBIDDEN', 'Reading Account.email is not allowed by policy isSelf.']]);
  assert.doesNotMatch(upstreamQueries()[0] ?? '', /email|concierge__/, 'refused before the call: the service is not asked for it');

  const own = await postGraphQL(gateway.endpoint, '{ account(id: "ada") { name email } }', undefined, as('ada'));
  assert.deepEqual(own.body, { data: { account: { name: 'Ada', email: 'ada@example.com' } } });
  assert.doesNotMatch(upstreamQueries()[1] ?? '', /concierge__/, 'allowed before the call: nothing added');

  const anonymous = await postGraphQL(gateway.endpoint, '{ account(id: "ada") { email } }');
  assert.deepEqual(where(anonymous.body.errors), [['account.email', 'UNAUTHENTICATED', 'Reading Account.email is not allowed by policy isSelf.']]);

  const notesOfOther = await postGraphQL(gateway.endpoint, '{ account(id: "ada") { notes { text } } }', undefined, as('bob'));
  assert.deepEqual(notesOfOther.body.data, { account: { notes: null } }, 'a policy on a type, decided from where its objects come from');
  assert.deepEqual(where(notesOfOther.body.errors), [['account.notes', 'FORBIDDEN', 'Reading Account.notes is not allowed by policy ownsNote, or readsAll.']]);
  assert.doesNotMatch(upstreamQueries().at(-1) ?? '', /notes/);
  const ownNotes = await postGraphQL(gateway.endpoint, '{ account(id: "ada") { notes { text } } }', undefined, as('ada'));
  assert.deepEqual(ownNotes.body, { data: { account: { notes: [{ text: 'ada one' }, { text: 'ada two' }] } } });
  assert.doesNotMatch(upstreamQueries().at(-1) ?? '', /concierge__/);
});

test('an object policy on a field decides on the object it is selected on when the arguments cannot tell', async (t) => {
  const { gateway, as, upstreamQueries } = await startNotes(t);

  const response = await postGraphQL(gateway.endpoint, '{ accounts { name email } }', undefined, as('bob'));
  assert.deepEqual(
    response.body.data,
    {
      accounts: [
        { name: 'Ada', email: null },
        { name: 'Bob', email: 'bob@example.com' },
      ],
    },
    'no internal field in the answer',
  );
  assert.deepEqual(where(response.body.errors), [['accounts.0.email', 'FORBIDDEN', 'Reading Account.email is not allowed by policy isSelf.']]);
  assert.match(upstreamQueries()[0] ?? '', /concierge__policy0: ?id/, 'the field the policy requires, under an alias of the gateway');
});

test('an object policy on a type decides on each object returned; nulls propagate through non-null list items', async (t) => {
  const { gateway, as, upstreamQueries } = await startNotes(t);

  const response = await postGraphQL(gateway.endpoint, '{ note(id: "n1") { text } notes { id } feed { id } }', undefined, as('bob'));
  assert.deepEqual(response.body.data, { note: null, notes: null, feed: [null, { id: 'n2' }, null] });
  assert.deepEqual(where(response.body.errors), [
    ['note', 'FORBIDDEN', 'Reading this Note is not allowed by policy ownsNote, or readsAll.'],
    ['notes.0', 'FORBIDDEN', 'Reading this Note is not allowed by policy ownsNote, or readsAll.'],
    ['notes.2', 'FORBIDDEN', 'Reading this Note is not allowed by policy ownsNote, or readsAll.'],
    ['feed.0', 'FORBIDDEN', 'Reading this Note is not allowed by policy ownsNote, or readsAll.'],
    ['feed.2', 'FORBIDDEN', 'Reading this Note is not allowed by policy ownsNote, or readsAll.'],
  ]);

  const auditor = await postGraphQL(gateway.endpoint, '{ notes { id } }', undefined, as('auditor'));
  assert.deepEqual(auditor.body, { data: { notes: [{ id: 'n1' }, { id: 'n2' }, { id: 'n3' }] } }, 'readsAll, a function policy, allows before the call');
  assert.doesNotMatch(upstreamQueries()[1] ?? '', /concierge__/);

  const anonymous = await postGraphQL(gateway.endpoint, '{ note(id: "n1") { text } }');
  assert.deepEqual(anonymous.body.data, { note: null });
  assert.equal(anonymous.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
});

test("a client's aliases never collide with the gateway's, in fragments and inline fragments alike", async (t) => {
  const { gateway, as, upstreamQueries } = await startNotes(t);

  const response = await postGraphQL(
    gateway.endpoint,
    '{ accounts { concierge__policy0: name ...Contact } first: feed { ... on Note { concierge__policy1: text } } } fragment Contact on Account { mail: email }',
    undefined,
    as('ada'),
  );
  assert.deepEqual(response.body.data, {
    accounts: [
      { concierge__policy0: 'Ada', mail: 'ada@example.com' },
      { concierge__policy0: 'Bob', mail: null },
    ],
    first: [{ concierge__policy1: 'ada one' }, null, { concierge__policy1: 'ada two' }],
  });
  assert.deepEqual(
    where(response.body.errors).map(([path, code]) => [path, code]),
    [
      ['accounts.1.mail', 'FORBIDDEN'],
      ['first.1', 'FORBIDDEN'],
    ],
  );
  assert.match(upstreamQueries()[0] ?? '', /concierge__policy_0: ?id/, 'the internal prefix steps aside');
});

test('a cached answer is decided again for each request it answers', async (t) => {
  const revoked = new Set<string>();
  const { gateway, as, service } = await startNotes(t, { responseCache: { enabled: true }, authorization: { policies: notePolicies(revoked) } });
  const read = () => postGraphQL(gateway.endpoint, '{ note(id: "n1") { id text } }', undefined, as('ada'));

  const first = await read();
  assert.deepEqual(
    [cacheStatus(first), first.headers.get('cache-control')],
    ['MISS', 'private, max-age=60'],
    'a policy makes the answer PRIVATE: never shared between callers',
  );
  const second = await read();
  assert.deepEqual([cacheStatus(second), second.body], ['HIT', { data: { note: { id: 'n1', text: 'ada one' } } }], 'no internal field in a cached answer');
  const other = await postGraphQL(gateway.endpoint, '{ note(id: "n1") { id text } }', undefined, as('bob'));
  assert.deepEqual([cacheStatus(other), other.body.data], ['BYPASS', { note: null }], 'another caller: its own key, and a refusal is never stored');

  revoked.add('ada');
  const third = await read();
  assert.deepEqual([cacheStatus(third), third.body.data, third.body.errors?.[0]?.extensions?.code], ['HIT', { note: null }, 'FORBIDDEN']);
  assert.equal(service.requests.length, 2, 'ada once, bob once');
});

test('an object policy whose requires does not fit, or that would decide a mutation after it ran, stops start-up', async (t) => {
  const policies = { ...notePolicies(), ownsNote: { requires: '{ owner }', onResult: () => true } };
  await assert.rejects(startNotes(t, { authorization: { policies } }), (error: Error) => {
    assert.match(
      error.message,
      /config\.authorization\.policies\.ownsNote\.requires: expected a selection set of fields of Note \(@policy on type Note\), got "\{ owner \}": Cannot query field "owner" on type "Note"\./,
    );
    return true;
  });
  const onMutation = notesSdl.replace('touch(id: ID!): Note', 'touch(id: ID!): Note @policy(policies: [["isSelf"]])');
  await assert.rejects(
    startTestGateway(t, { notes: { kind: 'graphql', url: 'http://127.0.0.1:9/graphql', sdl: onMutation } }, { authorization: { policies: notePolicies() } }),
    /config\.authorization\.policies\.isSelf: @policy on Mutation\.touch would be decided on the result, after the mutation ran/,
  );
});
