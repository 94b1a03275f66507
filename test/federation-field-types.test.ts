import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { composeServices } from '@theguild/federation-composition';
import { GraphQLError, parse, print, type DocumentNode } from 'graphql';
import { widenSharedFieldTypes } from '../src/composition/shared-field-types.ts';
import { engineOver, graphsOf, runPlanned } from './helpers/federation-engine.ts';
import { link, serveSubgraph, type Reference, type SubgraphOptions } from './helpers/federation-subgraph.ts';
import { errorsOf } from './helpers/federation-gateways.ts';

/**
 * A field several subgraphs share whose type differs per subgraph (`@join__field(type:)`):
 * `Query.book` and `Review.item` are `Book` in `shelf` but the interface `Media` in `catalog`,
 * `Query.pick` is `Book` in `shelf` but the union `Pick` in `catalog`. The supergraph returns the
 * wider type; each subgraph is sent only fragments on the types it may return there.
 */

const books = [{ __typename: 'Book', id: 'b1', title: 'Dune', pages: 412 }, { __typename: 'Book', id: 'b2', title: 'Emma', pages: 320 }];
const media = [...books, { __typename: 'Movie', id: 'v1', minutes: 117 }];
const find = (list: readonly Reference[], id: unknown) => list.find((item) => item['id'] === id) ?? null;

const subgraphs: Record<string, SubgraphOptions> = {
  shelf: {
    sdl: `${link('key', 'shareable')}
      type Book @key(fields: "id") { id: ID! title: String! }
      type Review @key(fields: "id") { id: ID! item: Book @shareable }
      type Query { reviews: [Review!]! book(id: ID!): Book @shareable pick(id: ID!): Book @shareable }`,
    resolvers: {
      Query: { reviews: () => [{ id: 'r1', item: books[0] }, { id: 'r2', item: books[1] }], book: (_: unknown, { id }: { id: string }) => find(books, id), pick: (_: unknown, { id }: { id: string }) => find(books, id) },
      Book: { title: (book: Reference) => (book['id'] === 'b2' ? new GraphQLError('title withheld') : book['title']) },
    },
    entities: ['Book', 'Review'],
    resolve: (reference) => (reference.__typename === 'Book' ? find(books, reference['id']) : { id: reference['id'], item: reference['id'] === 'r1' ? books[0] : books[1] }),
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
    resolve: (reference) => (reference.__typename === 'Book' ? find(books, reference['id']) : { id: reference['id'], stars: reference['id'] === 'r1' ? 5 : 3, item: reference['id'] === 'r1' ? books[0] : books[1] }),
  },
};

function supergraphOf(urls: Record<string, string> = {}): DocumentNode {
  const services = Object.entries(subgraphs).map(([name, { sdl }]) => ({ name, url: urls[name] ?? '', typeDefs: parse(sdl) }));
  const composed = composeServices(services);
  assert.equal(composed.errors, undefined, composed.errors?.map((error) => error.message).join('\n'));
  return widenSharedFieldTypes(composed.supergraphDocumentNode, services);
}

async function start(t: TestContext) {
  const servers = Object.fromEntries(await Promise.all(Object.entries(subgraphs).map(async ([name, options]) => [name, await serveSubgraph(t, options)] as const)));
  const urls = Object.fromEntries(Object.entries(servers).map(([name, server]) => [name, server.url]));
  const engine = engineOver(supergraphOf(urls), urls);
  const calls = () => Object.fromEntries(Object.entries(servers).map(([name, server]) => [name, server.queries().length]));
  return { engine, calls };
}

const fieldLine = (supergraph: DocumentNode, name: string) => print(supergraph).split('\n').find((line) => line.trimStart().startsWith(`${name}(`) || line.trimStart().startsWith(`${name}:`))?.trim();

test('the supergraph returns the wider type and says each subgraph\'s own type, on root and entity fields, for interfaces and unions', () => {
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
  assert.deepEqual(errorsOf(body as { errors?: [] }), [[['reviews', 1, 'item', 'title'], undefined, undefined]], 'the error at the client\'s path, not the plan\'s alias of item; title is non-null');
  assert.deepEqual(graphsOf(fetches), ['shelf', 'catalog', 'catalog']);
  assert.deepEqual(calls(), { shelf: 1, catalog: 2 });
});
