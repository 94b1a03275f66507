import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { ConfigError } from '../src/config/config-error.ts';
import { normalizeConfig } from '../src/config/normalize-config.ts';
import { startGateway } from '../src/server/start-gateway.ts';
import { describeCompositionErrors } from '../src/sources/federation/describe-composition-error.ts';
import { SchemaError } from '../src/sources/schema-error.ts';
import { link, subgraphSchema, type Reference } from './helpers/federation-subgraph.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { startTestGateway, writeTestConfig } from './helpers/start-test-gateway.ts';

type Resolvers = Record<string, Record<string, unknown>>;

/**
 * A Federation v2 subgraph written by hand: `_service { sdl }` answers the SDL as written, and
 * `_entities` resolves each representation with its type's `__resolveReference`. Every request
 * body it receives is kept, so tests can count `_entities` calls; `state.down` makes it answer 503.
 */
async function startSubgraph(t: TestContext, sdl: string, resolvers: Resolvers, references: Record<string, (reference: Reference) => unknown> = {}) {
  const yoga = createYoga({
    logging: false,
    schema: subgraphSchema({
      sdl,
      resolvers,
      entities: Object.keys(references),
      resolve: (reference) => references[reference.__typename]?.(reference) as Record<string, unknown> | null | undefined,
    }),
  });
  const state = { down: false };
  const server = await startFixtureServer(t, async (request, response) => {
    if (state.down) return void response.writeHead(503, { 'content-type': 'text/plain' }).end('maintenance');
    const answer = await yoga.fetch(`http://subgraph${request.url}`, {
      method: request.method,
      headers: { 'content-type': 'application/json' },
      body: request.body || undefined,
    });
    json(response, answer.status, await answer.json());
  });
  const queries = () => server.requests.map((request) => (JSON.parse(request.body) as { query: string }).query);
  return {
    url: `${server.url}/graphql`,
    state,
    requests: server.requests,
    entityCalls: () => queries().filter((query) => query.includes('_entities')).length,
    queries,
  };
}

const products = [
  { upc: 'p1', name: 'Table', price: 100, weight: 20 },
  { upc: 'p2', name: 'Chair', price: 40, weight: 5 },
  { upc: 'p3', name: 'Lamp', price: 25, weight: 2 },
];
const byUpc = (upc: unknown) => products.find((product) => product.upc === upc) ?? null;

const productsSdl = /* GraphQL */ `
  ${link('key', 'shareable')}
  type Product @key(fields: "upc") { upc: String! name: String! price: Int! weight: Int! }
  type Query { topProducts: [Product!]! }
`;

function startProducts(t: TestContext) {
  return startSubgraph(t, productsSdl, { Query: { topProducts: () => products } }, { Product: (reference) => byUpc(reference['upc']) });
}

const reviewsSdl = /* GraphQL */ `
  ${link('key')}
  type Product @key(fields: "upc") { upc: String! reviews: [Review!]! }
  type Review @key(fields: "id") { id: ID! body: String! product: Product! }
  type Query { latestReview: Review }
`;
const reviews = [
  { id: 'r1', body: 'Sturdy', product: { upc: 'p1' } },
  { id: 'r2', body: 'Wobbly', product: { upc: 'p2' } },
  { id: 'r3', body: 'Fine', product: { upc: 'p1' } },
];

function startReviews(t: TestContext) {
  return startSubgraph(
    t,
    reviewsSdl,
    {
      Query: { latestReview: () => reviews[0] },
      Product: { reviews: (product: { upc: string }) => reviews.filter((review) => review.product.upc === product.upc) },
    },
    { Product: (reference) => ({ upc: reference['upc'] }), Review: (reference) => reviews.find((review) => review.id === reference['id']) },
  );
}

