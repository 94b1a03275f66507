import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { mintDevToken } from '../examples/ecommerce/dev-keys.ts';
import { CreateOrderDocument, ProductPageDocument } from '../generated/operations.ts';
import { createChecker } from '../src/config/config-checker.ts';
import { normalizeResponseCacheOptions } from '../src/response-cache/response-cache-config.ts';
import { cacheStatus, catalogSdl, startCachedGateway, startCatalogService } from './helpers/cached-catalog.ts';
import { createManualClock } from './helpers/manual-clock.ts';
import { postGraphQL, sendRaw } from './helpers/graphql-request.ts';
import { root, startShop } from './helpers/start-shop.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';

const productOne = '{ product(id: "1") { name price } }';
const productTwo = '{ product(id: "2") { name price } }';
const allProducts = '{ products { name } }';

test('a PUBLIC query is answered from the cache the second time, without calling the service', async (t) => {
  const catalog = await startCatalogService(t);
  const { query } = await startCachedGateway(t, catalog);

  const first = await query(productOne);
  assert.deepEqual(first.body, { data: { product: { name: 'Tea', price: 3 } } }, 'the fields the gateway adds to find entities never reach the client');
  assert.equal(cacheStatus(first), 'MISS');
  assert.equal(first.headers.get('cache-control'), 'public, max-age=60');
  const second = await query(`# the same query, written differently\n{ product(id: "1") {\n name\n price } }`, 'a');
  assert.equal(cacheStatus(second), 'HIT', 'printed documents match, and a PUBLIC entry is shared by every caller');
  assert.equal(second.text, first.text);
  assert.equal(second.headers.get('cache-control'), 'public, max-age=60');
  assert.match(second.headers.get('age') ?? '', /^\d+$/);
  assert.equal(catalog.calls('/products/1'), 1);
});

test('an entry expires after its maxAge', async (t) => {
  const clock = createManualClock(Date.now());
  const catalog = await startCatalogService(t);
  const { query } = await startCachedGateway(t, catalog, {}, {}, { clock });

  const first = await query('{ flash { name } }');
  assert.equal(first.headers.get('cache-control'), 'public, max-age=1', 'ttlPerCoordinate replaces the type hint');
  clock.advance(999);
  const hit = await query('{ flash { name } }');
  assert.deepEqual([cacheStatus(hit), hit.headers.get('age')], ['HIT', '0'], 'still fresh 999 ms later');
  clock.advance(1);
  assert.equal(cacheStatus(await query('{ flash { name } }')), 'MISS', 'expired once 1 s has passed');
  assert.equal(catalog.calls('/products/1'), 2);
});

test('a PRIVATE answer is kept per consumer and never served to another one, nor cached for anonymous callers', async (t) => {
  const catalog = await startCatalogService(t);
  const { query } = await startCachedGateway(t, catalog);
  const account = '{ account { owner } }';

  const anonymous = await query(account);
  assert.equal(anonymous.headers.get('cache-control'), 'no-store');
  assert.equal(cacheStatus(anonymous), 'BYPASS');
  const a = await query(account, 'a');
  assert.deepEqual([a.body.data, cacheStatus(a), a.headers.get('cache-control')], [{ account: { owner: 'a' } }, 'MISS', 'private, max-age=60']);
  const b = await query(account, 'b');
  assert.deepEqual([b.body.data, cacheStatus(b)], [{ account: { owner: 'b' } }, 'MISS'], "B never gets A's entry");
  const again = await Promise.all([query(account, 'a'), query(account, 'b')]);
  assert.deepEqual(
    again.map((response) => [response.body.data?.account.owner, cacheStatus(response)]),
    [
      ['a', 'HIT'],
      ['b', 'HIT'],
    ],
  );
  assert.equal(catalog.calls('/account'), 3);
});

