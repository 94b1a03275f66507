import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getIntrospectionQuery } from 'graphql';
import type { GraphFeed } from '../src/registry/follow-registry.ts';
import { startGateway } from '../src/server/start-gateway.ts';
import type { SourcesRevision } from '../src/sources/watch-source-files.ts';
import { clientsConfig, keys, shopSdl, startClientShop, startShopService } from './helpers/client-shop.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { startShop } from './helpers/start-shop.ts';
import { link, serveSubgraph } from './helpers/federation-subgraph.ts';
import { startTestGateway, writeTestConfig } from './helpers/start-test-gateway.ts';

const asMobile = { 'graphql-client-name': 'shop-ios', 'graphql-client-version': '4.2.0' };
const asWeb = { 'graphql-client-name': 'web' };

test('the same query as web and as mobile: the same data, one upstream call each', async (t) => {
  const { endpoint, service } = await startClientShop(t);
  const query = '{ products { id name price } order(id: "7") { id total } }';
  const web = await postGraphQL(endpoint, query, {}, asWeb);
  const mobile = await postGraphQL(endpoint, query, {}, asMobile);
  assert.equal(web.status, 200);
  assert.equal(mobile.status, 200);
  const expected = {
    products: [
      { id: '1', name: 'Kettle', price: 30 },
      { id: '2', name: 'Teapot', price: 25 },
    ],
    order: { id: '7', total: 55 },
  };
  assert.deepEqual(web.body, { data: expected });
  assert.deepEqual(mobile.body, { data: expected });
  assert.equal(service.documents.length, 2, 'one upstream call per request, whatever the view');
});

