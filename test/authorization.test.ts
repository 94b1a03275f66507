import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { postGraphQL } from './helpers/graphql-request.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { startTestGateway, type TestSource } from './helpers/start-test-gateway.ts';

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
  const service = await startFixtureServer(t, (request, response) => {
    const { query } = JSON.parse(request.body) as { query: string };
    json(response, 200, { data: query.includes('secret') ? { secret: 's3cret' } : query.includes('account(') ? { account: accounts[0] } : { accounts } });
  });
  const source: TestSource = { kind: 'graphql', url: `${service.url}/graphql`, sdl: accountsSdl };
  const gateway = await startTestGateway(t, { accounts: source }, {
    consumers: {
      reader: { keyHash: sha256(keyOf('reader')), scopes: ['billing:read'] },
      auditor: { keyHash: sha256(keyOf('auditor')), scopes: ['billing:read', 'ledger:read'] },
    },
    authorization: { policies: { isOwner: ({ consumer }: { consumer?: { id: string } }) => consumer?.id === 'auditor' } },
  });
  const upstreamQueries = () => service.requests.map((request) => (JSON.parse(request.body) as { query: string }).query);
  return { gateway, upstreamQueries, service };
}

test('an anonymous caller gets null and UNAUTHENTICATED on protected fields; the service never sees them', async (t) => {
  const { gateway, upstreamQueries } = await startAccounts(t);

  const response = await postGraphQL(gateway.endpoint, '{ accounts { id name email balance } }');

  assert.equal(response.status, 200);
  assert.deepEqual(response.body.data, null, 'email, the list items and accounts are non-null: the null reaches the root');
  const errors = response.body.errors ?? [];
  assert.deepEqual(errors.map((error) => [error.path?.join('.'), error.extensions?.code]), [
    ['accounts.0.email', 'UNAUTHENTICATED'],
    ['accounts.1.email', 'UNAUTHENTICATED'],
  ], 'once the null has reached the root, the other cut fields have nowhere to be');
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
  assert.deepEqual(response.body.errors?.map((error) => error.path), [['account', 'balance']]);
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

  const reader = await postGraphQL(gateway.endpoint, '{ account(id: "1") { email balance notes ledger { amount } } }', undefined, { 'x-api-key': keyOf('reader') });
  assert.deepEqual(reader.body.data, { account: null });
  assert.deepEqual(reader.body.errors?.map((error) => [error.path?.join('.'), error.extensions?.code, error.message]), [
    ['account.notes', 'FORBIDDEN', 'Reading Account.notes is not allowed by policy isOwner.'],
    ['account.ledger', 'FORBIDDEN', 'Reading Account.ledger needs the scope billing:read and ledger:read.'],
  ]);
  assert.doesNotMatch(upstreamQueries()[0] ?? '', /notes|ledger/);

  const auditor = await postGraphQL(gateway.endpoint, '{ account(id: "1") { email balance notes ledger { amount } } }', undefined, { 'x-api-key': keyOf('auditor') });
  assert.equal(auditor.body.errors, undefined);
  assert.deepEqual(auditor.body.data, { account: { email: 'ada@example.com', balance: 10, notes: 'vip', ledger: [{ amount: 1 }] } });
});

test('fragments and aliases are cut and answered at the right paths', async (t) => {
  const { gateway, upstreamQueries } = await startAccounts(t);
  const response = await postGraphQL(gateway.endpoint, 'query { first: account(id: "1") { ...F } } fragment F on Account { id money: balance }', undefined, { 'x-api-key': keyOf('reader') });
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
    /config\.authorization\.policies\.isOwner: expected a function for @policy "isOwner" used in the registered schemas, found none/,
  );
});
