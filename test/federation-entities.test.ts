import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { createYoga } from 'graphql-yoga';
import { link, subgraphSchema, type Reference } from './helpers/federation-subgraph.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';

type Entity = Record<string, unknown> & { __typename: string };

/**
 * A hand-written Federation v2 subgraph. `entities` lists the object types of its `_Entity` union;
 * `resolve` answers each `_entities` representation with an object that carries its concrete
 * `__typename` (an interface entity's representation arrives as the interface's name), or null.
 * Every `_entities` call is kept: the typenames it asked for and the representations it sent.
 */
async function startSubgraph(
  t: TestContext,
  options: { sdl: string; resolvers?: Record<string, Record<string, unknown>>; entities?: string[]; resolve?: (reference: Reference) => Entity | null },
) {
  const yoga = createYoga({ logging: false, schema: subgraphSchema(options) });
  const entityCalls: string[][] = [];
  const representations: Reference[][] = [];
  const server = await startFixtureServer(t, async (request, response) => {
    const body = JSON.parse(request.body || '{}') as { query?: string; variables?: { representations?: Reference[] } };
    if (body.query?.includes('_entities')) {
      const sent = Object.values(body.variables ?? {}).flatMap((value) => (Array.isArray(value) ? (value as Reference[]) : []));
      representations.push(sent);
      entityCalls.push(sent.map((reference) => reference.__typename));
    }
    const answer = await yoga.fetch(`http://subgraph${request.url}`, {
      method: request.method,
      headers: { 'content-type': 'application/json' },
      body: request.body || undefined,
    });
    json(response, answer.status, await answer.json());
  });
  return { url: `${server.url}/graphql`, entityCalls, representations, requests: server.requests };
}

const media = [
  { __typename: 'Book', id: 'm1', title: 'Dune', author: 'Herbert' },
  { __typename: 'Movie', id: 'm2', title: 'Alien', director: 'Scott' },
  { __typename: 'Book', id: 'm3', title: 'Emma', author: 'Austen' },
];
const ratings: Record<string, number> = { m1: 5, m2: 4, m3: 3 };

function startMedia(t: TestContext) {
  return startSubgraph(t, {
    sdl: /* GraphQL */ `
      ${link('key')}
      interface Media @key(fields: "id") { id: ID! title: String! }
      type Book implements Media @key(fields: "id") { id: ID! title: String! author: String! }
      type Movie implements Media @key(fields: "id") { id: ID! title: String! director: String! }
      type Query { library: [Media!]! }
    `,
    resolvers: { Query: { library: () => media }, Media: { __resolveType: (value: Entity) => value.__typename } },
    entities: ['Book', 'Movie'],
    resolve: (reference) =>
      media.find((item) => item.id === reference['id'] && (reference.__typename === 'Media' || reference.__typename === item.__typename)) ?? null,
  });
}

function startRatings(t: TestContext) {
  return startSubgraph(t, {
    sdl: /* GraphQL */ `
      ${link('key', 'interfaceObject')}
      type Media @key(fields: "id") @interfaceObject { id: ID! rating: Int! }
      type Query { topRated: [Media!]! }
    `,
    resolvers: { Query: { topRated: () => [{ id: 'm2' }, { id: 'm1' }] }, Media: { rating: (item: { id: string }) => ratings[item.id] } },
    entities: ['Media'],
    resolve: (reference) => ({ __typename: 'Media', id: reference['id'] }),
  });
}

test('@interfaceObject: a field a subgraph adds to an interface entity resolves for every implementing type', async (t) => {
  const [mediaService, ratingsService] = await Promise.all([startMedia(t), startRatings(t)]);
  const gateway = await startTestGateway(t, {
    media: { kind: 'federation', url: mediaService.url, sdl: '' },
    ratings: { kind: 'federation', url: ratingsService.url, sdl: '' },
  });
  const response = await postGraphQL(gateway.endpoint, '{ library { __typename title rating ... on Book { author } ... on Movie { director } } }');
  assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
  assert.deepEqual(response.body.data?.library, [
    { __typename: 'Book', title: 'Dune', rating: 5, author: 'Herbert' },
    { __typename: 'Movie', title: 'Alien', rating: 4, director: 'Scott' },
    { __typename: 'Book', title: 'Emma', rating: 3, author: 'Austen' },
  ]);
  assert.deepEqual(ratingsService.entityCalls, [['Media', 'Media', 'Media']], 'one _entities call, each representation typed as the interface object');
});

