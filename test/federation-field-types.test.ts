import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { QueryPlanner } from '../src/execution/create-query-planner.ts';
import type { SchemaError } from '../src/sources/schema-error.ts';
import { composeServices } from '@theguild/federation-composition';
import { GraphQLError, parse, print, type DocumentNode } from 'graphql';
import { widenSharedFieldTypes } from '../src/composition/shared-field-types.ts';
import { engineOver, graphsOf, runPlanned } from './helpers/federation-engine.ts';
import { link, serveSubgraph, type Reference, type SubgraphOptions } from './helpers/federation-subgraph.ts';
import { errorsOf, startFederation, type FederationOptions } from './helpers/federation-gateways.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';

/**
 * A field several subgraphs share whose type differs per subgraph (`@join__field(type:)`):
 * `Query.book` and `Review.item` are `Book` in `shelf` but the interface `Media` in `catalog`,
 * `Query.pick` is `Book` in `shelf` but the union `Pick` in `catalog`. The supergraph returns the
 * wider type; each subgraph is sent only fragments on the types it may return there. A gateway
 * starts over them (composed, or from a supergraph file) and plans them; composition still refuses
 * unrelated types, and any difference with a graphql or rest source.
 */

const books = [
  { __typename: 'Book', id: 'b1', title: 'Dune', pages: 412 },
  { __typename: 'Book', id: 'b2', title: 'Emma', pages: 320 },
];
const media = [...books, { __typename: 'Movie', id: 'v1', minutes: 117 }];
const find = (list: readonly Reference[], id: unknown) => list.find((item) => item['id'] === id) ?? null;

const subgraphs: Record<string, SubgraphOptions> = {
  shelf: {
    sdl: `${link('key', 'shareable')}
      type Book @key(fields: "id") { id: ID! title: String! }
      type Review @key(fields: "id") { id: ID! item: Book @shareable }
      type Query { reviews: [Review!]! book(id: ID!): Book @shareable pick(id: ID!): Book @shareable }`,
    resolvers: {
      Query: {
        reviews: () => [
          { id: 'r1', item: books[0] },
          { id: 'r2', item: books[1] },
        ],
        book: (_: unknown, { id }: { id: string }) => find(books, id),
        pick: (_: unknown, { id }: { id: string }) => find(books, id),
      },
      Book: { title: (book: Reference) => (book['id'] === 'b2' ? new GraphQLError('title withheld') : book['title']) },
    },
    entities: ['Book', 'Review'],
    resolve: (reference) =>
      reference.__typename === 'Book' ? find(books, reference['id']) : { id: reference['id'], item: reference['id'] === 'r1' ? books[0] : books[1] },
  },
  catalog: {
    sdl: `${link('key', 'shareable')}
      interface Media { id: ID! }
      type Book implements Media @key(fields: "id") { id: ID! pages: Int! }
      type Movie implements Media @shareable { id: ID! minutes: Int! }
      union Pick = Book | Movie
      type Review @key(fields: "id") { id: ID! item: Media @shareable stars: Int! }
      type Query { book(id: ID!): Media @shareable pick(id: ID!): Pick @shareable }`,
    resolvers: {
      Query: { book: (_: unknown, { id }: { id: string }) => find(media, id), pick: (_: unknown, { id }: { id: string }) => find(media, id) },
      Media: { __resolveType: (value: Reference) => value.__typename },
      Pick: { __resolveType: (value: Reference) => value.__typename },
    },
    entities: ['Book', 'Review'],
    resolve: (reference) =>
      reference.__typename === 'Book'
        ? find(books, reference['id'])
        : { id: reference['id'], stars: reference['id'] === 'r1' ? 5 : 3, item: reference['id'] === 'r1' ? books[0] : books[1] },
  },
};

function supergraphOf(urls: Record<string, string> = {}): DocumentNode {
  const services = Object.entries(subgraphs).map(([name, { sdl }]) => ({ name, url: urls[name] ?? '', typeDefs: parse(sdl) }));
  const composed = composeServices(services);
  assert.equal(composed.errors, undefined, composed.errors?.map((error) => error.message).join('\n'));
  return widenSharedFieldTypes(composed.supergraphDocumentNode, services);
}

