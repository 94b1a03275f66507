import assert from 'node:assert/strict';
import { test } from 'node:test';
import { link, type SubgraphOptions } from './helpers/federation-subgraph.ts';
import { errorsOf, startFederation } from './helpers/federation-gateways.ts';

/**
 * A `@shareable` root field several subgraphs answer: each is asked for the root field with the
 * fields it resolves, all at once, rather than the first one and then entity calls; the answers
 * merge into the objects of the subgraph the planner chose (list items by position). That
 * subgraph's answer decides whether an object is there; a share that fails fails only its fields.
 */

const item = { id: 'p1', name: 'Lamp', price: 30, stock: 4 };
const items = [item, { id: 'p2', name: 'Desk', price: 120, stock: 0 }];
const noEntities = () => new Error('asked by key: the root field answers this');

function shop(part: 'name' | 'price' | 'stock', options: { failing?: boolean; missing?: boolean; lacksSecond?: boolean } = {}): SubgraphOptions {
  const pick = (product: typeof item) => ({ id: product.id, [part]: product[part] });
  const fail = () => {
    throw new Error(`${part} is down`);
  };
  return {
    sdl: `${link('key', 'shareable')}
      type Product @key(fields: "id") { id: ID! ${part}: ${part === 'name' ? 'String' : 'Int'} }
      type Query { product: Product @shareable products: [Product] @shareable }`,
    resolvers: {
      Query: {
        product: options.failing ? fail : () => (options.missing ? null : pick(item)),
        products: options.failing ? fail : () => items.map((product, index) => (options.lacksSecond && index === 1 ? null : pick(product))),
      },
    },
    entities: ['Product'],
    resolve: noEntities,
  };
}

test('a shareable root field: every subgraph is asked for its own fields at once, no entity call', async (t) => {
  const gateways = await startFederation(t, { name: shop('name'), price: shop('price'), stock: shop('stock') });
  const { body, calls } = await gateways.ask('{ product { id name price stock } }');
  assert.deepEqual(body, { data: { product: { id: 'p1', name: 'Lamp', price: 30, stock: 4 } } });
  assert.deepEqual(calls, { name: 1, price: 1, stock: 1 });
  for (const name of ['name', 'price', 'stock']) assert.deepEqual(gateways.servers[name]?.representations(), [], `${name} is never asked by key`);
  const list = await gateways.ask('{ products { name stock id } }');
  assert.deepEqual(list.body, {
    data: {
      products: [
        { name: 'Lamp', stock: 4, id: 'p1' },
        { name: 'Desk', stock: 0, id: 'p2' },
      ],
    },
  });
});

test('a share that fails: its fields are null with its error on each object, the others keep their data', async (t) => {
  const gateways = await startFederation(t, { name: shop('name'), price: shop('price'), stock: shop('stock', { failing: true }) });
  const { body } = await gateways.ask('{ products { id name price stock } }');
  assert.deepEqual(body.data, {
    products: [
      { id: 'p1', name: 'Lamp', price: 30, stock: null },
      { id: 'p2', name: 'Desk', price: 120, stock: null },
    ],
  });
  // The subgraph's own error, its code kept, from the service that failed.
  assert.deepEqual(errorsOf(body), [
    [['products', 0, 'stock'], 'INTERNAL_SERVER_ERROR', 'stock'],
    [['products', 1, 'stock'], 'INTERNAL_SERVER_ERROR', 'stock'],
  ]);
});

test('the chosen subgraph decides whether an object is there: a share answered for a missing object or list item is dropped', async (t) => {
  const gateways = await startFederation(t, { name: shop('name', { missing: true, lacksSecond: true }), price: shop('price'), stock: shop('stock') });
  const { body } = await gateways.ask('{ product { name price stock } }');
  assert.deepEqual(body, { data: { product: null } });
  const list = await gateways.ask('{ products { name price stock } }');
  assert.deepEqual(list.body, { data: { products: [{ name: 'Lamp', price: 30, stock: 4 }, null] } });
});

test('shares of a shareable root list with object fields: each subgraph answers its own objects, merged item by item', async (t) => {
  const catalog = [
    { id: 'p1', label: { brand: 'Acme', model: 'A1' }, cost: { amount: 30, currency: 'EUR' } },
    { id: 'p2', label: { brand: 'Bolt', model: 'B2' }, cost: { amount: 120, currency: 'EUR' } },
  ];
  const gateways = await startFederation(t, {
    labels: {
      sdl: `${link('key', 'shareable')}
        type Label { brand: String! model: String! }
        type Product @key(fields: "id") { id: ID! label: Label }
        type Query { products: [Product] @shareable }`,
      resolvers: { Query: { products: () => catalog.map(({ id, label }) => ({ id, label })) } },
      entities: ['Product'],
      resolve: noEntities,
    },
    costs: {
      sdl: `${link('key', 'shareable')}
        type Cost { amount: Int! currency: String! }
        type Product @key(fields: "id") { id: ID! cost: Cost }
        type Query { products: [Product] @shareable }`,
      resolvers: { Query: { products: () => catalog.map(({ id, cost }) => ({ id, cost })) } },
      entities: ['Product'],
      resolve: noEntities,
    },
  });
  const { body, calls } = await gateways.ask('{ products { id label { brand model } cost { amount currency } } }');
  assert.deepEqual(body, {
    data: {
      products: [
        { id: 'p1', label: { brand: 'Acme', model: 'A1' }, cost: { amount: 30, currency: 'EUR' } },
        { id: 'p2', label: { brand: 'Bolt', model: 'B2' }, cost: { amount: 120, currency: 'EUR' } },
      ],
    },
  });
  assert.deepEqual(calls, { labels: 1, costs: 1 });
});