test('entities joined by @key across two subgraphs: a list resolves fields of both with one _entities call per level', async (t) => {
  const [productsService, reviewsService] = await Promise.all([startProducts(t), startReviews(t)]);
  const gateway = await startTestGateway(t, {
    products: { kind: 'federation', url: productsService.url, sdl: '' },
    reviews: { kind: 'federation', url: reviewsService.url, sdl: '', forwardHeaders: ['x-tenant'] },
  });
  const response = await postGraphQL(gateway.endpoint, '{ topProducts { name reviews { body product { name } } } }', {}, { 'x-tenant': 'acme' });
  assert.equal(response.body.errors, undefined);
  assert.deepEqual(response.body.data?.topProducts, [
    {
      name: 'Table',
      reviews: [
        { body: 'Sturdy', product: { name: 'Table' } },
        { body: 'Fine', product: { name: 'Table' } },
      ],
    },
    { name: 'Chair', reviews: [{ body: 'Wobbly', product: { name: 'Chair' } }] },
    { name: 'Lamp', reviews: [] },
  ]);
  assert.equal(reviewsService.entityCalls(), 1, 'one _entities call to reviews for the three products');
  assert.equal(productsService.entityCalls(), 1, 'one _entities call to products for the three reviewed products');
  assert.equal(reviewsService.requests.at(-1)?.headers['x-tenant'], 'acme', "calls go through the source's HTTP client and its header allowlist");
  assert.equal(productsService.requests.at(-1)?.headers['x-tenant'], undefined);
});

test('the composed schema shows no federation plumbing', async (t) => {
  const [productsService, reviewsService] = await Promise.all([startProducts(t), startReviews(t)]);
  const gateway = await startTestGateway(t, {
    products: { kind: 'federation', url: productsService.url, sdl: '' },
    reviews: { kind: 'federation', url: reviewsService.url, sdl: '' },
  });
  const response = await postGraphQL(gateway.endpoint, '{ __schema { queryType { fields { name } } types { name } } }');
  assert.deepEqual(response.body.data?.__schema.queryType.fields.map((field: { name: string }) => field.name).sort(), ['latestReview', 'topProducts']);
  const types = response.body.data?.__schema.types.map((type: { name: string }) => type.name) as string[];
  assert.deepEqual(
    types.filter((name) => (name.startsWith('_') && !name.startsWith('__')) || name.startsWith('link__') || name.startsWith('join__')),
    [],
  );
});

test('@requires with @external: a field computed from fields another subgraph owns', async (t) => {
  const productsService = await startProducts(t);
  const shipping = await startSubgraph(
    t,
    /* GraphQL */ `
      ${link('key', 'external', 'requires')}
      type Product @key(fields: "upc") { upc: String! weight: Int! @external price: Int! @external shippingCost: Int! @requires(fields: "weight price") }
    `,
    {},
    { Product: (reference) => ({ upc: reference['upc'], shippingCost: (reference['price'] as number) >= 50 ? 0 : (reference['weight'] as number) * 2 }) },
  );
  const gateway = await startTestGateway(t, {
    products: { kind: 'federation', url: productsService.url, sdl: '' },
    shipping: { kind: 'federation', url: shipping.url, sdl: '' },
  });
  const response = await postGraphQL(gateway.endpoint, '{ topProducts { upc shippingCost } }');
  assert.equal(response.body.errors, undefined);
  assert.deepEqual(response.body.data?.topProducts, [
    { upc: 'p1', shippingCost: 0 },
    { upc: 'p2', shippingCost: 10 },
    { upc: 'p3', shippingCost: 4 },
  ]);
  assert.equal(shipping.entityCalls(), 1);
  assert.match(shipping.queries().join('\n'), /representations/);
});

