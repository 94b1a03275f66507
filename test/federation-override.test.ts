import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { parse, type DocumentNode } from 'graphql';
import { NotPlannable } from '../src/execution/collect-fields.ts';
import { createQueryPlanner, type PlannedExecution, type QueryPlanner } from '../src/execution/create-query-planner.ts';
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
  assert.deepEqual(body, {
    data: {
      products: [
        { name: 'Table', weight: 20000 },
        { name: 'Chair', weight: 5000 },
      ],
    },
  });
  assert.deepEqual(calls, { legacy: 1, pricing: 1 });
  assert.deepEqual((await postGraphQL(gateways.stitched?.endpoint as string, '{ products { name weight } }')).body, body);
});

test('percent(n) with its label active: the overriding subgraph answers; inactive: the one it overrides, with no call to the other', async (t) => {
  const gateways = await start(t);
  const query = '{ products { name price } }';
  const answer = {
    data: {
      products: [
        { name: 'Table', price: 100 },
        { name: 'Chair', price: 40 },
      ],
    },
  };
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
  assert.deepEqual(
    [...decideOverrideLabels(['percent(25)', 'beta', 'percent(50)', 'gamma'], { random, isActive: (label) => label === 'beta' })],
    ['percent(25)', 'beta'],
  );
  assert.equal(draws, 2);
  assert.deepEqual([...decideOverrideLabels(['percent(0)', 'percent(100)', 'beta'], { random: () => 0 })], ['percent(100)']);
  assert.equal(overrideLabelKey(new Set(['percent(5)', 'beta'])), overrideLabelKey(new Set(['beta', 'percent(5)'])));
});

test("without the request's labels the planner declines a field a label decides, saying why; other fields are planned", async (t) => {
  const gateways = await start(t);
  assert.equal(
    gateways.declines('{ products { price } }'),
    'Product.price has a progressive @override (label "percent(25)"): which subgraph answers depends on the request\'s labels, which the planner was not given',
  );
  assert.equal(gateways.declines('{ products { name weight } }'), undefined);
});

test('through the gateway, each request decides the labels and is planned for them: never left to stitching', async (t) => {
  const gateways = await start(t);
  const planner = gateways.planned.gateway.planner as QueryPlanner;
  for (let request = 0; request < 4; request++) {
    const before = gateways.calls();
    const { body } = await postGraphQL(gateways.planned.endpoint, '{ products { upc price } }');
    assert.deepEqual(body, {
      data: {
        products: [
          { upc: 'p1', price: 100 },
          { upc: 'p2', price: 40 },
        ],
      },
    });
    const after = gateways.calls();
    assert.equal(after['legacy'], (before['legacy'] ?? 0) + 1);
    assert.ok([0, 1].includes((after['pricing'] ?? 0) - (before['pricing'] ?? 0)), 'pricing is asked at most once, when the label is active');
  }
  assert.deepEqual([...planner.fallbacks()], [], 'no request went to stitching');
});

test('the planner decides the labels with the random source it is given, and caches a plan per decision that matters', async (t) => {
  const gateways = await start(t);
  const { schema, sources } = gateways.planned.gateway;
  let draw = 0;
  const planner = createQueryPlanner(schema, sources, { overrideLabels: { random: () => (draw++ % 2 === 0 ? 0.2 : 0.25) } }) as QueryPlanner;
  const execute = async (document: DocumentNode) => {
    const execution = planner.execute({ schema, document, contextValue: {} });
    assert.ok('plan' in execution, `not planned: ${'reason' in execution ? execution.reason : ''}`);
    return { plan: (execution as PlannedExecution).plan, body: await (execution as PlannedExecution).result };
  };
  // Yoga hands the planner the document it cached for the query text: one per text.
  const query = parse('{ products { name price } }');
  const active = await execute(query);
  const inactive = await execute(query);
  const answer = {
    data: {
      products: [
        { name: 'Table', price: 100 },
        { name: 'Chair', price: 40 },
      ],
    },
  };
  assert.deepEqual([active.body, inactive.body], [answer, answer]);
  assert.deepEqual(
    [active.plan.fetches.length, active.plan.fetches[0]?.children.map((fetch) => fetch.graph)],
    [1, ['pricing']],
    'active: pricing answers price',
  );
  assert.deepEqual([inactive.plan.fetches.length, inactive.plan.fetches[0]?.children.length], [1, 0], 'inactive: legacy answers it all');
  assert.equal((await execute(query)).plan, active.plan, 'the plan of each decision is cached');
  // A document whose plan meets no labelled field has one plan, whatever the labels.
  const document = parse('{ products { name weight } }');
  const first = planner.plan(document, undefined, {}, new Set(['percent(25)']));
  assert.ok(!(first instanceof NotPlannable));
  assert.equal(planner.plan(document, undefined, {}, new Set()), first);
  assert.deepEqual([...planner.fallbacks()], []);
});
