import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { listenUntilTestEnds } from './helpers/fixture-server.ts';
import { test, type TestContext } from 'node:test';
import { createSchema, createYoga } from 'graphql-yoga';
import { startUsersService } from '../examples/ecommerce/users-service.ts';
import { startGateway } from '../src/server/start-gateway.ts';
import { SchemaError } from '../src/sources/schema-error.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { startTestGateway, writeTestConfig } from './helpers/start-test-gateway.ts';

const reviewsSdl = /* GraphQL */ `
  directive @key(selectionSet: String!) on OBJECT
  directive @merge(keyField: String) on FIELD_DEFINITION
  type User @key(selectionSet: "{ id }") { id: ID! reviews: [String!]! }
  type Query {
    reviewUsers(ids: [ID!]!): [User]! @merge(keyField: "id")
    _sdl: String!
  }
`;

/** A GraphQL service that publishes its SDL, merge directives included, at `_sdl`. */
async function startReviewsService(t: TestContext): Promise<string> {
  const yoga = createYoga({
    logging: false,
    schema: createSchema({
      typeDefs: reviewsSdl,
      resolvers: {
        Query: {
          _sdl: () => reviewsSdl,
          reviewUsers: (_: unknown, { ids }: { ids: string[] }) => ids.map((id) => ({ id, reviews: [`review of user ${id}`] })),
        },
      },
    }),
  });
  const server = createServer(yoga);
  return `http://127.0.0.1:${await listenUntilTestEnds(t, server)}/graphql`;
}

test('a GraphQL service introspected at start-up answers through the gateway', async (t) => {
  const users = await startUsersService({ port: 0 });
  t.after(() => users.close());
  const gateway = await startTestGateway(t, { users: { kind: 'graphql', url: `${users.url}/graphql`, schemaFrom: 'introspection', sdl: '' } });
  const response = await postGraphQL(gateway.endpoint, '{ user(id: "4") { id name } }');
  assert.equal(response.body.data?.user?.id, '4');
  assert.ok(response.body.data?.user?.name);
});

test("an introspected service's _sdl keeps its merge directives, so its fields merge onto another service's type", async (t) => {
  const users = await startUsersService({ port: 0 });
  t.after(() => users.close());
  const reviewsUrl = await startReviewsService(t);
  const { readFile } = await import('node:fs/promises');
  const usersSdl = await readFile(new URL('../schemas/users.graphql', import.meta.url), 'utf8');
  const gateway = await startTestGateway(
    t,
    {
      users: { kind: 'graphql', url: `${users.url}/graphql`, sdl: usersSdl },
      reviews: { kind: 'graphql', url: reviewsUrl, schemaFrom: 'introspection', sdl: '' },
    },
    { authorization: { policies: { isSelf: () => false, readsAnyUser: () => false } } },
  );
  const response = await postGraphQL(gateway.endpoint, '{ user(id: "7") { id name reviews } }');
  assert.equal(response.body.errors, undefined);
  assert.deepEqual(response.body.data?.user?.reviews, ['review of user 7']);
});

test('introspection of a service that is down stops start-up with the source named', async (t) => {
  const { config } = await writeTestConfig(t, { users: { kind: 'graphql', url: 'http://127.0.0.1:9/graphql', schemaFrom: 'introspection', sdl: '' } });
  await assert.rejects(startGateway(config), (error: unknown) => {
    assert.ok(error instanceof SchemaError);
    assert.deepEqual(error.problems, ['sources.users: introspection of the service failed: Service "users" could not be reached.']);
    return true;
  });
});
