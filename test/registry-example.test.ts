import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { OrderHistoryDocument } from '../generated/operations.ts';
import { seed } from '../examples/ecommerce/seed.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { answerFromVersion, runSchema } from './helpers/registry-remote.ts';
import { root, shopEnv, startShop } from './helpers/start-shop.ts';

const queryFields = '{ __type(name: "Query") { fields { name } } }';
const fieldNames = (data: unknown) => (data as { __type: { fields: Array<{ name: string }> } }).__type.fields.map((field) => field.name);

test('the example shop follows a registry: a team publishes a field through the gateway and it is served without a restart', {
  timeout: 180_000,
}, async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-example-registry-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // gateway.config.ts reads these when it is first loaded, as `npm start` would from the shell.
  Object.assign(process.env, {
    CONCIERGE_REGISTRY_DIR: path.join(dir, 'registry'),
    REGISTRY_ADMIN_TOKEN: 'admin-token-of-the-test',
    REGISTRY_PRODUCTS_TOKEN: 'products-token-of-the-test',
  });
  t.after(() => ['CONCIERGE_REGISTRY_DIR', 'REGISTRY_ADMIN_TOKEN', 'REGISTRY_PRODUCTS_TOKEN'].forEach((name) => delete process.env[name]));

  const shop = await startShop(t, {
    // `npx concierge schema import` before the gateway starts: the embedded store has one owner at a time.
    adjust: async (_config, services) => {
      const imported = await runSchema(['import', '--author', 'ops'], root, shopEnv(services.urls));
      assert.deepEqual([imported.code, imported.stdout], [0, 'imported users, orders, products, inventory, payments, shipping as graph v1\n'], imported.stderr);
    },
  });
  const before = await answerFromVersion(shop.endpoint, shop.gateway.gateway, 1, queryFields);
  assert.equal(fieldNames(before.body.data).includes('productCount'), false);

  const publish = ['publish', 'products', '--schema', 'examples/ecommerce/products-with-count.graphql', '--registry', shop.gateway.url];
  const refused = await runSchema(publish, root, { CONCIERGE_REGISTRY_TOKEN: 'wrong' });
  assert.deepEqual(
    [refused.code, refused.stderr],
    [
      2,
      `schema publish: the registry API at ${new URL(shop.gateway.url).origin} answered 401: The registry token is not valid. (--token <token> or CONCIERGE_REGISTRY_TOKEN)\n`,
    ],
  );
  const published = await runSchema(publish, root, { CONCIERGE_REGISTRY_TOKEN: 'products-token-of-the-test' });
  assert.deepEqual([published.code, published.stdout.trim().split('\n').at(-1)], [0, 'published products v2: graph v2'], published.stderr);

  const after = await answerFromVersion(shop.endpoint, shop.gateway.gateway, 2, queryFields);
  assert.equal(fieldNames(after.body.data).includes('productCount'), true);
  const counted = await postGraphQL(shop.endpoint, '{ productCount product(id: "1") { name } }');
  assert.deepEqual(counted.body, { data: { productCount: seed.products.length, product: { name: seed.productsById.get('1')?.name } } });
  const history = await postGraphQL(shop.endpoint, OrderHistoryDocument, { id: '1' }, shop.asUser1);
  assert.deepEqual(
    [history.body.errors, history.body.data?.user?.orders?.length],
    [undefined, 10],
    'authentication and authorization hold on the registry graph',
  );

  const registered = await runSchema(['history', 'products', '--registry', shop.gateway.url], root, { CONCIERGE_REGISTRY_TOKEN: 'admin-token-of-the-test' });
  assert.equal(
    registered.stdout.replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ/g, '<time>'),
    ['graph v2  products v2  publish  by token:products  <time>', 'graph v1  products v1  import   by ops             <time>', ''].join('\n'),
  );
});

test('the published example differs from schemas/products.graphql by the new field alone', async () => {
  const sdl = (text: string) => text.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
  const [current, next] = await Promise.all([
    readFile(path.join(root, 'schemas/products.graphql'), 'utf8'),
    readFile(path.join(root, 'examples/ecommerce/products-with-count.graphql'), 'utf8'),
  ]);
  assert.deepEqual(
    sdl(next).filter((line) => !sdl(current).includes(line)),
    ['  "How many products the catalogue has."', '  productCount: Int! @http(GET: "/products?limit=1", select: "total") @cacheControl(maxAge: 60)'],
  );
  assert.deepEqual(
    sdl(current).filter((line) => !sdl(next).includes(line)),
    [],
  );
});
