import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { shopSdl, startShopService } from './helpers/client-shop.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';

type Image = { url: string; width: number };
const smallest = (product: Record<string, unknown>) => (product['images'] as Image[]).reduce((best, image) => (image.width < best.width ? image : best)).url;

/** A gateway whose `app` profile (the default) has computed fields: one fine, one failing on product 2, one that never answers. */
async function startAdapterShop(t: TestContext, extra: Record<string, unknown> = {}) {
  const service = await startShopService(t);
  const gateway = await startTestGateway(
    t,
    { shop: { kind: 'graphql', url: service.url, sdl: shopSdl } },
    {
      clients: {
        app: {
          default: true,
          fields: {
            'Product.thumbnail': { type: 'String', requires: 'images { url width }', resolve: smallest },
            'Product.label': {
              type: 'String',
              requires: 'id name',
              resolve: (product: Record<string, unknown>) => {
                if (product['id'] === '2') throw new Error('no label for 2');
                return `${String(product['name'])} (#${String(product['id'])})`;
              },
            },
            'Product.widths': {
              type: '[Int]',
              requires: 'images { width }',
              resolve: async (product: Record<string, unknown>) => (product['images'] as Image[]).map((image) => image.width),
            },
            'Product.slow': {
              type: 'String',
              requires: 'id',
              timeout: '20ms',
              resolve: (product: Record<string, unknown>) => (product['id'] === '1' ? new Promise<string>(() => {}) : 'quick'),
            },
          },
        },
      },
      ...extra,
    },
  );
  return { service, endpoint: gateway.endpoint };
}

for (const queryPlanner of [undefined, false] as const) {
  const how = queryPlanner === false ? 'through stitching' : 'through the query planner';
  test(`computed fields are fetched with their object, in one upstream call, and computed in the gateway (${how})`, async (t) => {
    const { endpoint, service } = await startAdapterShop(t, queryPlanner === false ? { queryPlanner: false } : {});
    const answer = await postGraphQL(endpoint, '{ products { id thumbnail name widths } }');
    assert.equal(answer.status, 200);
    assert.equal(
      answer.text,
      JSON.stringify({
        data: {
          products: [
            { id: '1', thumbnail: 'https://img/1-small.jpg', name: 'Kettle', widths: [1200, 160] },
            { id: '2', thumbnail: 'https://img/2-big.jpg', name: 'Teapot', widths: [1000] },
          ],
        },
      }),
      'computed values sit where they were asked, and no helper reaches the client',
    );
    assert.equal(service.documents.length, 1, 'one upstream call');
    assert.match(service.documents[0] ?? '', /images\s*\{\s*url\s+width\s*\}/);

    // The client's own selection of the same field is kept apart from what the computed field needs.
    const both = await postGraphQL(endpoint, '{ products { images { url } small: thumbnail } }');
    assert.deepEqual(both.body, {
      data: {
        products: [
          { images: [{ url: 'https://img/1-big.jpg' }, { url: 'https://img/1-small.jpg' }], small: 'https://img/1-small.jpg' },
          { images: [{ url: 'https://img/2-big.jpg' }], small: 'https://img/2-big.jpg' },
        ],
      },
    });
    assert.equal(service.documents.length, 2);

    // Nothing is fetched for a computed field that is not selected.
    await postGraphQL(endpoint, '{ products { id } }');
    assert.doesNotMatch(service.documents[2] ?? '', /images/);
  });
}

test('a failing computed field is null with INTERNAL_SERVER_ERROR on its own path; the rest of the answer stands', async (t) => {
  const { endpoint } = await startAdapterShop(t);
  const answer = await postGraphQL(endpoint, '{ products { id label } }');
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.body.data, {
    products: [
      { id: '1', label: 'Kettle (#1)' },
      { id: '2', label: null },
    ],
  });
  assert.equal(answer.body.errors?.length, 1);
  assert.deepEqual(answer.body.errors?.[0]?.path, ['products', 1, 'label']);
  assert.equal(answer.body.errors?.[0]?.extensions?.code, 'INTERNAL_SERVER_ERROR');
  assert.equal(answer.body.errors?.[0]?.message, 'Computed field Product.label failed.');
  assert.doesNotMatch(answer.text, /no label for 2|stack/);
});

test('an asynchronous computed field past its timeout is null with GATEWAY_TIMEOUT on its own path', async (t) => {
  const { endpoint } = await startAdapterShop(t);
  const answer = await postGraphQL(endpoint, '{ products { id slow } }');
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.body.data, {
    products: [
      { id: '1', slow: null },
      { id: '2', slow: 'quick' },
    ],
  });
  assert.deepEqual(
    answer.body.errors?.map((error) => [error.path, error.extensions?.code, error.message]),
    [[['products', 0, 'slow'], 'GATEWAY_TIMEOUT', 'Computed field Product.slow took longer than 20 ms.']],
  );
});

test('computed fields under a union and in fragments: the object type decides, and no helper is left', async (t) => {
  const { endpoint, service } = await startAdapterShop(t);
  const answer = await postGraphQL(endpoint, '{ feed { ... on Product { id ...Thumb } } } fragment Thumb on Product { thumbnail }');
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.body, { data: { feed: [{ id: '1', thumbnail: 'https://img/1-small.jpg' }, {}] } });
  assert.doesNotMatch(answer.text, /_concierge/);
  assert.equal(service.documents.length, 1);
});
