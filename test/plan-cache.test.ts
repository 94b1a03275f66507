import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'graphql';
import { NotPlannable } from '../src/execution/collect-fields.ts';
import { maxPlansPerDocument, type QueryPlan } from '../src/execution/create-query-planner.ts';
import { link, serveSubgraph } from './helpers/federation-subgraph.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';

/**
 * Plans are cached per document and per values of its `@skip`/`@include` variables: seven of them
 * make 128 possible plans of one document, of which the planner keeps the most recently used
 * {@link maxPlansPerDocument}, and every combination still answers right.
 */

const fields = ['name', 'price', 'weight', 'color', 'brand', 'rating'] as const;
const products = [
  { upc: 'p1', name: 'Table', price: 100, weight: 20, color: 'oak', brand: 'Nord', rating: 4 },
  { upc: 'p2', name: 'Chair', price: 40, weight: 5, color: 'ash', brand: 'Sud', rating: 3 },
];
const query = `query (${[...fields, 'inStock'].map((name) => `$${name}: Boolean!`).join(', ')}) {
  topProducts { upc ${fields.map((name) => `${name} @include(if: $${name})`).join(' ')} inStock @include(if: $inStock) }
}`;

/** Combination `index` of the seven conditions: bit i says whether the i-th field is asked. */
function conditions(index: number): Record<string, boolean> {
  return Object.fromEntries([...fields, 'inStock'].map((name, bit) => [name, Boolean(index & (1 << bit))]));
}

/** The answer to combination `index`, computed here from the data. */
function expected(index: number) {
  const asked = conditions(index);
  return {
    topProducts: products.map((product) => ({
      upc: product.upc,
      ...Object.fromEntries(fields.filter((name) => asked[name]).map((name) => [name, product[name]])),
      ...(asked['inStock'] ? { inStock: product.upc === 'p1' } : {}),
    })),
  };
}

async function startGateway(t: Parameters<typeof startTestGateway>[0]) {
  const [catalog, inventory] = await Promise.all([
    serveSubgraph(t, {
      sdl: `${link('key')} type Product @key(fields: "upc") { upc: String! ${fields.map((name) => `${name}: ${name === 'price' || name === 'weight' || name === 'rating' ? 'Int' : 'String'}!`).join(' ')} } type Query { topProducts: [Product!]! }`,
      resolvers: { Query: { topProducts: () => products } },
      entities: ['Product'],
      resolve: (reference) => products.find((product) => product.upc === reference['upc']) ?? null,
    }),
    serveSubgraph(t, {
      sdl: `${link('key')} type Product @key(fields: "upc") { upc: String! inStock: Boolean! }`,
      entities: ['Product'],
      resolve: (reference) => ({ upc: reference['upc'], inStock: reference['upc'] === 'p1' }),
    }),
  ]);
  return startTestGateway(t, { catalog: { kind: 'federation', url: catalog.url, sdl: '' }, inventory: { kind: 'federation', url: inventory.url, sdl: '' } });
}

test(`100 combinations of @include variables: the newest ${maxPlansPerDocument} plans of the document are kept, the older ones are made again`, async (t) => {
  const gateway = await startGateway(t);
  const planner = gateway.gateway.planner;
  assert.ok(planner);
  const document = parse(query);
  const planOf = (index: number): QueryPlan => {
    const plan = planner.plan(document, undefined, conditions(index));
    assert.ok(!(plan instanceof NotPlannable), `combination ${index}: ${String(plan)}`);
    return plan;
  };
  const first = Array.from({ length: 100 }, (_, index) => planOf(index));
  assert.equal(new Set(first.map((plan) => plan.id)).size, 100, 'a distinct plan per combination');
  // Newest first: the kept plans are found (each touched again), every older one is made anew.
  const kept: number[] = [];
  for (let index = 99; index >= 0; index--) {
    const again = planOf(index);
    if (again === first[index]) kept.push(index);
    assert.equal(again.id, first[index]?.id, `combination ${index}: made again, the same plan`);
  }
  assert.deepEqual(
    kept,
    Array.from({ length: maxPlansPerDocument }, (_, offset) => 99 - offset),
  );
});

test('every combination answers what the data says, evicted plans included', async (t) => {
  const gateway = await startGateway(t);
  for (const index of [...Array.from({ length: 100 }, (_, index) => index), 0, 1, 2]) {
    const answer = await postGraphQL(gateway.endpoint, query, conditions(index));
    assert.deepEqual(answer.body, { data: expected(index) }, `combination ${index}`);
  }
  assert.deepEqual([...(gateway.gateway.planner?.fallbacks() ?? [])], [], 'every combination was planned');
});
