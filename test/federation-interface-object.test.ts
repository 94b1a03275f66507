import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GraphQLError } from 'graphql';
import { mediaSubgraphs } from './helpers/federation-media-subgraphs.ts';
import { link, type SubgraphOptions } from './helpers/federation-subgraph.ts';
import { errorsOf, startFederation } from './helpers/federation-gateways.ts';
import { postGraphQL } from './helpers/graphql-request.ts';

/**
 * `@interfaceObject` (Federation 2.3): `ratings` adds fields to the entity interface `Media` without
 * knowing its implementations. The planner sends it objects represented as `Media`, and asks `media`
 * (which defines the interface with a `@key`) for the concrete `__typename` of the objects `ratings`
 * returns, only when the selection depends on it. Answers are compared with stitching's, which
 * executed these operations before the planner planned them.
 */

const start = (t: import('node:test').TestContext) => startFederation(t, mediaSubgraphs, { stitched: true });

async function stitchedAnswer(gateways: Awaited<ReturnType<typeof start>>, query: string) {
  return (await postGraphQL(gateways.stitched?.endpoint as string, query)).body;
}

test('fields of the @interfaceObject on the interface and on each implementation: one call to each subgraph, representations typed as the interface', async (t) => {
  const gateways = await start(t);
  const query = '{ library { __typename id rating ... on Book { author rating } ... on Movie { director } } }';
  const { body, calls } = await gateways.ask(query);
  assert.deepEqual(body, {
    data: {
      library: [
        { __typename: 'Book', id: 'm1', rating: 5, author: 'Herbert' },
        { __typename: 'Movie', id: 'm2', rating: 4, director: 'Scott' },
        { __typename: 'Book', id: 'm3', rating: 3, author: 'Austen' },
      ],
    },
  });
  assert.deepEqual(calls, { media: 1, ratings: 1 });
  assert.deepEqual(gateways.servers['ratings']?.representations(), [
    [
      { __typename: 'Media', id: 'm1' },
      { __typename: 'Media', id: 'm2' },
      { __typename: 'Media', id: 'm3' },
    ],
  ]);
  assert.deepEqual(await stitchedAnswer(gateways, query), body);
});

test('an @interfaceObject field selected only on one implementation, through a named fragment on it', async (t) => {
  const gateways = await start(t);
  const query = '{ library { ... on Movie { title } ...rated } } fragment rated on Book { title rating }';
  const { body, calls } = await gateways.ask(query);
  assert.deepEqual(body, { data: { library: [{ title: 'Dune', rating: 5 }, { title: 'Alien' }, { title: 'Emma', rating: 3 }] } });
  assert.deepEqual(calls, { media: 1, ratings: 1 });
  assert.deepEqual(
    gateways.servers['ratings']?.representations(),
    [
      [
        { __typename: 'Media', id: 'm1' },
        { __typename: 'Media', id: 'm3' },
      ],
    ],
    'the Books only',
  );
  assert.deepEqual(await stitchedAnswer(gateways, query), body);
});

test('objects the @interfaceObject returns: media tells their __typename and answers the fields of each type, in one call', async (t) => {
  const gateways = await start(t);
  const query = '{ topRated { __typename id rating title ... on Movie { director } ... on Book { author } } }';
  const { body, calls } = await gateways.ask(query);
  assert.deepEqual(body, {
    data: {
      topRated: [
        { __typename: 'Movie', id: 'm2', rating: 4, title: 'Alien', director: 'Scott' },
        { __typename: 'Book', id: 'm1', rating: 5, title: 'Dune', author: 'Herbert' },
      ],
    },
  });
  assert.deepEqual(calls, { ratings: 1, media: 1 });
  assert.deepEqual(gateways.servers['media']?.representations(), [
    [
      { __typename: 'Media', id: 'm2' },
      { __typename: 'Media', id: 'm1' },
    ],
  ]);
  assert.deepEqual(await stitchedAnswer(gateways, query), body);
});

test('a selection that does not depend on the type is answered by the @interfaceObject alone, no call to resolve __typename', async (t) => {
  const gateways = await start(t);
  const query = '{ topRated { id rating ... on Media { r: rating } } }';
  const { body, calls } = await gateways.ask(query);
  assert.deepEqual(body, {
    data: {
      topRated: [
        { id: 'm2', rating: 4, r: 4 },
        { id: 'm1', rating: 5, r: 5 },
      ],
    },
  });
  assert.deepEqual(calls, { ratings: 1 });
  assert.deepEqual(await stitchedAnswer(gateways, query), body);
});