async function start(t: TestContext) {
  const servers = Object.fromEntries(
    await Promise.all(Object.entries(subgraphs).map(async ([name, options]) => [name, await serveSubgraph(t, options)] as const)),
  );
  const urls = Object.fromEntries(Object.entries(servers).map(([name, server]) => [name, server.url]));
  const engine = engineOver(supergraphOf(urls), urls);
  const calls = () => Object.fromEntries(Object.entries(servers).map(([name, server]) => [name, server.queries().length]));
  return { engine, calls };
}

const fieldLine = (supergraph: DocumentNode, name: string) =>
  print(supergraph)
    .split('\n')
    .find((line) => line.trimStart().startsWith(`${name}(`) || line.trimStart().startsWith(`${name}:`))
    ?.trim();

test("the supergraph returns the wider type and says each subgraph's own type, on root and entity fields, for interfaces and unions", () => {
  const supergraph = supergraphOf();
  assert.equal(fieldLine(supergraph, 'book'), 'book(id: ID!): Media @join__field(graph: SHELF, type: "Book") @join__field(graph: CATALOG, type: "Media")');
  assert.equal(fieldLine(supergraph, 'pick'), 'pick(id: ID!): Pick @join__field(graph: SHELF, type: "Book") @join__field(graph: CATALOG, type: "Pick")');
  assert.equal(fieldLine(supergraph, 'item'), 'item: Media @join__field(graph: CATALOG, type: "Media") @join__field(graph: SHELF, type: "Book")');
});

test('a root field that is Book in one subgraph and Media in the other: each is sent fragments on the types it returns, and the field goes where the selection is', async (t) => {
  const { engine, calls } = await start(t);
  const shelf = await runPlanned(engine, '{ book(id: "b1") { ... on Book { title } } }');
  assert.deepEqual(shelf.body, { data: { book: { title: 'Dune' } } });
  assert.deepEqual(graphsOf(shelf.fetches), ['shelf']);
  const catalog = await runPlanned(engine, '{ book(id: "v1") { __typename id ... on Movie { minutes } ... on Book { pages } } }');
  assert.deepEqual(catalog.body, { data: { book: { __typename: 'Movie', id: 'v1', minutes: 117 } } });
  assert.deepEqual(graphsOf(catalog.fetches), ['catalog']);
  const both = await runPlanned(engine, '{ book(id: "b1") { ... on Book { title pages } } pick(id: "b2") { ... on Book { pages } ... on Movie { minutes } } }');
  assert.deepEqual(both.body, { data: { book: { title: 'Dune', pages: 412 }, pick: { pages: 320 } } });
  assert.deepEqual(graphsOf(both.fetches).sort(), ['catalog', 'catalog', 'shelf'], 'book from shelf, its pages and pick from catalog');
  assert.deepEqual(calls(), { shelf: 2, catalog: 3 });
});

test('an entity field that is Book in one subgraph and Media in the other, completed across both', async (t) => {
  const { engine, calls } = await start(t);
  const { body, fetches } = await runPlanned(engine, '{ reviews { stars item { __typename id ... on Book { title pages } } } }');
  assert.deepEqual(body.data, {
    reviews: [
      { stars: 5, item: { __typename: 'Book', id: 'b1', title: 'Dune', pages: 412 } },
      { stars: 3, item: null },
    ],
  });
  assert.deepEqual(
    errorsOf(body as { errors?: [] }),
    [[['reviews', 1, 'item', 'title'], undefined, undefined]],
    "the error at the client's path, not the plan's alias of item; title is non-null",
  );
  assert.deepEqual(graphsOf(fetches), ['shelf', 'catalog', 'catalog']);
  assert.deepEqual(calls(), { shelf: 1, catalog: 2 });
});