test('@shareable: a field both subgraphs resolve is answered by the subgraph the query is already in', async (t) => {
  const shareable = (name: string) => /* GraphQL */ `
    ${link('key', 'shareable')}
    type Product @key(fields: "upc") { upc: String! name: String! @shareable }
    type Query { ${name}: [Product!]! }
  `;
  const catalog = await startSubgraph(
    t,
    shareable('catalog'),
    { Query: { catalog: () => products.map(({ upc, name }) => ({ upc, name })) } },
    { Product: (reference) => byUpc(reference['upc']) },
  );
  const offers = await startSubgraph(
    t,
    shareable('offers'),
    { Query: { offers: () => [{ upc: 'p2', name: 'Chair (offer)' }] } },
    { Product: (reference) => byUpc(reference['upc']) },
  );
  const gateway = await startTestGateway(t, {
    catalog: { kind: 'federation', url: catalog.url, sdl: '' },
    offers: { kind: 'federation', url: offers.url, sdl: '' },
  });
  const response = await postGraphQL(gateway.endpoint, '{ catalog { name } offers { name } }');
  assert.equal(response.body.errors, undefined);
  assert.deepEqual(response.body.data, { catalog: [{ name: 'Table' }, { name: 'Chair' }, { name: 'Lamp' }], offers: [{ name: 'Chair (offer)' }] });
  assert.equal(catalog.entityCalls() + offers.entityCalls(), 0, 'no entity call for a field the answering subgraph shares');
});

test('a compound @key joins an entity by all its key fields', async (t) => {
  const stock = [
    { sku: 's1', warehouse: 'north', quantity: 3 },
    { sku: 's1', warehouse: 'south', quantity: 0 },
  ];
  const locations = await startSubgraph(
    t,
    /* GraphQL */ `
      ${link('key')}
      type StockItem @key(fields: "sku warehouse") { sku: String! warehouse: String! }
      type Query { stockItems: [StockItem!]! }
    `,
    { Query: { stockItems: () => stock.map(({ sku, warehouse }) => ({ sku, warehouse })) } },
    { StockItem: (reference) => reference },
  );
  const quantities = await startSubgraph(
    t,
    /* GraphQL */ `
      ${link('key')}
      type StockItem @key(fields: "sku warehouse") { sku: String! warehouse: String! quantity: Int! }
    `,
    {},
    { StockItem: (reference) => stock.find((item) => item.sku === reference['sku'] && item.warehouse === reference['warehouse']) },
  );
  const gateway = await startTestGateway(t, {
    locations: { kind: 'federation', url: locations.url, sdl: '' },
    quantities: { kind: 'federation', url: quantities.url, sdl: '' },
  });
  const response = await postGraphQL(gateway.endpoint, '{ stockItems { warehouse quantity } }');
  assert.equal(response.body.errors, undefined);
  assert.deepEqual(response.body.data?.stockItems, [
    { warehouse: 'north', quantity: 3 },
    { warehouse: 'south', quantity: 0 },
  ]);
  assert.equal(quantities.entityCalls(), 1);
});

test('a federation subgraph and a REST source answer one query together', async (t) => {
  const productsService = await startProducts(t);
  const rest = await startFixtureServer(t, (_request, response) => json(response, 200, { message: 'open' }));
  const gateway = await startTestGateway(t, {
    products: { kind: 'federation', url: productsService.url, sdl: '' },
    status: { kind: 'rest', url: rest.url, sdl: 'type Status { message: String! } type Query { status: Status @http(GET: "/status") }' },
  });
  const response = await postGraphQL(gateway.endpoint, '{ status { message } topProducts { name } }');
  assert.equal(response.body.errors, undefined);
  assert.deepEqual(response.body.data, { status: { message: 'open' }, topProducts: [{ name: 'Table' }, { name: 'Chair' }, { name: 'Lamp' }] });
  assert.deepEqual(
    rest.requests.map((request) => request.url),
    ['/status'],
  );
});

test('a subgraph that fails leaves partial data and an error naming it', async (t) => {
  const [productsService, reviewsService] = await Promise.all([startProducts(t), startReviews(t)]);
  const gateway = await startTestGateway(t, {
    products: { kind: 'federation', url: productsService.url, sdl: '' },
    reviews: { kind: 'federation', url: reviewsService.url, sdl: '' },
  });
  reviewsService.state.down = true;
  const response = await postGraphQL(gateway.endpoint, '{ topProducts { name } latestReview { body } }');
  assert.deepEqual(response.body.data, { topProducts: [{ name: 'Table' }, { name: 'Chair' }, { name: 'Lamp' }], latestReview: null });
  assert.equal(response.body.errors?.length, 1, JSON.stringify(response.body.errors));
  assert.deepEqual(response.body.errors?.[0]?.path, ['latestReview']);
  assert.equal(response.body.errors?.[0]?.extensions?.code, 'DOWNSTREAM_SERVICE_ERROR', JSON.stringify(response.body.errors));
  assert.equal(response.body.errors?.[0]?.extensions?.service, 'reviews');
});