test('a field granted by scope is shared only by callers with the same scopes, and private to HTTP caches', async (t) => {
  const catalog = await startCatalogService(t);
  const { query } = await startCachedGateway(t, catalog);
  const cost = '{ product(id: "1") { name cost } }';

  const refused = await query(cost, 'a');
  assert.deepEqual([refused.body.errors?.[0]?.extensions?.code, cacheStatus(refused)], ['FORBIDDEN', 'BYPASS']);
  const b = await query(cost, 'b');
  assert.deepEqual([b.body.data?.product.cost, cacheStatus(b), b.headers.get('cache-control')], [1, 'MISS', 'private, max-age=60']);
  const c = await query(cost, 'c');
  assert.deepEqual([c.text, cacheStatus(c)], [b.text, 'HIT'], 'c has the same scopes as b');
  for (const key of [undefined, 'a'] as const) {
    const other = await query(cost, key);
    assert.deepEqual([other.body.data?.product.cost, cacheStatus(other)], [null, 'BYPASS'], `${key ?? 'anonymous'} never gets their entry`);
  }
  assert.equal(catalog.calls('/products/1'), 4);
});

test('a response with errors is never cached', async (t) => {
  const catalog = await startCatalogService(t);
  const { query } = await startCachedGateway(t, catalog);

  for (const text of ['{ broken { name } }', '{ product(id: "1") { name } broken { name } }', '{ product(id: "1") { name } broken { name } }']) {
    const response = await query(text);
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'DOWNSTREAM_SERVICE_ERROR');
    assert.deepEqual([cacheStatus(response), response.headers.get('cache-control'), response.headers.get('etag')], ['BYPASS', 'no-store', null]);
  }
  assert.equal(catalog.calls('/broken'), 3);
  assert.equal(cacheStatus(await query(productOne)), 'MISS', 'the partial answers stored nothing for product 1');
});

test('a mutation invalidates exactly the entries holding the entity it returns', async (t) => {
  const catalog = await startCatalogService(t);
  const { query } = await startCachedGateway(t, catalog);
  for (const text of [productOne, productTwo, allProducts]) assert.equal(cacheStatus(await query(text)), 'MISS');
  for (const text of [productOne, productTwo, allProducts]) assert.equal(cacheStatus(await query(text)), 'HIT');

  const changed = await query('mutation { setPrice(id: "1", price: 5) { price } }');
  assert.deepEqual(changed.body, { data: { setPrice: { price: 5 } } }, 'the mutation selects no id: the gateway adds it, and hides it');
  assert.deepEqual([cacheStatus(changed), changed.headers.get('cache-control')], ['BYPASS', 'no-store']);

  const one = await query(productOne);
  assert.deepEqual([cacheStatus(one), one.body.data?.product.price], ['MISS', 5]);
  assert.equal(cacheStatus(await query(productTwo)), 'HIT', 'product 2 did not change');
  assert.equal(cacheStatus(await query(allProducts)), 'MISS', 'the list holds product 1');
  assert.deepEqual([catalog.calls('/products/1'), catalog.calls('/products/2'), catalog.calls('/products')], [2, 1, 2]);
});

