import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { startFederation } from './helpers/federation-gateways.ts';
import { printPlan } from '../src/execution/print-plan.ts';
import { link, type Reference, type SubgraphOptions } from './helpers/federation-subgraph.ts';

/**
 * `@requires` of one field with different arguments (`price(currency: "USD")` for one field,
 * `price(currency: "EUR")` for another, as Federation allows): each value travels under an internal
 * key of its own, and since a representation has one `price`, the fields needing different ones are
 * answered by separate `_entities` calls. Nested arguments (`category { average(currency:) }`) too.
 */

const rates: Record<string, number> = { USD: 1, EUR: 2, GBP: 3 };
const items = [
  { sku: 's1', title: 'Lamp', price: 10, weight: 2, category: { base: 7 } },
  { sku: 's2', title: 'Desk', price: 30, weight: 5, category: { base: 20 } },
];
const bySku = (reference: Reference) => items.find((item) => item.sku === reference['sku']);
const number = (value: unknown, what: string): number => {
  if (typeof value !== 'number') throw new Error(`${what} missing from the representation: ${JSON.stringify(value)}`);
  return value;
};

const subgraphs: Record<string, SubgraphOptions> = {
  catalog: {
    sdl: `${link('key')}
      type Item @key(fields: "sku") {
        sku: String! title: String! weight: Int!
        price(currency: String!): Int!
        category: Category!
      }
      type Category { average(currency: String!): Int! }
      type Query { items: [Item!]! }`,
    resolvers: {
      Query: { items: () => items },
      Item: { price: (item: { price: number }, { currency }: { currency: string }) => item.price * (rates[currency] ?? Number.NaN) },
      Category: { average: (category: { base: number }, { currency }: { currency: string }) => category.base * (rates[currency] ?? Number.NaN) },
    },
    entities: ['Item'],
    resolve: (reference) => bySku(reference) ?? null,
  },
  shipping: {
    sdl: `${link('key', 'external', 'requires')}
      type Item @key(fields: "sku") {
        sku: String!
        weight: Int! @external
        price(currency: String!): Int! @external
        category: Category! @external
        costUSD: Int! @requires(fields: "price(currency: \\"USD\\") weight")
        costEUR: Int! @requires(fields: "price(currency: \\"EUR\\") weight")
        premium: Boolean! @requires(fields: "category { average(currency: \\"GBP\\") }")
      }
      type Category @external { average(currency: String!): Int! }`,
    resolvers: {
      Item: {
        costUSD: (item: Reference) => number(item['price'], 'price') * number(item['weight'], 'weight'),
        costEUR: (item: Reference) => number(item['price'], 'price') * number(item['weight'], 'weight'),
        premium: (item: Reference) => number((item['category'] as Reference | undefined)?.['average'], 'category.average') > 30,
      },
    },
    entities: ['Item'],
    resolve: (reference) => ({ ...reference }),
  },
};

const start = (t: TestContext) => startFederation(t, subgraphs);

test('@requires of one field with different arguments: each requiring field gets the value of its own arguments', async (t) => {
  const gateways = await start(t);
  const { body, calls } = await gateways.ask('{ items { sku title costUSD costEUR premium } }');
  assert.deepEqual(body, {
    data: {
      items: [
        { sku: 's1', title: 'Lamp', costUSD: 20, costEUR: 40, premium: false },
        { sku: 's2', title: 'Desk', costUSD: 150, costEUR: 300, premium: true },
      ],
    },
  });
  assert.deepEqual(calls, { catalog: 1, shipping: 2 }, 'the items with both prices in one call; one shipping call per price');
  const sent = gateways.servers['shipping']!.representations();
  const prices = sent.map((representations) => representations.map((representation) => representation['price']));
  assert.deepEqual(prices.sort(), [
    [10, 30],
    [20, 60],
  ]);
});

test('@requires with arguments, one requiring field alone: one call, the price of its arguments', async (t) => {
  const gateways = await start(t);
  const { body, calls } = await gateways.ask('{ items { costEUR } }');
  assert.deepEqual(body, { data: { items: [{ costEUR: 40 }, { costEUR: 300 }] } });
  assert.deepEqual(calls, { catalog: 1, shipping: 1 });
});

test('@requires with nested arguments next to the client selecting the same field with others', async (t) => {
  const gateways = await start(t);
  const { body } = await gateways.ask('{ items { premium price(currency: "EUR") category { average(currency: "USD") } } }');
  assert.deepEqual(body, {
    data: {
      items: [
        { premium: false, price: 20, category: { average: 7 } },
        { premium: true, price: 60, category: { average: 20 } },
      ],
    },
  });
});

test('@requires with arguments, planned: the printed plan shows two calls to shipping under the catalog call', async (t) => {
  const gateways = await start(t);
  const plan = gateways.plan('{ items { costUSD costEUR } }');
  const printed = printPlan(plan);
  assert.match(
    printed,
    /__key_price_\w+: price\(currency: "USD"\)[\s\S]*__key_price_\w+: price\(currency: "EUR"\)/,
    'both prices, each under a key of its own',
  );
  assert.match(
    printed,
    /Parallel \{\s*Flatten\(path: "items\.@"\) \{\s*Fetch\(service: "shipping"\)[\s\S]*costUSD[\s\S]*Flatten\(path: "items\.@"\) \{\s*Fetch\(service: "shipping"\)[\s\S]*costEUR/,
  );
});