test('a fragment on one implementation below the @interfaceObject: the type is resolved first, and only Books are asked for the field', async (t) => {
  const gateways = await start(t);
  const query = '{ topRated { ... on Book { rating author } } }';
  const { body, calls } = await gateways.ask(query);
  assert.deepEqual(body, { data: { topRated: [{}, { rating: 5, author: 'Herbert' }] } });
  assert.deepEqual(calls, { ratings: 2, media: 1 }, 'the objects, their types (and authors), the ratings of the Books');
  assert.deepEqual(gateways.servers['ratings']?.representations(), [[{ __typename: 'Media', id: 'm1' }]]);
  assert.deepEqual(await stitchedAnswer(gateways, query), body);
});

test('@interfaceObject nested in itself: similar media of a Book, typed by media, rated by ratings', async (t) => {
  const gateways = await start(t);
  const query = '{ book(id: "m1") { title similar { __typename title rating similar { id } } } }';
  const { body, calls } = await gateways.ask(query);
  assert.deepEqual(body, {
    data: {
      book: {
        title: 'Dune',
        similar: [
          { __typename: 'Book', title: 'Emma', rating: 3, similar: [] },
          { __typename: 'Movie', title: 'Alien', rating: 4, similar: [{ id: 'm1' }] },
        ],
      },
    },
  });
  assert.deepEqual(calls, { media: 2, ratings: 1 }, 'book; its similar media with their ratings; their types and titles');
  // Stitching (the fallback before) answers book: null with an error at book.similar here.
  assert.equal((await stitchedAnswer(gateways, query)).data?.book, null);
});

test('an object media cannot type: its error from media at its path, nulling the nearest nullable parent, and no other error', async (t) => {
  const media = mediaSubgraphs['media'] as SubgraphOptions;
  const gateways = await startFederation(t, {
    ...mediaSubgraphs,
    media: { ...media, resolve: (reference) => (reference['id'] === 'm2' ? new GraphQLError('m2 is being re-indexed') : media.resolve?.(reference)) },
  });
  const { body, calls } = await gateways.ask('{ topRated { __typename rating } }');
  assert.deepEqual(body.data, null, 'topRated is [Media!]!');
  assert.deepEqual(errorsOf(body), [[['topRated', 0], 'DOWNSTREAM_SERVICE_ERROR', 'media']]);
  assert.equal(body.errors?.[0]?.message, 'm2 is being re-indexed');
  assert.deepEqual(calls, { ratings: 1, media: 1 });
});

test('a field on the interface that another @interfaceObject subgraph resolves: one call there for every object, typed as the interface, no call for the concrete types', async (t) => {
  const media = mediaSubgraphs['media'] as SubgraphOptions;
  const gateways = await startFederation(t, {
    ...mediaSubgraphs,
    // Books know their own availability too, and say otherwise: which subgraph answered shows in the data.
    media: {
      ...media,
      sdl: `${link('key', 'shareable')}
        interface Media @key(fields: "id") { id: ID! title: String! available: Boolean! }
        type Book implements Media @key(fields: "id") { id: ID! title: String! author: String! available: Boolean! @shareable }
        type Movie implements Media @key(fields: "id") { id: ID! title: String! director: String! available: Boolean! @shareable }
        type Query { library: [Media!]! book(id: ID!): Book }`,
      resolvers: { ...media.resolvers, Book: { available: () => false }, Movie: { available: () => false } },
    },
    loans: {
      sdl: `${link('key', 'interfaceObject', 'shareable')}
        type Media @key(fields: "id") @interfaceObject { id: ID! available: Boolean! @shareable }`,
      resolvers: { Media: { available: () => true } },
      entities: ['Media'],
      resolve: (reference) => (reference.__typename === 'Media' ? { ...reference } : null),
    },
  });
  const onInterface = await gateways.ask('{ topRated { id available } }');
  assert.deepEqual(onInterface.body, {
    data: {
      topRated: [
        { id: 'm2', available: true },
        { id: 'm1', available: true },
      ],
    },
  });
  assert.deepEqual(onInterface.calls, { ratings: 1, loans: 1 });
  assert.deepEqual(gateways.servers['loans']?.representations(), [
    [
      { __typename: 'Media', id: 'm2' },
      { __typename: 'Media', id: 'm1' },
    ],
  ]);
  // Selected on one implementation, the field is that type's own.
  const onBook = await gateways.ask('{ topRated { id ... on Book { available } } }');
  assert.deepEqual(onBook.body, { data: { topRated: [{ id: 'm2' }, { id: 'm1', available: false }] } });
  assert.deepEqual(onBook.calls, { ratings: 1, media: 1 });
});
