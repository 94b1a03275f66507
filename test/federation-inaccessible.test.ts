import assert from 'node:assert/strict';
import { test } from 'node:test';
import { link, type Reference } from './helpers/federation-subgraph.ts';
import { errorsOf, startFederation } from './helpers/federation-gateways.ts';
import { postGraphQL } from './helpers/graphql-request.ts';

/**
 * `@inaccessible` types and enum values a subgraph still returns: the client never sees them. An
 * object of a hidden type where an interface or union is expected is null with graphql-js's error
 * at its path (the list item, or the nearest nullable parent), as graphql-js answers executing
 * against the API schema; a hidden enum value likewise.
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
      type Query { node(id: ID!): Node things: [Thing] strictThings: [Thing!] level: Level! levels: [Level!] }`,
    resolvers: {
      Query: {
        node: (_: unknown, { id }: { id: string }) => things.find((thing) => thing.id === id),
        things: () => things,
        strictThings: () => things,
        level: () => 'SECRET',
        levels: () => ['LOW', 'SECRET'],
      },
      Node: { __resolveType: (value: Reference) => value.__typename },
      Thing: { __resolveType: (value: Reference) => value.__typename },
    },
  },
};

test('an object of an @inaccessible type in an interface position is null with an error at its path', async (t) => {
  const gateways = await startFederation(t, vault, { stitched: true });
  const query = '{ node(id: "s1") { __typename id ... on User { name } } }';
  const { body, calls } = await gateways.ask(query);
  assert.deepEqual(body.data, { node: null });
  assert.deepEqual(errorsOf(body), [[['node'], 'INTERNAL_SERVER_ERROR', undefined]]);
  assert.equal(body.errors?.[0]?.message, 'Abstract type "Node" was resolved to a type "Secret" that does not exist inside the schema.');
  assert.deepEqual(calls, { vault: 1 });
  // Stitching (the fallback) hides the object too, but silently: no error.
  assert.deepEqual((await postGraphQL(gateways.stitched?.endpoint as string, query)).body, { data: { node: null } });
});

test('an object of an @inaccessible type in a union list: that item is null with an error, the others keep their data', async (t) => {
  const gateways = await startFederation(t, vault);
  const { body } = await gateways.ask('{ things { __typename ... on User { id name } } }');
  assert.deepEqual(body.data, { things: [{ __typename: 'User', id: 'u1', name: 'Ada' }, null] });
  assert.deepEqual(errorsOf(body), [[['things', 1], 'INTERNAL_SERVER_ERROR', undefined]]);
  assert.doesNotMatch(JSON.stringify(body), /hunter2|s1/);
});

test('an object of an @inaccessible type at a non-null list item nulls the list, the nearest nullable parent', async (t) => {
  const gateways = await startFederation(t, vault);
  const { body } = await gateways.ask('{ strictThings { ... on User { id } } }');
  assert.deepEqual(body.data, { strictThings: null });
  assert.deepEqual(errorsOf(body), [[['strictThings', 1], 'INTERNAL_SERVER_ERROR', undefined]]);
});

test('an @inaccessible enum value at a non-null position nulls the nearest nullable parent, with the error at its own path', async (t) => {
  const gateways = await startFederation(t, vault, { stitched: true });
  const query = '{ levels node(id: "u1") { id } }';
  const { body } = await gateways.ask(query);
  assert.deepEqual(body.data, { levels: null, node: { id: 'u1' } });
  assert.deepEqual(errorsOf(body), [[['levels', 1], 'INTERNAL_SERVER_ERROR', undefined]]);
  assert.equal(body.errors?.[0]?.message, 'Enum "Level" cannot represent value: "SECRET"');
  const stitched = (await postGraphQL(gateways.stitched?.endpoint as string, query)).body;
  assert.deepEqual([stitched.data, errorsOf(stitched)], [body.data, errorsOf(body)], 'stitching answers the same (its message masked)');
  const root = await gateways.ask('{ level }');
  assert.deepEqual(root.body.data, null);
  assert.deepEqual(errorsOf(root.body), [[['level'], 'INTERNAL_SERVER_ERROR', undefined]]);
});
