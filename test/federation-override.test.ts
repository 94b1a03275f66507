import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { decideOverrideLabels, overrideLabelKey } from '../src/execution/override-labels.ts';
import { engineOf, graphsOf, runPlanned } from './helpers/federation-engine.ts';
import { link, linkAt, type Reference } from './helpers/federation-subgraph.ts';
import { startFederation } from './helpers/federation-gateways.ts';
import { postGraphQL } from './helpers/graphql-request.ts';

/**
 * `@override(from:)` moves a field to the overriding subgraph; `@override(from:, label:
 * "percent(n)")` moves it for a share of the requests: each request decides once whether the label
 * is active (n% of them), and is planned for that decision. The random source is injected, so each
 * way is forced here.
 */

const goods = [
  { upc: 'p1', name: 'Table', price: 100, weight: 20 },
  { upc: 'p2', name: 'Chair', price: 40, weight: 5 },
];
const byUpc = (reference: Reference) => goods.find((good) => good.upc === reference['upc']) ?? null;

const subgraphs = {
  legacy: {
    sdl: `${link('key')}
      type Product @key(fields: "upc") { upc: String! name: String! price: Int! weight: Int! }
      type Query { products: [Product!]! }`,
    resolvers: { Query: { products: () => goods } },
    entities: ['Product'],
    resolve: byUpc,
  },
  pricing: {
    sdl: `${linkAt('2.7', 'key', 'override')}
      type Product @key(fields: "upc") {
        upc: String!
        price: Int! @override(from: "legacy", label: "percent(25)")
        weight: Int! @override(from: "legacy")
      }`,
    entities: ['Product'],
    // The same prices, as during a migration; the weights in grams tell which subgraph answered.
    resolve: (reference: Reference) => {
      const good = byUpc(reference);
      return good && { upc: good.upc, price: good.price, weight: good.weight * 1000 };
    },
  },
};

const start = (t: TestContext) => startFederation(t, subgraphs, { stitched: true });

test('@override(from:) without a label: the overriding subgraph always answers the field, and the plan asks it', async (t) => {
  const gateways = await start(t);
  const { body, calls } = await gateways.ask('{ products { name weight } }');
  assert.deepEqual(body, { data: { products: [{ name: 'Table', weight: 20000 }, { name: 'Chair', weight: 5000 }] } });
  assert.deepEqual(calls, { legacy: 1, pricing: 1 });
  assert.deepEqual((await postGraphQL(gateways.stitched?.endpoint as string, '{ products { name weight } }')).body, body);
});

test('percent(n) with its label active: the overriding subgraph answers; inactive: the one it overrides, with no call to the other', async (t) => {
  const gateways = await start(t);
  const query = '{ products { name price } }';
  const answer = { data: { products: [{ name: 'Table', price: 100 }, { name: 'Chair', price: 40 }] } };
  const active = await runPlanned(engineOf(gateways.planned.gateway), query, decideOverrideLabels(['percent(25)'], { random: () => 0.2 }));
  assert.deepEqual(active.body, answer);
  assert.deepEqual(graphsOf(active.fetches), ['legacy', 'pricing']);
  assert.deepEqual(gateways.calls(), { legacy: 1, pricing: 1 });
  const inactive = await runPlanned(engineOf(gateways.planned.gateway), query, decideOverrideLabels(['percent(25)'], { random: () => 0.25 }));
  assert.deepEqual(inactive.body, answer);
  assert.deepEqual(graphsOf(inactive.fetches), ['legacy']);
  assert.deepEqual(gateways.calls(), { legacy: 2, pricing: 1 });
});

test('one draw per label and request: every field the label decides agrees, and non-percent labels are active as told', () => {
  let draws = 0;
  const random = () => (draws++ === 0 ? 0.1 : 0.9);
  assert.deepEqual([...decideOverrideLabels(['percent(25)', 'beta', 'percent(50)', 'gamma'], { random, isActive: (label) => label === 'beta' })], ['percent(25)', 'beta']);
  assert.equal(draws, 2);
  assert.deepEqual([...decideOverrideLabels(['percent(0)', 'percent(100)', 'beta'], { random: () => 0 })], ['percent(100)']);
  assert.equal(overrideLabelKey(new Set(['percent(5)', 'beta'])), overrideLabelKey(new Set(['beta', 'percent(5)'])));
});

test('without the request\'s labels the planner leaves a field a label decides to stitching, saying why; other fields are planned', async (t) => {
  const gateways = await start(t);
  assert.equal(gateways.declines('{ products { price } }'), 'Product.price has a progressive @override (label "percent(25)"): which subgraph answers depends on the request\'s labels, which the planner was not given');
  assert.equal(gateways.declines('{ products { name weight } }'), undefined);
  const { body } = await postGraphQL(gateways.planned.endpoint, '{ products { upc price } }');
  assert.deepEqual(body, { data: { products: [{ upc: 'p1', price: 100 }, { upc: 'p2', price: 40 }] } }, 'stitching answers it');
});
