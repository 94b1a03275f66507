import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import { GraphQLError, graphql, parse } from 'graphql';
import { createSchema } from 'graphql-yoga';
import { NotPlannable } from '../src/execution/collect-fields.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { startTestGateway, type TestSource } from './helpers/start-test-gateway.ts';

/**
 * The planner over small graphql and rest fixtures, against stitching: GraphQL errors with their
 * codes, errors on one merged object, REST statuses, `@ref`, `@stub`, and what it leaves to stitching.
 */

const catalogSdl = /* GraphQL */ `
  type Book @key(selectionSet: "{ id }") @canonical { id: ID! title: String! rating: Int }
  type Query {
    book(id: ID!): Book
    books: [Book!]!
    ping: String
    booksByIds(ids: [ID!]!): [Book]! @merge(keyField: "id") @inaccessible
  }
`;

const labelsSdl = /* GraphQL */ `
  type Book @key(selectionSet: "{ id }") { id: ID! label: String @computed(selectionSet: "{ title }") }
  input BookKey { id: ID! title: String }
  type Query { ping: String labelBooks(keys: [BookKey!]!): [Book]! @merge @inaccessible }
`;

const stockSdl = /* GraphQL */ `
  type Book @key(selectionSet: "{ id }") { id: ID! availability: Availability @http(GET: "/stock?bookIds={parent.id}", batchKey: "bookId") }
  type Availability { bookId: ID! count: Int! }
  type Review { id: ID! stars: Int! book: Book @ref(from: "bookId") }
  type Query {
    reviews: [Review!]! @http(GET: "/reviews")
    review(id: ID!): Review @http(GET: "/reviews/{args.id}")
    requiredReview(id: ID!): Review! @http(GET: "/reviews/{args.id}")
    _books(ids: [ID!]!): [Book]! @stub @merge(keyField: "id") @inaccessible
  }
`;

const books = [
  { id: '1', title: 'Dune', rating: 5 },
  { id: '2', title: 'Emma', rating: 4 },
  { id: '3', title: 'Ulysses', rating: 3 },
];
const reviews = [
  { id: 'r1', stars: 5, bookId: '1' },
  { id: 'r2', stars: 2, bookId: '2' },
  { id: 'r3', stars: 4, bookId: '3' },
  { id: 'r4', stars: 1, bookId: '404' },
];

/** `failBook`: the catalog reports an error for that book in booksByIds; `stockStatus`: the stock endpoint's status. */
const state = { failBook: '', stockStatus: 200 };

async function startServices(t: TestContext) {
  state.failBook = '';
  state.stockStatus = 200;
  const directives = await readFile(new URL('../src/composition/directives.graphql', import.meta.url), 'utf8');
  const bookOrError = (id: string) =>
    id === state.failBook
      ? new GraphQLError(`book ${id} is being reindexed`, { extensions: { code: 'SERVICE_UNAVAILABLE' } })
      : (books.find((book) => book.id === id) ?? null);
  const catalogSchema = createSchema({
    typeDefs: `${directives}\n${catalogSdl}`,
    resolvers: {
      Query: {
        book: (_: unknown, { id }: { id: string }) => {
          if (id === 'x') throw new GraphQLError('no book x', { extensions: { code: 'NOT_FOUND' } });
          if (id === 'bad') throw new GraphQLError('a bad id', { extensions: { code: 'WEIRD_CODE' } });
          return bookOrError(id);
        },
        books: () => books,
        ping: () => 'catalog',
        booksByIds: (_: unknown, { ids }: { ids: string[] }) => ids.map(bookOrError),
      },
    },
  });
  const labelsSchema = createSchema({
    typeDefs: `${directives}\n${labelsSdl}`,
    resolvers: {
      Query: {
        ping: () => 'labels',
        labelBooks: (_: unknown, { keys }: { keys: Array<{ id: string; title?: string }> }) =>
          keys.map((key) => ({ id: key.id, label: `${key.title ?? '?'} (#${key.id})` })),
      },
    },
  });
  const graphqlService = (schema: typeof catalogSchema) =>
    startFixtureServer(t, async (request, response) => {
      const { query, variables } = JSON.parse(request.body) as { query: string; variables?: Record<string, unknown> };
      json(response, 200, await graphql({ schema, source: query, variableValues: variables ?? null }));
    });
  const catalog = await graphqlService(catalogSchema);
  const labels = await graphqlService(labelsSchema);
  const stock = await startFixtureServer(t, (request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    if (url.pathname === '/stock') {
      if (state.stockStatus !== 200) return json(response, state.stockStatus, { message: `stock answered ${state.stockStatus}` });
      return json(
        response,
        200,
        (url.searchParams.get('bookIds') ?? '').split(',').map((bookId) => ({ bookId, count: Number(bookId) * 10 })),
      );
    }
    if (url.pathname === '/reviews') return json(response, 200, reviews);
    const review = reviews.find((candidate) => `/reviews/${candidate.id}` === url.pathname);
    return review ? json(response, 200, review) : json(response, 404, { message: 'no such review' });
  });
  const sources: Record<string, TestSource> = {
    catalog: { kind: 'graphql', url: `${catalog.url}/graphql`, sdl: catalogSdl },
    labels: { kind: 'graphql', url: `${labels.url}/graphql`, sdl: labelsSdl },
    stock: { kind: 'rest', url: stock.url, sdl: stockSdl },
  };
  const [planned, stitched] = await Promise.all([startTestGateway(t, sources), startTestGateway(t, sources, { queryPlanner: false })]);
  const calls = () => catalog.requests.length + labels.requests.length + stock.requests.length;
  return { planned, stitched, calls };
}