test('a composition error stops start-up with the subgraph and the field at fault named', async (t) => {
  const productsService = await startProducts(t);
  const broken = await startSubgraph(
    t,
    /* GraphQL */ `
    ${link('key')}
    type Product @key(fields: "sku") { upc: String! rating: Int! }
  `,
    {},
    { Product: () => null },
  );
  const { config } = await writeTestConfig(t, {
    products: { kind: 'federation', url: productsService.url, sdl: '' },
    ratings: { kind: 'federation', url: broken.url, sdl: '' },
  });
  await assert.rejects(startGateway(config), (error: unknown) => {
    assert.ok(error instanceof SchemaError);
    assert.equal(error.problems.length, 1, error.message);
    assert.match(
      error.problems[0] ?? '',
      /^sources\.ratings: @key\(fields: "sku"\) on Product: Cannot query field "sku" on type "Product" .* \(KEY_INVALID_FIELDS\)$/,
    );
    return true;
  });
});

test('a conflict between subgraphs names both, the directive it lacks and the field', async (t) => {
  const [productsService, reviewsService] = await Promise.all([startProducts(t), startReviews(t)]);
  const offers = await startSubgraph(
    t,
    /* GraphQL */ `
    ${link('key')}
    type Product @key(fields: "upc") { upc: String! name: String! weight: String! }
    type Query { offers: [Product!]! }
  `,
    {},
    { Product: () => null },
  );
  const { config } = await writeTestConfig(t, {
    products: { kind: 'federation', url: productsService.url, sdl: '' },
    reviews: { kind: 'federation', url: reviewsService.url, sdl: '' },
    offers: { kind: 'federation', url: offers.url, sdl: '' },
  });
  await assert.rejects(startGateway(config), (error: unknown) => {
    assert.ok(error instanceof SchemaError);
    assert.deepEqual(error.problems, [
      'sources.products, sources.offers: @shareable on Product.name: Non-shareable field "Product.name" is resolved from multiple subgraphs: it is resolved from subgraphs "offers" and "products" and defined as non-shareable in all of them (INVALID_FIELD_SHARING)',
      'sources.products, sources.offers: Product.weight: Type of field "Product.weight" is incompatible across subgraphs: it has type "String!" in subgraph "offers" but type "Int!" in subgraph "products" (FIELD_TYPE_MISMATCH)',
      'sources.products, sources.offers: @shareable on Product.weight: Non-shareable field "Product.weight" is resolved from multiple subgraphs: it is resolved from subgraphs "offers" and "products" and defined as non-shareable in all of them (INVALID_FIELD_SHARING)',
    ]);
    return true;
  });
});

test('a composition error whose message names no field is placed by where it points in the subgraph SDL', () => {
  const subgraphs = [
    { name: 'products', typeDefs: parse(productsSdl) },
    { name: 'ratings', typeDefs: parse(`${link('key')}\ntype Product @key(fields: "upc") {\n  upc: String!\n  stars: Strs\n}`) },
  ];
  assert.deepEqual(describeCompositionErrors(composeServices(subgraphs).errors ?? [], subgraphs), [
    'sources.ratings: Product.stars: Unknown type Strs (INVALID_GRAPHQL)',
  ]);
});

