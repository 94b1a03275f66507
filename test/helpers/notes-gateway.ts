/** The notes fixture of the object-policy tests: a caller reads their own account's email and their own notes only. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { TestContext } from 'node:test';
import { graphql } from 'graphql';
import { createSchema } from 'graphql-yoga';
import type { AuthorizationPolicy } from '../../src/security/authorization-config.ts';
import type { ClientError } from './graphql-request.ts';
import { json, startFixtureServer } from './fixture-server.ts';
import { startTestGateway } from './start-test-gateway.ts';

const keyOf = (name: string) => `key-of-${name}-0123456789abcdef`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export const notesSdl = /* GraphQL */ `
  type Account {
    id: ID!
    name: String!
    email: String @policy(policies: [["isSelf"]])
    notes: [Note!]
  }
  type Note @policy(policies: [["ownsNote"], ["readsAll"]]) @cacheControl(maxAge: 60) {
    id: ID!
    text: String!
    ownerId: ID!
  }
  type Query {
    account(id: ID!): Account
    accounts: [Account!]!
    note(id: ID!): Note @cacheControl(maxAge: 60)
    "Nullable list of non-null items: one refused note nulls the list."
    notes: [Note!]
    "Non-null list of nullable items: a refused note is null in place."
    feed: [Note]!
  }
  type Mutation {
    touch(id: ID!): Note
  }
`;

const people = [
  { id: 'ada', name: 'Ada', email: 'ada@example.com' },
  { id: 'bob', name: 'Bob', email: 'bob@example.com' },
];
const notes = [
  { id: 'n1', text: 'ada one', ownerId: 'ada' },
  { id: 'n2', text: 'bob one', ownerId: 'bob' },
  { id: 'n3', text: 'ada two', ownerId: 'ada' },
];

/** Decide from `account(id:)` when it can (an account's email, its notes), else on the account or note. */
export function notePolicies(revoked: ReadonlySet<string> = new Set()): Record<string, AuthorizationPolicy> {
  return {
    isSelf: {
      beforeCall: ({ consumer, objectFrom }) => (objectFrom?.coordinate === 'Query.account' ? objectFrom.args['id'] === consumer?.id : undefined),
      requires: '{ id }',
      onResult: ({ consumer, object }) => object['id'] === consumer?.id,
    },
    ownsNote: {
      beforeCall: ({ consumer, objectFrom }) =>
        objectFrom?.coordinate === 'Account.notes' && objectFrom.parent?.coordinate === 'Query.account'
          ? objectFrom.parent.args['id'] === consumer?.id
          : undefined,
      requires: '{ ownerId }',
      onResult: ({ consumer, object }) => consumer !== undefined && object['ownerId'] === consumer.id && !revoked.has(consumer.id),
    },
    readsAll: ({ consumer }) => consumer?.scopes.includes('notes:any') ?? false,
  };
}

export async function startNotes(t: TestContext, extra: Record<string, unknown> = {}) {
  const directives = await readFile(new URL('../../src/composition/directives.graphql', import.meta.url), 'utf8');
  const schema = createSchema({
    typeDefs: `${directives}\n${notesSdl}`,
    resolvers: {
      Query: {
        account: (_: unknown, { id }: { id: string }) => people.find((person) => person.id === id) ?? null,
        accounts: () => people,
        note: (_: unknown, { id }: { id: string }) => notes.find((note) => note.id === id) ?? null,
        notes: () => notes,
        feed: () => notes,
      },
      Account: { notes: ({ id }: { id: string }) => notes.filter((note) => note.ownerId === id) },
      Mutation: { touch: (_: unknown, { id }: { id: string }) => notes.find((note) => note.id === id) ?? null },
    },
  });
  const service = await startFixtureServer(t, async (request, response) => {
    const { query, variables } = JSON.parse(request.body) as { query: string; variables?: Record<string, unknown> };
    json(response, 200, await graphql({ schema, source: query, variableValues: variables ?? null }));
  });
  const gateway = await startTestGateway(
    t,
    { notes: { kind: 'graphql', url: `${service.url}/graphql`, sdl: notesSdl } },
    {
      consumers: {
        ada: { keyHash: sha256(keyOf('ada')), scopes: [] },
        bob: { keyHash: sha256(keyOf('bob')), scopes: [] },
        auditor: { keyHash: sha256(keyOf('auditor')), scopes: ['notes:any'] },
      },
      authorization: { policies: notePolicies() },
      ...extra,
    },
  );
  const as = (name: string) => ({ 'x-api-key': keyOf(name) });
  const upstreamQueries = () => service.requests.map((request) => (JSON.parse(request.body) as { query: string }).query);
  return { gateway, service, as, upstreamQueries };
}

/** Each error's path, code and message. */
export const where = (errors: ClientError[] | undefined) => (errors ?? []).map((error) => [error.path?.join('.'), error.extensions?.code, error.message]);
