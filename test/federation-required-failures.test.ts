import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { GraphQLError } from 'graphql';
import { faultySubgraphs, injectFault, type RequiresFault } from './helpers/differential-requires.ts';
import { startFederation } from './helpers/federation-gateways.ts';
import { link, type Reference } from './helpers/federation-subgraph.ts';
import type { ClientError } from './helpers/graphql-request.ts';

/**
 * When a subgraph fails a field, the client sees what one graphql-js server would answer: the error
 * at the client's field (under its alias), once, and the nulls it explains. A field the plan fetched
 * only for another call (a key, a `@requires` field, under an internal `__key_*` alias) never shows
 * in an error path: its error lands on the client's fields that required it.
 */

const errorsAs = (errors: readonly ClientError[] | undefined) => errors?.map(({ message, path, extensions }) => [message, path, extensions?.code]);

async function askFaulty(t: TestContext, query: string, fault: RequiresFault) {
  const gateways = await startFederation(t, faultySubgraphs);
  t.after(() => injectFault(undefined));
  injectFault(fault);
  const { body } = await gateways.ask(query);
  return { data: body.data, errors: errorsAs(body.errors) };
}

test('a subgraph answering null for a non-null root field because a field inside failed: its error alone, no second one at the root', async (t) => {
  assert.deepEqual(await askFaulty(t, '{ stock { upc inStock } }', { graph: 'inventory', upc: 'p1' }), {
    data: null,
    errors: [['inventory cannot answer for p1', ['stock', 0, 'inStock'], 'GATEWAY_TIMEOUT']],
  });
});

test("a failed @requires fetch: its error on the field that required it, under the client's alias, and nothing on the plan's own keys", async (t) => {
  const products = { graph: 'products', upc: 'p2' } as const;
  assert.deepEqual(await askFaulty(t, '{ stock { upc eta: shippingEstimate } }', products), {
    data: null,
    errors: [['products cannot answer for p2', ['stock', 1, 'eta'], 'SERVICE_UNAVAILABLE']],
  });
});

test('the same for a required field with a selection (packing), along a chain (insurance) and from the root call itself (label)', async (t) => {
  assert.deepEqual(await askFaulty(t, '{ stock { upc packing } }', { graph: 'products', upc: 'p2' }), {
    data: null,
    errors: [['products cannot answer for p2', ['stock', 1, 'packing'], 'SERVICE_UNAVAILABLE']],
  });
  assert.deepEqual(await askFaulty(t, '{ products { insurance } }', { graph: 'inventory', upc: 'p1' }), {
    data: null,
    errors: [['inventory cannot answer for p1', ['products', 0, 'insurance'], 'GATEWAY_TIMEOUT']],
  });
  assert.deepEqual(await askFaulty(t, '{ stock { label } }', { graph: 'inventory', upc: 'p1' }), {
    data: null,
    errors: [['inventory cannot answer for p1', ['stock', 0, 'label'], 'GATEWAY_TIMEOUT']],
  });
});

const goods = [
  { upc: 'p1', name: 'Table' },
  { upc: 'p2', name: 'Chair' },
];

test("an object whose required field failed is still asked for the call's other fields; only the field that required it is null", async (t) => {
  const gateways = await startFederation(t, {
    inventory: {
      sdl: `${link('key')} type Product @key(fields: "upc") { upc: String! inStock: Boolean } type Query { stock: [Product!]! }`,
      resolvers: {
        Query: { stock: () => goods.map(({ upc }) => ({ upc })) },
        Product: {
          inStock: (product: Reference) =>
            product['upc'] === 'p2' ? new GraphQLError('inventory is down', { extensions: { code: 'GATEWAY_TIMEOUT' } }) : true,
        },
      },
    },
    products: {
      sdl: `${link('key', 'external', 'requires')} type Product @key(fields: "upc") { upc: String! name: String! inStock: Boolean @external label: String @requires(fields: "inStock") }`,
      resolvers: { Product: { label: (product: Reference) => `${String(product['name'])}${product['inStock'] === true ? '' : ' (sold out)'}` } },
      entities: ['Product'],
      resolve: (reference) => ({ ...goods.find((good) => good.upc === reference['upc']), ...reference }),
    },
  });
  const { body, calls } = await gateways.ask('{ stock { upc name label } }');
  assert.deepEqual(body.data, {
    stock: [
      { upc: 'p1', name: 'Table', label: 'Table' },
      { upc: 'p2', name: 'Chair', label: null },
    ],
  });
  assert.deepEqual(errorsAs(body.errors), [['inventory is down', ['stock', 1, 'label'], 'GATEWAY_TIMEOUT']]);
  assert.deepEqual(calls, { inventory: 1, products: 2 }, 'p2 in a call of its own, without label');
  const sent = gateways.servers['products']?.queries().filter((query) => query.includes('_entities')) ?? [];
  assert.deepEqual(sent.map((query) => query.includes('label')).sort(), [false, true]);
  assert.deepEqual(
    (gateways.servers['products']?.representations() ?? []).sort((a, b) => a.length - b.length || String(a[0]?.['upc']).localeCompare(String(b[0]?.['upc']))),
    [[{ __typename: 'Product', upc: 'p1', inStock: true }], [{ __typename: 'Product', upc: 'p2' }]],
  );
});