test('the purge endpoint removes all entries, a type, or one entity, for consumers with the purge scope only', async (t) => {
  const catalog = await startCatalogService(t);
  const { query, purge } = await startCachedGateway(t, catalog);
  const warm = async () => {
    for (const text of [productOne, productTwo, allProducts]) await query(text);
    await query('{ account { owner } }', 'a');
  };
  await warm();

  const refused = [await purge({ all: true }), await purge({ all: true }, 'a')];
  assert.deepEqual(
    refused.map((response) => [response.status, response.body.errors?.[0]?.extensions?.code, response.body.errors?.[0]?.message]),
    [
      [401, 'UNAUTHENTICATED', 'Purging the response cache needs an authenticated caller.'],
      [403, 'FORBIDDEN', 'Purging the response cache needs the scope cache:purge.'],
    ],
  );
  const bad = await purge({ type: 'Product', all: true }, 'admin');
  assert.deepEqual(
    [bad.status, bad.body.errors?.[0]?.message],
    [400, 'Expected a JSON body { "all": true }, { "type": "<Type>" } or { "type": "<Type>", "id": "<id>" }, got {"type":"Product","all":true}'],
  );
  assert.equal(cacheStatus(await query(productOne)), 'HIT', 'refused purges removed nothing');

  assert.deepEqual((await purge({ type: 'Product', id: '2' }, 'admin')).body, { purged: 2 }, 'product 2 and the list');
  assert.deepEqual([cacheStatus(await query(productOne)), cacheStatus(await query(productTwo))], ['HIT', 'MISS']);
  assert.deepEqual((await purge({ type: 'Account' }, 'admin')).body, { purged: 1 });
  assert.equal(cacheStatus(await query('{ account { owner } }', 'a')), 'MISS');
  assert.deepEqual((await purge({ all: true }, 'admin')).body, { purged: 3 }, 'products 1 and 2, and the account');
  assert.equal(cacheStatus(await query(productOne)), 'MISS');
});

test('ETag is the hash of the body, and a matching If-None-Match gets 304, over POST and GET', async (t) => {
  const catalog = await startCatalogService(t);
  const { gateway, query, purge } = await startCachedGateway(t, catalog);

  const first = await query(productOne);
  const etag = first.headers.get('etag');
  assert.equal(etag, `"${createHash('sha256').update(first.text).digest('base64url')}"`);
  const notModified = await query(productOne, undefined, { 'if-none-match': `"other", ${etag}` });
  assert.deepEqual(
    [notModified.status, notModified.text, notModified.headers.get('etag'), cacheStatus(notModified), notModified.headers.get('cache-control')],
    [304, '', etag, 'HIT', 'public, max-age=60'],
  );
  const url = `${gateway.endpoint}?query=${encodeURIComponent(productOne)}`;
  const overGet = await sendRaw(url, { headers: { accept: 'application/graphql-response+json', 'if-none-match': etag ?? '' } });
  assert.equal(overGet.status, 304);
  assert.equal((await query(productOne, undefined, { 'if-none-match': '"other"' })).status, 200);

  await purge({ all: true }, 'admin');
  const executed = await query(productOne, undefined, { 'if-none-match': etag ?? '' });
  assert.deepEqual([executed.status, cacheStatus(executed)], [304, 'MISS'], "a fresh answer equal to the client's copy is 304 too");
  assert.equal(catalog.calls('/products/1'), 2);
});

test('Cache-Control follows the hints, defaultMaxAge and ttlPerType; fields without a hint are not cached by default', async (t) => {
  const catalog = await startCatalogService(t);
  const strict = await startCachedGateway(t, catalog);
  const clock = await strict.query('{ clock }');
  assert.deepEqual([clock.headers.get('cache-control'), cacheStatus(clock)], ['no-store', 'BYPASS'], 'a root field without a hint takes defaultMaxAge, 0');
  assert.equal((await strict.query('{ clock product(id: "1") { name } }')).headers.get('cache-control'), 'no-store');

  const lenient = await startCachedGateway(t, catalog, { defaultMaxAge: 30, ttlPerType: { Product: 10 } });
  assert.equal((await lenient.query('{ clock }')).headers.get('cache-control'), 'public, max-age=30');
  assert.equal((await lenient.query('{ product(id: "1") { name } }')).headers.get('cache-control'), 'public, max-age=10');
  assert.equal(
    (await lenient.query('{ clock account { owner } }', 'a')).headers.get('cache-control'),
    'private, max-age=30',
    'the shortest maxAge, PRIVATE if any field is',
  );
});

