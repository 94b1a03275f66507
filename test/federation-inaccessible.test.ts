import assert from 'node:assert/strict';
import { test } from 'node:test';
import { link, type Reference } from './helpers/federation-subgraph.ts';
import { errorsOf, startFederation } from './helpers/federation-gateways.ts';
import { postGraphQL } from './helpers/graphql-request.ts';

/**
 * `@inaccessible` types and enum values a subgraph still returns: the client never sees them. An
 * object of a hidden type where an interface or union is expected, and a hidden enum value, are
 * answered as if the subgraph had sent null: silently where null is allowed, with the usual
 * "Cannot return null" error at the position where it is not (the null then reaching the nearest
 * nullable parent). That is how Apollo's gateway and router answer them, and what the federation
 * gateway audit expects (its enum-intersection, simple-inaccessible and requires-with-fragments cases).
 */

const things = [
  { __typename: 'User', id: 'u1', name: 'Ada' },
  { __typename: 'Secret', id: 's1', code: 'hunter2' },
];

const vault = {
  vault: {
    sdl: `${link('inaccessible')}
      interface Node { id: ID! }
      type User implements Node { id: ID! name: String }
      type Secret implements Node @inaccessible { id: ID! code: String }
      union Thing = User | Secret
      enum Level { LOW HIGH SECRET @inaccessible }
      type Query { node(id: ID!): Node things: [Thing] strictThings: [Thing!] level: Level! levels: [Level!] maybeLevel: Level maybeLevels: [Level] }`,
    resolvers: {
      Query: {
        node: (_: unknown, { id }: { id: string }) => things.find((thing) => thing.id === id),
        things: () => things,
        strictThings: () => things,
        level: () => 'SECRET',
        levels: () => ['LOW', 'SECRET'],
        maybeLevel: () => 'SECRET',
        maybeLevels: () => ['SECRET', 'HIGH'],
      },
      Node: { __resolveType: (value: Reference) => value.__typename },
      Thing: { __resolveType: (value: Reference) => value.__typename },
    },
  },
};

test('an object of an @inaccessible type in an interface position is null, without an error, as stitching answers it', async (t) => {
  const gateways = await startFederation(t, vault, { stitched: true });
  const query = '{ node(id: "s1") { __typename id ... on User { name } } }';
  const { body, calls } = await gateways.ask(query);
  assert.deepEqual(body, { data: { node: null } });
  assert.deepEqual(calls, { vault: 1 });
  assert.deepEqual((await postGraphQL(gateways.stitched?.endpoint as string, query)).body, { data: { node: null } });
});

test('an object of an @inaccessible type in a union list: that item is null, the others keep their data', async (t) => {
  const gateways = await startFederation(t, vault);
  const { body } = await gateways.ask('{ things { __typename ... on User { id name } } }');
  assert.deepEqual(body, { data: { things: [{ __typename: 'User', id: 'u1', name: 'Ada' }, null] } });
  assert.doesNotMatch(JSON.stringify(body), /hunter2|s1/);
});

test('an object of an @inaccessible type at a non-null list item nulls the list, with the null error at the item', async (t) => {
  const gateways = await startFederation(t, vault);
  const { body } = await gateways.ask('{ strictThings { ... on User { id } } }');
  assert.deepEqual(body.data, { strictThings: null });
  assert.deepEqual(errorsOf(body), [[['strictThings', 1], 'INTERNAL_SERVER_ERROR', undefined]]);
  assert.equal(body.errors?.[0]?.message, 'Cannot return null for non-nullable field Query.strictThings.');
  assert.doesNotMatch(JSON.stringify(body), /hunter2/);
});

test('an @inaccessible enum value is null where null is allowed, without an error', async (t) => {
  const gateways = await startFederation(t, vault);
  const { body } = await gateways.ask('{ maybeLevel maybeLevels }');
  assert.deepEqual(body, { data: { maybeLevel: null, maybeLevels: [null, 'HIGH'] } });
});

test('an @inaccessible enum value at a non-null position nulls the nearest nullable parent, with the null error at its own path', async (t) => {
  const gateways = await startFederation(t, vault);
  const query = '{ levels node(id: "u1") { id } }';
  const { body } = await gateways.ask(query);
  assert.deepEqual(body.data, { levels: null, node: { id: 'u1' } });
  assert.deepEqual(errorsOf(body), [[['levels', 1], 'INTERNAL_SERVER_ERROR', undefined]]);
  assert.equal(body.errors?.[0]?.message, 'Cannot return null for non-nullable field Query.levels.');
  const root = await gateways.ask('{ level }');
  assert.deepEqual(root.body.data, null);
  assert.deepEqual(errorsOf(root.body), [[['level'], 'INTERNAL_SERVER_ERROR', undefined]]);
});