test('@interfaceObject: a list from the subgraph that sees the interface as an object resolves the concrete types', async (t) => {
  const [mediaService, ratingsService] = await Promise.all([startMedia(t), startRatings(t)]);
  const gateway = await startTestGateway(t, {
    media: { kind: 'federation', url: mediaService.url, sdl: '' },
    ratings: { kind: 'federation', url: ratingsService.url, sdl: '' },
  });
  const response = await postGraphQL(gateway.endpoint, '{ topRated { __typename id rating title ... on Movie { director } ... on Book { author } } }');
  assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
  assert.deepEqual(response.body.data?.topRated, [
    { __typename: 'Movie', id: 'm2', rating: 4, title: 'Alien', director: 'Scott' },
    { __typename: 'Book', id: 'm1', rating: 5, title: 'Dune', author: 'Herbert' },
  ]);
  assert.equal(ratingsService.entityCalls.length, 0);
  assert.deepEqual(
    mediaService.representations,
    [
      [
        { __typename: 'Media', id: 'm2' },
        { __typename: 'Media', id: 'm1' },
      ],
    ],
    'the interface-owning subgraph resolves the concrete types in one call',
  );
});

const catalog = {
  products: [
    { __typename: 'Product', upc: 'p1', name: 'Table' },
    { __typename: 'Product', upc: 'p2', name: 'Chair' },
  ],
  authors: [{ __typename: 'Author', id: 'a1', name: 'Ada' }],
};

function startCatalog(t: TestContext) {
  return startSubgraph(t, {
    sdl: /* GraphQL */ `
      ${link('key')}
      type Product @key(fields: "upc") { upc: String! name: String! }
      type Author @key(fields: "id") { id: ID! name: String! }
      type Query { authors: [Author!]! }
    `,
    resolvers: { Query: { authors: () => catalog.authors } },
    entities: ['Product', 'Author'],
    resolve: (reference) =>
      (reference.__typename === 'Product'
        ? catalog.products.find((product) => product.upc === reference['upc'])
        : catalog.authors.find((author) => author.id === reference['id'])) ?? null,
  });
}

function startSearch(t: TestContext) {
  const hits = [
    { __typename: 'Product', upc: 'p2', score: 9 },
    { __typename: 'Author', id: 'a1', score: 7 },
    { __typename: 'Product', upc: 'p1', score: 5 },
  ];
  return startSubgraph(t, {
    sdl: /* GraphQL */ `
      ${link('key')}
      interface Hit { score: Int! }
      type Product implements Hit @key(fields: "upc") { upc: String! score: Int! }
      type Author implements Hit @key(fields: "id") { id: ID! score: Int! }
      union Result = Product | Author
      type Query { hits: [Hit!]! results: [Result!]! }
    `,
    resolvers: {
      Query: { hits: () => hits, results: () => hits },
      Hit: { __resolveType: (value: Entity) => value.__typename },
      Result: { __resolveType: (value: Entity) => value.__typename },
    },
    entities: ['Product', 'Author'],
    resolve: (reference) =>
      hits.find((hit) => hit.__typename === reference.__typename && (hit.upc ?? hit.id) === (reference['upc'] ?? reference['id'])) ?? null,
  });
}

test('entities behind an interface: each member of a list of the interface is completed by the subgraph that owns its fields', async (t) => {
  const [catalogService, searchService] = await Promise.all([startCatalog(t), startSearch(t)]);
  const gateway = await startTestGateway(t, {
    catalog: { kind: 'federation', url: catalogService.url, sdl: '' },
    search: { kind: 'federation', url: searchService.url, sdl: '' },
  });
  const response = await postGraphQL(gateway.endpoint, '{ hits { __typename score ... on Product { upc name } ... on Author { name } } }');
  assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
  assert.deepEqual(response.body.data?.hits, [
    { __typename: 'Product', score: 9, upc: 'p2', name: 'Chair' },
    { __typename: 'Author', score: 7, name: 'Ada' },
    { __typename: 'Product', score: 5, upc: 'p1', name: 'Table' },
  ]);
  assert.equal(catalogService.entityCalls.flat().length, 3, JSON.stringify(catalogService.entityCalls));
});