test('@inaccessible: a subgraph field used for joins is left out of the composed schema', async (t) => {
  const productsService = await startProducts(t);
  const internal = await startSubgraph(
    t,
    /* GraphQL */ `
    ${link('key', 'inaccessible')}
    type Product @key(fields: "upc") { upc: String! supplierCode: String! @inaccessible stocked: Boolean! }
  `,
    {},
    { Product: (reference) => ({ upc: reference['upc'], supplierCode: 'x', stocked: reference['upc'] !== 'p3' }) },
  );
  const gateway = await startTestGateway(t, {
    products: { kind: 'federation', url: productsService.url, sdl: '' },
    internal: { kind: 'federation', url: internal.url, sdl: '' },
  });
  const ok = await postGraphQL(gateway.endpoint, '{ topProducts { upc stocked } }');
  assert.equal(ok.body.errors, undefined);
  assert.deepEqual(
    ok.body.data?.topProducts.map((product: { stocked: boolean }) => product.stocked),
    [true, true, false],
  );
  const hidden = await postGraphQL(gateway.endpoint, '{ topProducts { supplierCode } }');
  assert.equal(hidden.body.errors?.[0]?.message, 'Cannot query field "supplierCode" on type "Product".');
});

test('@override: the field is resolved by the subgraph that took it over', async (t) => {
  const productsService = await startProducts(t);
  const pricing = await startSubgraph(
    t,
    /* GraphQL */ `
    ${link('key', 'override')}
    type Product @key(fields: "upc") { upc: String! price: Int! @override(from: "products") }
  `,
    {},
    { Product: (reference) => ({ upc: reference['upc'], price: 1 }) },
  );
  const gateway = await startTestGateway(t, {
    products: { kind: 'federation', url: productsService.url, sdl: '' },
    pricing: { kind: 'federation', url: pricing.url, sdl: '' },
  });
  const response = await postGraphQL(gateway.endpoint, '{ topProducts { name price } }');
  assert.equal(response.body.errors, undefined);
  assert.deepEqual(
    response.body.data?.topProducts.map((product: { price: number }) => product.price),
    [1, 1, 1],
  );
  assert.equal(pricing.entityCalls(), 1);
});

test('@provides: a subgraph that provides an external field on a path answers it without an entity call', async (t) => {
  const productsService = await startProducts(t);
  const deals = await startSubgraph(
    t,
    /* GraphQL */ `
    ${link('key', 'external', 'provides')}
    type Product @key(fields: "upc") { upc: String! name: String! @external }
    type Deal { discount: Int! product: Product! @provides(fields: "name") }
    type Query { deals: [Deal!]! }
  `,
    { Query: { deals: () => [{ discount: 10, product: { upc: 'p2', name: 'Chair (from deals)' } }] } },
    { Product: (reference) => ({ upc: reference['upc'] }) },
  );
  const gateway = await startTestGateway(t, {
    products: { kind: 'federation', url: productsService.url, sdl: '' },
    deals: { kind: 'federation', url: deals.url, sdl: '' },
  });
  const response = await postGraphQL(gateway.endpoint, '{ deals { discount product { name price } } }');
  assert.equal(response.body.errors, undefined);
  assert.deepEqual(response.body.data?.deals, [{ discount: 10, product: { name: 'Chair (from deals)', price: 40 } }]);
  assert.equal(productsService.entityCalls(), 1, 'price still comes from products');
  assert.doesNotMatch(productsService.queries().at(-1) ?? '', /\bname\b/, 'name is not asked of products');
});

test('a federation source takes the common options but no schemaFrom: its SDL is always _service', () => {
  const config = normalizeConfig(
    { sources: { reviews: { kind: 'federation', url: 'http://reviews/graphql', timeout: 500, forwardHeaders: ['X-Tenant'] } } },
    { env: {} },
  );
  assert.deepEqual([config.sources[0]?.kind, config.sources[0]?.timeout, config.sources[0]?.forwardHeaders], ['federation', 500, ['x-tenant']]);
  assert.throws(
    () => normalizeConfig({ sources: { reviews: { kind: 'federation', url: 'http://reviews/graphql', schemaFrom: 'file' } } }, { env: {} }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.problems, [
        'config.sources.reviews.schemaFrom: expected no schemaFrom for a federation source (its SDL is the subgraph\'s { _service { sdl } } at start-up), got "file"',
      ]);
      return true;
    },
  );
});
