import assert from 'node:assert/strict';
import { test } from 'node:test';
import { postGraphQL } from './helpers/graphql-request.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';

const books = new Map([
  ['1', { id: '1', title: 'Dune', authorId: 'a1', meta: { pages: 412 } }],
  ['2', { id: '2', title: 'Emma', authorId: 'a2', meta: { pages: 474 } }],
  ['3', { id: '3', title: 'Ulysses', authorId: 'a1', meta: { pages: 730 } }],
]);

const booksSdl = /* GraphQL */ `
  type Book {
    id: ID!
    title: String!
    pages: Int @http(GET: "/books/{parent.id}/pages")
    author: Author @ref(from: "authorId")
    reviews(limit: Int, tags: [String!]): [Review!]! @http(GET: "/reviews?bookIds={parent.id}&limit={args.limit}&tags={args.tags}", batchBy: "parent.id", batchKey: "bookId")
  }
  type Author { id: ID! }
  type Review { bookId: ID! stars: Int! }
  input NewBook { title: String! authorId: ID! }
  type Query {
    book(id: ID!): Book @http(GET: "/books?ids={args.id}", select: "data.books", batchKey: "id")
    books(ids: [ID!]!): [Book]! @http(GET: "/books?ids={args.ids}", select: "data.books", batchKey: "id")
    requiredBook(id: ID!): Book! @http(GET: "/books/{args.id}")
    bookById(id: ID!): Book @http(GET: "/books/{args.id}")
    search(q: String, page: Int): [Book!]! @http(GET: "/search/{args.q}?page={args.page}&sort=title")
    secret: String @http(GET: "/secret")
    broken: String @http(GET: "/broken")
    wrongType: Book @http(GET: "/wrong-type")
  }
  type Mutation {
    addBook(input: NewBook!): Book! @http(POST: "/books", body: "{args.input}")
  }
`;

async function startBookService(t: import('node:test').TestContext) {
  return startFixtureServer(t, (request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    if (url.pathname === '/books' && request.method === 'GET') {
      const ids = url.searchParams.get('ids')?.split(',') ?? [];
      if (ids.includes('boom')) return json(response, 500, { message: 'books store down' });
      return json(response, 200, { data: { books: ids.flatMap((id) => books.get(id) ?? []) } });
    }
    if (url.pathname === '/books' && request.method === 'POST') return json(response, 201, { id: '9', ...(JSON.parse(request.body) as object) });
    const single = /^\/books\/([^/]+)(\/pages)?$/.exec(url.pathname);
    if (single) {
      const book = books.get(decodeURIComponent(single[1] ?? ''));
      if (!book) return json(response, 404, { message: 'no such book' });
      return json(response, 200, single[2] ? book.meta.pages : book);
    }
    if (url.pathname === '/reviews') {
      const ids = url.searchParams.get('bookIds')?.split(',') ?? [];
      return json(
        response,
        200,
        ids.flatMap((bookId) =>
          bookId === '2'
            ? []
            : [
                { bookId, stars: 5 },
                { bookId, stars: 3 },
              ],
        ),
      );
    }
    if (url.pathname.startsWith('/search/')) return json(response, 200, [...books.values()]);
    if (url.pathname === '/secret') return json(response, 401, { message: 'token required' });
    if (url.pathname === '/broken') return response.writeHead(500).end('<html>oops at /srv/app.js:12</html>');
    if (url.pathname === '/wrong-type') return json(response, 200, { id: '5', title: { nested: true } });
    json(response, 404, { message: 'no route' });
  });
}

test('a batch endpoint serves every key of a request in one call, in key order, with null for a missing key', async (t) => {
  const service = await startBookService(t);
  const gateway = await startTestGateway(t, { books: { kind: 'rest', url: service.url, sdl: booksSdl } });

  const response = await postGraphQL(
    gateway.endpoint,
    '{ a: book(id: "3") { title } b: book(id: "404") { title } list: books(ids: ["2", "nope", "1"]) { id title } }',
  );

  assert.deepEqual(response.body, { data: { a: { title: 'Ulysses' }, b: null, list: [{ id: '2', title: 'Emma' }, null, { id: '1', title: 'Dune' }] } });
  assert.deepEqual(
    service.requests.map((request) => request.url),
    ['/books?ids=3,404,2,nope,1'],
  );
});