test('entities behind a union: ... on fragments of a union list reach fields of another subgraph', async (t) => {
  const [catalogService, searchService] = await Promise.all([startCatalog(t), startSearch(t)]);
  const gateway = await startTestGateway(t, {
    catalog: { kind: 'federation', url: catalogService.url, sdl: '' },
    search: { kind: 'federation', url: searchService.url, sdl: '' },
  });
  const response = await postGraphQL(
    gateway.endpoint,
    '{ results { __typename ... on Product { name score } ... on Author { id name } } authors { name score } }',
  );
  assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
  assert.deepEqual(response.body.data, {
    results: [
      { __typename: 'Product', name: 'Chair', score: 9 },
      { __typename: 'Author', id: 'a1', name: 'Ada' },
      { __typename: 'Product', name: 'Table', score: 5 },
    ],
    authors: [{ name: 'Ada', score: 7 }],
  });
  assert.equal(catalogService.entityCalls.flat().length, 3, JSON.stringify(catalogService.entityCalls));
  assert.deepEqual(searchService.entityCalls, [['Author']]);
});

const goods = [
  { upc: 'p1', sku: 'S-1', name: 'Table' },
  { upc: 'p2', sku: 'S-2', name: 'Chair' },
];
const stock: Record<string, number> = { 'S-1': 4, 'S-2': 0 };

test('@key(resolvable: false) and several @keys: a reference by upc reaches a subgraph keyed by sku, and the non-resolvable subgraph is never asked', async (t) => {
  const products = await startSubgraph(t, {
    sdl: /* GraphQL */ `
      ${link('key')}
      type Product @key(fields: "upc") @key(fields: "sku") { upc: String! sku: String! name: String! }
      type Query { product(upc: String!): Product }
    `,
    resolvers: { Query: { product: (_: unknown, { upc }: { upc: string }) => goods.find((good) => good.upc === upc) } },
    entities: ['Product'],
    resolve: (reference) => {
      const good = goods.find((item) => ('upc' in reference ? item.upc === reference['upc'] : item.sku === reference['sku']));
      return good ? { __typename: 'Product', ...good } : null;
    },
  });
  const inventory = await startSubgraph(t, {
    sdl: /* GraphQL */ `
      ${link('key')}
      type Product @key(fields: "sku") { sku: String! stock: Int! }
      type Query { outOfStock: [Product!]! }
    `,
    resolvers: {
      Query: {
        outOfStock: () =>
          Object.keys(stock)
            .filter((sku) => stock[sku] === 0)
            .map((sku) => ({ sku, stock: 0 })),
      },
    },
    entities: ['Product'],
    resolve: (reference) => ({ __typename: 'Product', sku: reference['sku'], stock: stock[reference['sku'] as string] }),
  });
  const reviews = await startSubgraph(t, {
    sdl: /* GraphQL */ `
      ${link('key')}
      type Product @key(fields: "upc", resolvable: false) { upc: String! }
      type Review { body: String! product: Product! }
      type Query { reviews: [Review!]! }
    `,
    resolvers: {
      Query: {
        reviews: () => [
          { body: 'Sturdy', product: { upc: 'p1' } },
          { body: 'Wobbly', product: { upc: 'p2' } },
        ],
      },
    },
  });
  const gateway = await startTestGateway(t, {
    products: { kind: 'federation', url: products.url, sdl: '' },
    inventory: { kind: 'federation', url: inventory.url, sdl: '' },
    reviews: { kind: 'federation', url: reviews.url, sdl: '' },
  });
  const response = await postGraphQL(gateway.endpoint, '{ reviews { body product { upc name stock } } outOfStock { sku upc name } }');
  assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
  assert.deepEqual(response.body.data, {
    reviews: [
      { body: 'Sturdy', product: { upc: 'p1', name: 'Table', stock: 4 } },
      { body: 'Wobbly', product: { upc: 'p2', name: 'Chair', stock: 0 } },
    ],
    outOfStock: [{ sku: 'S-2', upc: 'p2', name: 'Chair' }],
  });
  assert.equal(reviews.entityCalls.length, 0, 'a subgraph whose key is resolvable: false gets no _entities call');
  // The two calls to products follow two root calls made in parallel: either may come first.
  const bySku = (call: readonly Record<string, unknown>[]) => ('sku' in (call[0] ?? {}) ? 0 : 1);
  assert.deepEqual(
    [...products.representations].sort((a, b) => bySku(a) - bySku(b)),
    [
      [{ __typename: 'Product', sku: 'S-2' }],
      [
        { __typename: 'Product', upc: 'p1' },
        { __typename: 'Product', upc: 'p2' },
      ],
    ],
    'products is asked by upc for the reviewed products and by sku for the out-of-stock one',
  );
  assert.deepEqual(
    inventory.representations,
    [
      [
        { __typename: 'Product', sku: 'S-1' },
        { __typename: 'Product', sku: 'S-2' },
      ],
    ],
    'inventory is asked by its only key, sku',
  );
});
