import assert from 'node:assert/strict';
import { test } from 'node:test';
import { link, type Reference } from './helpers/federation-subgraph.ts';
import { startFederation } from './helpers/federation-gateways.ts';

/**
 * Keys as the planner uses them: a compound key with a nested field is sent whole; of several keys,
 * the one the target subgraph resolves by is fetched first; a `@key(resolvable: false)` subgraph
 * only references the entity and is never sent `_entities`.
 */

const accounts = [
  { id: 'a1', org: { id: 'o1' }, name: 'Ada' },
  { id: 'a1', org: { id: 'o2' }, name: 'Ada (consulting)' },
];

test('a compound key with a nested field: each representation carries all of it, fetched though the client selects none of it', async (t) => {
  const gateways = await startFederation(t, {
    directory: {
      sdl: `${link('key', 'shareable')}
        type Org @shareable { id: ID! }
        type Account @key(fields: "id org { id }") { id: ID! org: Org! }
        type Query { accounts: [Account!]! }`,
      resolvers: { Query: { accounts: () => accounts.map(({ id, org }) => ({ id, org })) } },
    },
    profiles: {
      sdl: `${link('key', 'shareable')}
        type Org @shareable { id: ID! }
        type Account @key(fields: "id org { id }") { id: ID! org: Org! name: String! }`,
      entities: ['Account'],
      resolve: (reference) =>
        accounts.find((account) => account.id === reference['id'] && account.org.id === (reference['org'] as Reference | undefined)?.['id']) ?? null,
    },
  });
  const { body, calls } = await gateways.ask('{ accounts { name } }');
  assert.deepEqual(body, { data: { accounts: [{ name: 'Ada' }, { name: 'Ada (consulting)' }] } });
  assert.deepEqual(calls, { directory: 1, profiles: 1 });
  assert.deepEqual(gateways.servers['profiles']?.representations(), [
    [
      { __typename: 'Account', id: 'a1', org: { id: 'o1' } },
      { __typename: 'Account', id: 'a1', org: { id: 'o2' } },
    ],
  ]);
});

const goods = [
  { upc: 'p1', sku: 'S-1', name: 'Table' },
  { upc: 'p2', sku: 'S-2', name: 'Chair' },
];
const stock: Record<string, number> = { 'S-1': 4, 'S-2': 0 };

test('several keys and @key(resolvable: false): products is asked by upc for the sku inventory resolves by, reviews is never asked', async (t) => {
  const gateways = await startFederation(t, {
    products: {
      sdl: `${link('key')}
        type Product @key(fields: "upc") @key(fields: "sku") { upc: String! sku: String! name: String! }`,
      entities: ['Product'],
      resolve: (reference) => goods.find((good) => good.upc === reference['upc'] || good.sku === reference['sku']) ?? null,
    },
    inventory: {
      sdl: `${link('key')}
        type Product @key(fields: "sku") { sku: String! stock: Int! }`,
      entities: ['Product'],
      resolve: (reference) => ({ sku: reference['sku'], stock: stock[reference['sku'] as string] }),
    },
    reviews: {
      sdl: `${link('key')}
        type Product @key(fields: "upc", resolvable: false) { upc: String! }
        type Review { body: String! product: Product! }
        type Query { reviews: [Review!]! }`,
      resolvers: {
        Query: {
          reviews: () => [
            { body: 'Sturdy', product: { upc: 'p1' } },
            { body: 'Wobbly', product: { upc: 'p2' } },
          ],
        },
      },
    },
  });
  const { body, calls } = await gateways.ask('{ reviews { body product { name stock } } }');
  assert.deepEqual(body, {
    data: {
      reviews: [
        { body: 'Sturdy', product: { name: 'Table', stock: 4 } },
        { body: 'Wobbly', product: { name: 'Chair', stock: 0 } },
      ],
    },
  });
  assert.deepEqual(calls, { reviews: 1, products: 1, inventory: 1 });
  assert.deepEqual(gateways.servers['products']?.representations(), [
    [
      { __typename: 'Product', upc: 'p1' },
      { __typename: 'Product', upc: 'p2' },
    ],
  ]);
  assert.deepEqual(gateways.servers['inventory']?.representations(), [
    [
      { __typename: 'Product', sku: 'S-1' },
      { __typename: 'Product', sku: 'S-2' },
    ],
  ]);
});

const shelfItems = [
  { id: 'i1', sku: 'K-1' },
  { id: 'i2', sku: 'K-2' },
];

test('a nested key field the parent subgraph lacks: fetched from a third subgraph first, then the entity call waits for it', async (t) => {
  const gateways = await startFederation(t, {
    catalog: {
      // Knows the shelf's items, but only their ids.
      sdl: `${link('key')}
        type Item @key(fields: "id") { id: ID! }
        type Shelf @key(fields: "items { id }") { items: [Item!]! }
        type Query { shelf: Shelf! }`,
      resolvers: { Query: { shelf: () => ({ items: shelfItems.map(({ id }) => ({ id })) }) } },
    },
    codes: {
      sdl: `${link('key', 'shareable')}
        type Item @key(fields: "id") { id: ID! sku: String! @shareable }`,
      entities: ['Item'],
      resolve: (reference) => shelfItems.find((item) => item.id === reference['id']) ?? null,
    },
    picks: {
      // Finds a shelf by its items' ids and skus: the sku must be in every representation.
      sdl: `${link('key')}
        type Item @key(fields: "id sku") { id: ID! sku: String! }
        type Shelf @key(fields: "items { id sku }") { items: [Item!]! best: Item }`,
      entities: ['Shelf', 'Item'],
      resolve: (reference) => {
        if (reference.__typename !== 'Shelf') return null;
        const items = reference['items'] as Reference[];
        if (!items.every((item) => typeof item['sku'] === 'string')) return new Error(`a shelf without skus: ${JSON.stringify(items)}`);
        return { items, best: items.at(-1) };
      },
    },
  });
  const { body, calls } = await gateways.ask('{ shelf { items { id } best { id sku } } }');
  assert.deepEqual(body, { data: { shelf: { items: [{ id: 'i1' }, { id: 'i2' }], best: { id: 'i2', sku: 'K-2' } } } });
  assert.deepEqual(calls, { catalog: 1, codes: 1, picks: 1 });
  assert.deepEqual(gateways.servers['picks']?.representations(), [
    [
      {
        __typename: 'Shelf',
        items: [
          { id: 'i1', sku: 'K-1' },
          { id: 'i2', sku: 'K-2' },
        ],
      },
    ],
  ]);
});