test('a batch call takes at most maxBatchSize distinct keys; a failed call fails its own keys only, each on its path', async (t) => {
  const service = await startBookService(t);
  const gateway = await startTestGateway(t, { books: { kind: 'rest', url: service.url, sdl: booksSdl, maxBatchSize: 2 } });

  const response = await postGraphQL(
    gateway.endpoint,
    '{ books(ids: ["1", "boom", "2", "3", "1"]) { id } again: books(ids: ["3", "2"]) { title } one: book(id: "3") { id } }',
  );

  assert.deepEqual(response.body.data, {
    books: [null, null, { id: '2' }, { id: '3' }, null],
    again: [{ title: 'Ulysses' }, { title: 'Emma' }],
    one: { id: '3' },
  });
  const failed = (response.body.errors ?? []).map((error) => ({ path: error.path, code: error.extensions?.['code'] }));
  assert.deepEqual(
    failed.sort((a, b) => JSON.stringify(a.path).localeCompare(JSON.stringify(b.path))),
    [0, 1, 4].map((index) => ({ path: ['books', index], code: 'DOWNSTREAM_SERVICE_ERROR' })),
  );
  // Every key of the level once, two per call, in the order first asked for; the failed keys are not asked for again.
  assert.deepEqual(
    service.requests.map((request) => request.url),
    ['/books?ids=1,boom', '/books?ids=2,3'],
  );
});

test('a one-to-many batch groups items by key; other arguments fill the template and null ones drop their parameter', async (t) => {
  const service = await startBookService(t);
  const gateway = await startTestGateway(t, { books: { kind: 'rest', url: service.url, sdl: booksSdl } });

  const response = await postGraphQL(gateway.endpoint, '{ books(ids: ["1", "2"]) { id reviews(tags: ["new", "a b"]) { stars } } }');

  assert.deepEqual(response.body.data, {
    books: [
      { id: '1', reviews: [{ stars: 5 }, { stars: 3 }] },
      { id: '2', reviews: [] },
    ],
  });
  assert.deepEqual(
    service.requests.map((request) => request.url),
    ['/books?ids=1,2', '/reviews?bookIds=1,2&tags=new,a%20b'],
  );
});

test('a batched field read with other argument values is a batch of its own: one call per distinct template value, every key in each', async (t) => {
  const service = await startBookService(t);
  const gateway = await startTestGateway(t, { books: { kind: 'rest', url: service.url, sdl: booksSdl } });

  const response = await postGraphQL(gateway.endpoint, '{ books(ids: ["1", "3"]) { id one: reviews(limit: 1) { stars } two: reviews(limit: 2) { stars } } }');

  assert.equal(response.body.errors, undefined);
  assert.deepEqual(
    service.requests.map((request) => request.url),
    ['/books?ids=1,3', '/reviews?bookIds=1,3&limit=1', '/reviews?bookIds=1,3&limit=2'],
  );
});

test('identical calls without a batch endpoint go out once per request', async (t) => {
  const service = await startBookService(t);
  const gateway = await startTestGateway(t, { books: { kind: 'rest', url: service.url, sdl: booksSdl } });

  const response = await postGraphQL(
    gateway.endpoint,
    '{ x: requiredBook(id: "1") { pages } y: requiredBook(id: "1") { title } z: requiredBook(id: "2") { id } }',
  );

  assert.equal(response.body.errors, undefined);
  assert.deepEqual(response.body.data, { x: { pages: 412 }, y: { title: 'Dune' }, z: { id: '2' } });
  assert.deepEqual(service.requests.map((request) => request.url).sort(), ['/books/1', '/books/1/pages', '/books/2']);
});

test('path placeholders are encoded, literals kept, and @ref builds a reference from a raw field', async (t) => {
  const service = await startBookService(t);
  const gateway = await startTestGateway(t, { books: { kind: 'rest', url: service.url, sdl: booksSdl } });

  const response = await postGraphQL(gateway.endpoint, '{ search(q: "a/b c", page: 2) { title author { id } } }');

  assert.equal(response.body.data?.search?.[0]?.author?.id, 'a1');
  assert.deepEqual(
    service.requests.map((request) => request.url),
    ['/search/a%2Fb%20c?page=2&sort=title'],
  );
});

test('a mutation sends its input argument as the JSON body', async (t) => {
  const service = await startBookService(t);
  const gateway = await startTestGateway(t, { books: { kind: 'rest', url: service.url, sdl: booksSdl } });

  const response = await postGraphQL(gateway.endpoint, 'mutation { addBook(input: { title: "Middlemarch", authorId: "a3" }) { id title author { id } } }');

  assert.deepEqual(response.body.data, { addBook: { id: '9', title: 'Middlemarch', author: { id: 'a3' } } });
  assert.equal(service.requests[0]?.method, 'POST');
  assert.equal(service.requests[0]?.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(service.requests[0]?.body ?? ''), { title: 'Middlemarch', authorId: 'a3' });
});