/** Queries over the fields typed per subgraph, and their answers as `{ data, errors: errorsOf(...) }`. */
const throughGateway: Array<[string, unknown]> = [
  ['{ book(id: "b1") { ... on Book { title pages } } }', { data: { book: { title: 'Dune', pages: 412 } } }],
  [
    '{ book(id: "v1") { __typename id ... on Movie { minutes } ... on Book { pages } } pick(id: "b2") { ... on Book { pages } ... on Movie { minutes } } }',
    { data: { book: { __typename: 'Movie', id: 'v1', minutes: 117 }, pick: { pages: 320 } } },
  ],
  ['{ book(id: "b2") { id ... on Book { title } } }', { data: { book: null }, errors: [[['book', 'title'], 'DOWNSTREAM_SERVICE_ERROR', 'shelf']] }],
  [
    '{ reviews { stars item { __typename id ... on Book { title pages } } } }',
    {
      data: {
        reviews: [
          { stars: 5, item: { __typename: 'Book', id: 'b1', title: 'Dune', pages: 412 } },
          { stars: 3, item: null },
        ],
      },
      errors: [[['reviews', 1, 'item', 'title'], 'DOWNSTREAM_SERVICE_ERROR', 'shelf']],
    },
  ],
];

const ways: Array<[string, FederationOptions]> = [
  ["composed from the subgraphs' SDL", {}],
  ['read from a supergraph file', { supergraph: (urls) => print(supergraphOf(urls)) }],
];

for (const [way, options] of ways) {
  test(`a gateway whose supergraph is ${way} starts over fields typed per subgraph, plans them and answers as stitching does`, async (t) => {
    const gateways = await startFederation(t, subgraphs, { ...options, stitched: true });
    assert.equal(String(gateways.planned.gateway.schema.getQueryType()?.getFields()['book']?.type), 'Media', 'the client sees the wider type');
    for (const [query, expected] of throughGateway) {
      const { body } = await gateways.ask(query);
      assert.deepEqual({ data: body.data, ...(body.errors ? { errors: errorsOf(body) } : {}) }, expected, query);
      const stitched = (await postGraphQL(gateways.stitched?.endpoint as string, query)).body;
      assert.deepEqual([stitched.data, errorsOf(stitched)], [body.data, errorsOf(body)], `stitching answers ${query} the same`);
    }
    assert.deepEqual([...(gateways.planned.gateway.planner as QueryPlanner).fallbacks()], [], 'every query was planned');
  });
}

test('composition still refuses unrelated types between subgraphs, and any type difference between a subgraph and a graphql source', async (t) => {
  const [shelf, catalog, movies] = await Promise.all([
    serveSubgraph(t, subgraphs['shelf'] as SubgraphOptions),
    serveSubgraph(t, subgraphs['catalog'] as SubgraphOptions),
    serveSubgraph(t, {
      sdl: `${link('key', 'shareable')} type Movie @key(fields: "id") { id: ID! minutes: Int! } type Query { book(id: ID!): Movie @shareable }`,
      entities: ['Movie'],
    }),
  ]);
  const problemsOf = async (sources: Parameters<typeof startTestGateway>[1]) => {
    const error = await startTestGateway(t, sources).then(
      () => assert.fail('the gateway started'),
      (error: unknown) => error as SchemaError,
    );
    return error.problems;
  };
  const subgraph = (url: string) => ({ kind: 'federation' as const, url, sdl: '' });
  assert.deepEqual(await problemsOf({ shelf: subgraph(shelf.url), movies: subgraph(movies.url) }), [
    'sources.shelf, sources.movies: Query.book: Type of field "Query.book" is incompatible across subgraphs: it has type "Movie" in subgraph "movies" but type "Book" in subgraph "shelf" (FIELD_TYPE_MISMATCH)',
  ]);
  // The graphql source agrees with shelf, not with catalog: that is still a conflict.
  const extra = { kind: 'graphql' as const, url: 'http://127.0.0.1:9/graphql', sdl: 'type Book { id: ID! } type Query { book(id: ID!): Book }' };
  assert.deepEqual(await problemsOf({ shelf: subgraph(shelf.url), catalog: subgraph(catalog.url), extra }), [
    "composition: Query.book is Book in extra but Media in catalog; services must agree on a shared field's type",
  ]);
});