test('a field outside the caller view is an unknown field: 400 GRAPHQL_VALIDATION_FAILED without any hint of hidden names', async (t) => {
  const { endpoint, service } = await startClientShop(t, { limits: { fieldSuggestions: 'on' } });
  const hidden = await postGraphQL(endpoint, '{ order(id: "7") { id payment { method } } }', {}, asMobile);
  assert.equal(hidden.status, 400);
  assert.equal(hidden.body.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
  assert.equal(hidden.body.errors?.[0]?.message, 'Cannot query field "payment" on type "Order".');
  assert.equal(hidden.body.data, undefined);

  // Suggestions stay on (fieldSuggestions: 'on'), but only ever name fields of the caller's own view.
  const typoWeb = await postGraphQL(endpoint, '{ order(id: "7") { paymnt { method } } }', {}, asWeb);
  assert.equal(typoWeb.status, 400);
  assert.match(typoWeb.body.errors?.[0]?.message ?? '', /Did you mean "payment"\?/);
  const typoMobile = await postGraphQL(endpoint, '{ order(id: "7") { paymnt { method } } }', {}, asMobile);
  assert.equal(typoMobile.status, 400);
  assert.equal(typoMobile.body.errors?.[0]?.message, 'Cannot query field "paymnt" on type "Order".');
  assert.doesNotMatch(typoMobile.text, /payment|Payment|cardLast4/);

  // A hidden type cannot even be named in a fragment.
  const fragment = await postGraphQL(endpoint, '{ feed { ... on Promotion { title } } }', {}, asMobile);
  assert.equal(fragment.status, 400);
  assert.equal(fragment.body.errors?.[0]?.message, 'Unknown type "Promotion".');
  assert.equal(service.documents.length, 0, 'refused documents reach no service');
});

test('introspection answers each profile its own schema', async (t) => {
  const { endpoint } = await startClientShop(t, { limits: { introspection: 'on' } });
  const typeQuery =
    '{ product: __type(name: "Product") { fields { name } } payment: __type(name: "Payment") { name } promotion: __type(name: "Promotion") { name } }';
  const fieldsOf = (body: { data?: { product: { fields: Array<{ name: string }> } } | null }) => body.data?.product.fields.map((field) => field.name);

  const web = await postGraphQL(endpoint, typeQuery, {}, asWeb);
  assert.deepEqual(fieldsOf(web.body), ['id', 'name', 'price', 'images']);
  assert.deepEqual(web.body.data?.payment, { name: 'Payment' });
  assert.equal(web.body.data?.promotion, null);

  const mobile = await postGraphQL(endpoint, typeQuery, {}, asMobile);
  assert.deepEqual(fieldsOf(mobile.body), ['id', 'name', 'price', 'images', 'thumbnail']);
  assert.equal(mobile.body.data?.payment, null);

  const staff = await postGraphQL(endpoint, typeQuery, {}, { 'x-api-key': keys.backoffice });
  assert.deepEqual(fieldsOf(staff.body), ['id', 'name', 'price', 'images', 'cost']);
  assert.deepEqual(staff.body.data?.promotion, { name: 'Promotion' });

  const full = await postGraphQL(endpoint, getIntrospectionQuery(), {}, asMobile);
  assert.equal(full.status, 200);
  const names = (full.body.data as { __schema: { types: Array<{ name: string }> } }).__schema.types.map((type) => type.name);
  assert.ok(names.includes('Product') && names.includes('Order'));
  assert.ok(!names.includes('Payment') && !names.includes('Promotion'), 'hidden types are not in the introspected schema');
  assert.doesNotMatch(full.text, /cost|cardLast4|internalOnly/);
});

test('a header never unlocks a profile the identity does not allow; an identity picks its profile whatever the header says', async (t) => {
  const { endpoint } = await startClientShop(t);
  const query = '{ products { id cost } }';
  const anonymous = await postGraphQL(endpoint, query, {}, { 'graphql-client-name': 'staff' });
  assert.equal(anonymous.status, 400, 'anonymous callers naming a restricted profile get the default view');
  assert.equal(anonymous.body.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');

  const staff = await postGraphQL(endpoint, query, {}, { 'x-api-key': keys.backoffice });
  assert.equal(staff.status, 200);
  assert.deepEqual(staff.body.data, {
    products: [
      { id: '1', cost: 12 },
      { id: '2', cost: 9 },
    ],
  });

  // The app's key is bound to kiosk: asking for web (which shows payments) by header changes nothing.
  const app = await postGraphQL(endpoint, '{ order(id: "1") { payment { method } } }', {}, { 'x-api-key': keys.app, 'graphql-client-name': 'web' });
  assert.equal(app.status, 400);
  assert.equal(app.body.errors?.[0]?.message, 'Cannot query field "payment" on type "Order".');
});

test('an object of a type the view hides, met in a union, is null with an error that does not name it', async (t) => {
  const { endpoint, service } = await startClientShop(t);
  const query = '{ feed { __typename ... on Product { id name } } }';
  const mobile = await postGraphQL(endpoint, query, {}, asMobile);
  assert.equal(mobile.status, 200);
  assert.deepEqual(mobile.body.data, { feed: [{ __typename: 'Product', id: '1', name: 'Kettle' }, null] });
  assert.equal(mobile.body.errors?.length, 1);
  assert.deepEqual(mobile.body.errors?.[0]?.path, ['feed', 1]);
  assert.equal(mobile.body.errors?.[0]?.message, 'Abstract type "FeedItem" was resolved to a type this client\'s schema does not have.');
  assert.doesNotMatch(mobile.text, /Promotion|Secret sale/);

  const staff = await postGraphQL(endpoint, '{ feed { __typename ... on Promotion { title } } }', {}, { 'x-api-key': keys.backoffice });
  assert.deepEqual(staff.body, { data: { feed: [{ __typename: 'Product' }, { __typename: 'Promotion', title: 'Secret sale' }] } });
  assert.equal(service.documents.length, 2);
});

test('views work the same through stitching (queryPlanner: false)', async (t) => {
  const { endpoint, service } = await startClientShop(t, { queryPlanner: false });
  const feed = await postGraphQL(endpoint, '{ feed { __typename ... on Product { id } } }', {}, asMobile);
  assert.deepEqual(feed.body.data, { feed: [{ __typename: 'Product', id: '1' }, null] });
  assert.doesNotMatch(feed.text, /Promotion/);
  const thumbnails = await postGraphQL(endpoint, '{ products { id thumbnail } }', {}, asMobile);
  assert.deepEqual(thumbnails.body, {
    data: {
      products: [
        { id: '1', thumbnail: 'https://img/1-small.jpg' },
        { id: '2', thumbnail: 'https://img/2-big.jpg' },
      ],
    },
  });
  const hidden = await postGraphQL(endpoint, '{ products { cost } }', {}, asMobile);
  assert.equal(hidden.status, 400);
  assert.equal(service.documents.length, 2);
});

test('a removed argument is unknown in the view; the public lite profile loses Query.feed and Product.images (and the computed field is mobile only)', async (t) => {
  const { endpoint } = await startClientShop(t);
  const argument = await postGraphQL(endpoint, '{ search(term: "k", internalOnly: true) { id } }', {}, asMobile);
  assert.equal(argument.status, 400);
  assert.equal(argument.body.errors?.[0]?.message, 'Unknown argument "internalOnly" on field "Query.search".');
  const lite = await postGraphQL(endpoint, '{ products { id images { url } } }', {}, { 'graphql-client-name': 'lite' });
  assert.equal(lite.status, 400);
  assert.equal(lite.body.errors?.[0]?.message, 'Cannot query field "images" on type "Product".');
  const thumbnail = await postGraphQL(endpoint, '{ products { thumbnail } }', {}, asWeb);
  assert.equal(thumbnail.status, 400);
  assert.equal(thumbnail.body.errors?.[0]?.message, 'Cannot query field "thumbnail" on type "Product".');
});

test('the example shop: web and mobile ask the same thing and get the right answers; mobile cannot name payment details', async (t) => {
  const shop = await startShop(t);
  const query = '{ user(id: "1") { name orders(first: 2) { id total } } product(id: "1") { name price } }';
  const web = await postGraphQL(shop.endpoint, query, {}, { ...shop.asUser1, 'graphql-client-name': 'web' });
  const mobile = await postGraphQL(shop.endpoint, query, {}, { ...shop.asUser1, 'graphql-client-name': 'shop-ios', 'graphql-client-version': '3.1.0' });
  assert.equal(web.status, 200);
  assert.equal(mobile.status, 200);
  assert.ok(web.body.data?.user?.orders?.length > 0);
  assert.deepEqual(mobile.body, web.body);

  const payment = '{ user(id: "1") { orders(first: 1) { id payment { method amount } } } }';
  const webPayment = await postGraphQL(shop.endpoint, payment, {}, shop.asUser1);
  assert.equal(webPayment.status, 200);
  assert.equal(typeof webPayment.body.data?.user?.orders?.[0]?.payment?.method, 'string');
  const hidden = await postGraphQL(shop.endpoint, payment, {}, { ...shop.asUser1, 'graphql-client-name': 'shop-android' });
  assert.equal(hidden.status, 400);
  assert.deepEqual(
    hidden.body.errors?.map((error) => [error.message, error.extensions?.code]),
    [['Cannot query field "payment" on type "Order".', 'GRAPHQL_VALIDATION_FAILED']],
  );

  const short = await postGraphQL(shop.endpoint, '{ product(id: "1") { description shortDescription } }', {}, { 'graphql-client-name': 'shop-ios' });
  assert.equal(short.status, 200);
  const { description, shortDescription } = short.body.data.product as { description: string; shortDescription: string };
  assert.ok(shortDescription.length <= 61 && description.startsWith(shortDescription.replace(/…$/, '')), shortDescription);
  const webShort = await postGraphQL(shop.endpoint, '{ product(id: "1") { shortDescription } }', {}, {});
  assert.equal(webShort.status, 400);
});

test('federation: @tag in subgraphs reaches the supergraph, and a view excludes by it', async (t) => {
  const catalog = await serveSubgraph(t, {
    sdl: `${link('key', 'tag')}
      directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
      type Product @key(fields: "id") { id: ID! name: String! margin: Float @tag(name: "internal") }
      type Query { products: [Product!]! }`,
    resolvers: { Query: { products: () => [{ id: '1', name: 'Kettle', margin: 0.4 }] } },
  });
  const gateway = await startTestGateway(
    t,
    { catalog: { kind: 'federation', url: catalog.url, sdl: '' } },
    {
      clients: { partner: { default: true, exclude: { tags: ['internal'] } }, staff: { names: ['staff'] } },
    },
  );
  const hidden = await postGraphQL(gateway.endpoint, '{ products { name margin } }');
  assert.equal(hidden.status, 400);
  assert.equal(hidden.body.errors?.[0]?.message, 'Cannot query field "margin" on type "Product".');
  const staff = await postGraphQL(gateway.endpoint, '{ products { name margin } }', {}, { 'graphql-client-name': 'staff' });
  assert.deepEqual(staff.body, { data: { products: [{ name: 'Kettle', margin: 0.4 }] } });
  const partner = await postGraphQL(gateway.endpoint, '{ products { name } }');
  assert.deepEqual(partner.body, { data: { products: [{ name: 'Kettle' }] } });
});

test('views are built with each graph and swapped with it; a graph that breaks a view is refused and the running one stays', async (t) => {
  const service = await startShopService(t);
  const { config } = await writeTestConfig(
    t,
    { shop: { kind: 'graphql', url: service.url, sdl: shopSdl } },
    { ...clientsConfig(), limits: { introspection: 'on' } },
  );
  let latest: SourcesRevision = { version: 1, sources: config.sources, cause: 'start-up' };
  const listeners: Array<(version: number) => void> = [];
  const feed: GraphFeed<SourcesRevision> = { latestGraph: async () => latest, subscribe: (onChange) => (listeners.push(onChange), { close: async () => {} }) };
  const running = await startGateway(config, { sourcesFeed: feed });
  t.after(() => running.close());
  const endpoint = `${running.url}/graphql`;
  const publish = async (version: number, sdl: string) => {
    latest = { version, sources: config.sources.map((source) => ({ ...source, registered: { sdl, name: `shop v${version}` } })), cause: 'test' };
    listeners.forEach((listener) => listener(version));
    await running.gateway.sourceFiles?.reached(version);
    return running.gateway.sourceFiles?.attempts[0];
  };
  const productFields = async () =>
    (
      ((await postGraphQL(endpoint, '{ __type(name: "Product") { fields { name } } }', {}, asMobile)).body.data?.__type.fields ?? []) as Array<{ name: string }>
    ).map((field) => field.name);
  assert.deepEqual(await productFields(), ['id', 'name', 'price', 'images', 'thumbnail']);

  const withColour = shopSdl.replace(
    'cost: Float @tag(name: "internal")',
    'cost: Float @tag(name: "internal")\n    colour: String\n    secretCode: String @tag(name: "internal")',
  );
  assert.equal((await publish(2, withColour))?.result, 'applied');
  assert.deepEqual(await productFields(), ['id', 'name', 'price', 'images', 'colour', 'thumbnail']);

  const withoutPaymentsTag = withColour.replace('type Payment @tag(name: "payments")', 'type Payment');
  const refused = await publish(3, withoutPaymentsTag);
  assert.equal(refused?.result, 'failed');
  assert.match(
    refused?.reason ?? '',
    /config\.clients\.mobile\.exclude\.tags: expected tags used by @tag in the registered schemas \(internal\), got "payments"/,
  );
  assert.equal(running.gateway.version, 2);
  assert.deepEqual(await productFields(), ['id', 'name', 'price', 'images', 'colour', 'thumbnail']);
});