test('HTTP statuses map to error codes on the field, and the rest of the data still answers', async (t) => {
  const service = await startBookService(t);
  const gateway = await startTestGateway(t, { books: { kind: 'rest', url: service.url, sdl: booksSdl } });

  const response = await postGraphQL(gateway.endpoint, '{ secret broken book(id: "1") { title } }');

  assert.equal(response.status, 200);
  assert.deepEqual(response.body.data, { secret: null, broken: null, book: { title: 'Dune' } });
  const byPath = Object.fromEntries((response.body.errors ?? []).map((error) => [error.path?.join('.'), error]));
  assert.equal(byPath['secret']?.extensions?.code, 'UNAUTHENTICATED');
  assert.equal(byPath['secret']?.message, 'token required');
  assert.equal(byPath['broken']?.extensions?.code, 'DOWNSTREAM_SERVICE_ERROR');
  assert.equal(byPath['broken']?.extensions?.service, 'books');
  assert.equal(byPath['broken']?.message, 'Service "books" answered 500 with a body that is not JSON.');
  assert.doesNotMatch(response.text, /127\.0\.0\.1|srv\/app|stack/);

  const missing = await postGraphQL(gateway.endpoint, '{ requiredBook(id: "404") { id } }');
  assert.equal(missing.body.data, null);
  assert.equal(missing.body.errors?.[0]?.extensions?.code, 'NOT_FOUND');
  assert.deepEqual(missing.body.errors?.[0]?.path, ['requiredBook']);
});

test('a response of the wrong shape is an INTERNAL_SERVER_ERROR on its path, with no internals', async (t) => {
  const service = await startBookService(t);
  const gateway = await startTestGateway(t, { books: { kind: 'rest', url: service.url, sdl: booksSdl } });

  const response = await postGraphQL(gateway.endpoint, '{ wrongType { id title } book(id: "2") { title } }');

  assert.deepEqual(response.body.data, { wrongType: null, book: { title: 'Emma' } });
  assert.equal(response.body.errors?.[0]?.extensions?.code, 'INTERNAL_SERVER_ERROR');
  assert.deepEqual(response.body.errors?.[0]?.path, ['wrongType', 'title']);
  assert.doesNotMatch(response.text, /originalError|stack|at /);
});

test('only allowlisted client headers reach a service, plus its configured fixed headers', async (t) => {
  const service = await startBookService(t);
  const gateway = await startTestGateway(t, {
    books: { kind: 'rest', url: service.url, sdl: booksSdl, forwardHeaders: ['Accept-Language'], headers: { 'x-gateway': 'concierge' } },
  });

  await postGraphQL(gateway.endpoint, '{ book(id: "1") { id } }', undefined, { 'accept-language': 'de', authorization: 'Bearer secret', cookie: 'a=b' });

  const [received] = service.requests;
  assert.equal(received?.headers['accept-language'], 'de');
  assert.equal(received?.headers['x-gateway'], 'concierge');
  assert.equal(received?.headers['authorization'], undefined);
  assert.equal(received?.headers['cookie'], undefined);
});

test('a path value that would change the route ("", ".", "..", encoded or hidden behind a slash) is BAD_USER_INPUT and never sent', async (t) => {
  const service = await startBookService(t);
  const gateway = await startTestGateway(t, { books: { kind: 'rest', url: service.url, sdl: booksSdl } });
  for (const id of ['..', '.', '', '%2e%2e', '%252E%252e', '../secret', 'a/../../secret', '..\\secret']) {
    const { status, body } = await postGraphQL(gateway.endpoint, 'query ($id: ID!) { book: bookById(id: $id) { title } other: book(id: "1") { title } }', {
      id,
    });
    assert.equal(status, 200, `id ${JSON.stringify(id)}`);
    assert.deepEqual(body.data, { book: null, other: { title: 'Dune' } }, `id ${JSON.stringify(id)}: only the refused field is null`);
    assert.deepEqual(
      body.errors?.map((error) => [error.path, error.extensions?.code]),
      [[['book'], 'BAD_USER_INPUT']],
    );
    assert.match(
      body.errors?.[0]?.message ?? '',
      /of \{args\.id\} (is empty|would be a "\." or "\.\." path segment), which would change the path of "\/books\/\{args\.id\}"/,
    );
  }
  assert.deepEqual(
    service.requests.map((request) => request.url).filter((url) => !url.startsWith('/books?ids=1')),
    [],
    'no refused value reached the service',
  );

  const fine = await postGraphQL(gateway.endpoint, '{ requiredBook(id: "3") { title } search(q: "a..b") { id } }');
  assert.equal(fine.body.data?.requiredBook?.title, 'Ulysses', 'dots inside a value are fine');
  assert.ok(service.requests.some((request) => request.url === '/search/a..b?sort=title'));
});