test('includeExtensionMetadata adds extensions.responseCache and makes the ETag weak', async (t) => {
  const catalog = await startCatalogService(t);
  const { query } = await startCachedGateway(t, catalog, { includeExtensionMetadata: true });
  const miss = await query(productOne);
  const hit = await query(productOne);
  assert.deepEqual(miss.body, { data: { product: { name: 'Tea', price: 3 } }, extensions: { responseCache: { hit: false, ttl: 60 } } });
  assert.deepEqual([cacheStatus(hit), (hit.body as { extensions?: unknown }).extensions], ['HIT', { responseCache: { hit: true, ttl: 60 } }]);
  assert.match(hit.headers.get('etag') ?? '', /^W\/"[\w-]{43}"$/);
  assert.equal(hit.headers.get('etag'), miss.headers.get('etag'));
});

test('without responseCache.enabled nothing is cached and no caching header is added', async (t) => {
  const catalog = await startCatalogService(t);
  const gateway = await startTestGateway(t, { catalog: { kind: 'rest', url: catalog.url, sdl: catalogSdl } });
  for (let round = 0; round < 2; round++) {
    const response = await sendRaw(gateway.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: productOne }),
    });
    assert.deepEqual([response.headers.get('x-cache'), response.headers.get('etag')], [null, null]);
  }
  assert.equal(catalog.calls('/products/1'), 2);
  assert.equal((await sendRaw(`${gateway.url}/_concierge/cache`, { method: 'POST', body: '{"all":true}' })).status, 404);
});

test("the example shop's hints: the catalogue for a minute, stock for 5 s, me per user", async (t) => {
  const shop = await startShop(t, {
    adjust: (config) => void (config.responseCache = normalizeResponseCacheOptions({ enabled: true }, { check: createChecker([]), baseDir: root })),
  });
  const asUser2 = { authorization: `Bearer ${await mintDevToken({ sub: '2', scopes: [] })}` };
  shop.services.resetRequestCounts();

  const catalogue = await postGraphQL(shop.endpoint, '{ products(first: 2) { name price } }');
  assert.deepEqual(
    [catalogue.headers.get('cache-control'), cacheStatus(await postGraphQL(shop.endpoint, '{ products(first: 2) { name price } }'))],
    ['public, max-age=60', 'HIT'],
  );
  const page = await postGraphQL(shop.endpoint, ProductPageDocument, { id: '7' });
  assert.equal(page.headers.get('cache-control'), 'public, max-age=5', 'Product.inventory is live stock');
  const me = '{ me { name } }';
  const [one, two] = [await postGraphQL(shop.endpoint, me, undefined, shop.asUser1), await postGraphQL(shop.endpoint, me, undefined, asUser2)];
  assert.deepEqual([one.headers.get('cache-control'), cacheStatus(two)], ['private, max-age=30', 'MISS']);
  assert.notEqual(one.body.data?.me.name, two.body.data?.me.name);
  assert.equal((await postGraphQL(shop.endpoint, me, undefined, shop.asUser1)).text, one.text);
  assert.equal((await postGraphQL(shop.endpoint, me)).headers.get('cache-control'), 'no-store', 'anonymous: UNAUTHENTICATED, never cached');
  assert.deepEqual(shop.services.requestCounts(), { users: 2, orders: 0, products: 2, inventory: 1, payments: 0, shipping: 0 });

  assert.equal(cacheStatus(await postGraphQL(shop.endpoint, ProductPageDocument, { id: '7' })), 'HIT');
  const order = await postGraphQL(
    shop.endpoint,
    CreateOrderDocument,
    { input: { items: [{ productId: '7', quantity: 1 }] } },
    { authorization: `Bearer ${await mintDevToken({ sub: '2', scopes: ['orders:read', 'orders:write'] })}` },
  );
  assert.deepEqual(Object.keys(order.body.data?.createOrder.items[0]?.product ?? {}), ['id', 'name'], 'merged across services, without the added fields');
  assert.equal(cacheStatus(await postGraphQL(shop.endpoint, ProductPageDocument, { id: '7' })), 'MISS', 'the order returned product 7 (its stock changed)');
});