type Gateways = Awaited<ReturnType<typeof startServices>>;

/** Both gateways' answers: the data byte for byte, the errors' messages, paths and extensions as sets. */
async function same({ planned, stitched, calls }: Gateways, query: string, expectPlanned = true) {
  const fallbacks = [...(planned.gateway.planner?.fallbacks().values() ?? [])].reduce((sum, count) => sum + count, 0);
  const before = calls();
  const answer = await postGraphQL(planned.endpoint, query);
  const made = calls() - before;
  const after = [...(planned.gateway.planner?.fallbacks().values() ?? [])].reduce((sum, count) => sum + count, 0);
  assert.equal(after === fallbacks, expectPlanned, `planned: ${JSON.stringify([...(planned.gateway.planner?.fallbacks() ?? [])])}`);
  const reference = await postGraphQL(stitched.endpoint, query);
  assert.equal(answer.status, reference.status);
  assert.equal(JSON.stringify(answer.body.data), JSON.stringify(reference.body.data));
  // One known difference: where a merged object is missing (null in the merge field's answer) under a
  // non-null field, stitching's executor throws a plain Error that the gateway masks as "Unexpected
  // error." (and logs as unexpected); the planner gives graphql-js's own message, same path and code.
  const errors = (body: typeof answer.body) =>
    (body.errors ?? [])
      .map(({ message, path, extensions }) =>
        JSON.stringify({
          message: message.startsWith('Cannot return null for non-nullable field') ? 'Unexpected error.' : message,
          path,
          extensions: { ...extensions, requestId: undefined },
        }),
      )
      .sort();
  assert.deepEqual(errors(answer.body), errors(reference.body));
  return { body: answer.body, calls: made };
}

test('a REST list with @ref, completed by a graphql merge field and a REST @stub merge: one call per source', async (t) => {
  const gateways = await startServices(t);
  const { body, calls } = await same(
    gateways,
    '{ reviews { id stars book { id title rating availability { count } } } books { title availability { count } } }',
  );
  assert.equal(calls, 4, 'reviews, then booksByIds and the stock of every book at once; books, then its stock');
  assert.ok(
    body.errors?.some((error) => JSON.stringify(error.path) === '["reviews",3,"book","title"]'),
    'book 404 is missing: its non-null title nulls it',
  );
});

test('GraphQL errors keep their codes and land on the client paths', async (t) => {
  const gateways = await startServices(t);
  const { body } = await same(gateways, '{ a: book(id: "x") { title } b: book(id: "bad") { title } c: book(id: "2") { title } }');
  assert.deepEqual(body.errors?.map((error) => error.extensions?.['code']).sort(), ['DOWNSTREAM_SERVICE_ERROR', 'NOT_FOUND']);
  state.failBook = '2';
  await same(gateways, '{ reviews { stars book { title rating } } }');
  await same(gateways, '{ reviews { stars book { rating } } }');
});

test('REST statuses become codes on every path of the batch; 404 is null or NOT_FOUND', async (t) => {
  const gateways = await startServices(t);
  for (const status of [401, 403, 429, 503, 500, 504]) {
    state.stockStatus = status;
    await same(gateways, '{ books { title availability { count } } }');
  }
  await same(gateways, '{ review(id: "nope") { id } }');
  await same(gateways, '{ requiredReview(id: "nope") { id } reviews { id } }');
});

test('what the planner leaves to stitching: @computed fields, a root field two sources define without @canonical', async (t) => {
  const gateways = await startServices(t);
  const computed = gateways.planned.gateway.planner?.plan(parse('{ books { label } }'), undefined);
  assert.ok(computed instanceof NotPlannable);
  assert.equal(computed.message, 'Book.label is @computed in labels: computed fields go through stitching');
  await same(gateways, '{ books { title label } }', false);
  const ping = gateways.planned.gateway.planner?.plan(parse('{ ping }'), undefined);
  assert.ok(ping instanceof NotPlannable);
  assert.equal(ping.message, 'Query.ping is defined by catalog, labels and none is @canonical');
  await same(gateways, '{ ping }', false);
});
