import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { parse } from 'graphql';
import { hashApiKey } from '../src/auth/api-keys.ts';
import { ConfigError } from '../src/config/config-error.ts';
import { normalizeConfig } from '../src/config/normalize-config.ts';
import { NotPlannable } from '../src/execution/collect-fields.ts';
import { printPlan } from '../src/execution/print-plan.ts';
import { exposePlanHeader } from '../src/plugins/use-query-plans.ts';
import { link, serveSubgraph } from './helpers/federation-subgraph.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';

/**
 * `queryPlanner.exposePlan`: a consumer with the scope who sends `concierge-expose-query-plan: true`
 * gets `extensions.queryPlan`; nobody else learns anything about plans, not even from the cache.
 */

const products = [
  { upc: 'p1', name: 'Table' },
  { upc: 'p2', name: 'Chair' },
];
const keys = { debugger: 'ck_test_debugger_0123456789abcdef', plain: 'ck_test_plain_0123456789abcdef0' };
const query = '{ topProducts { upc name inStock } }';
const data = {
  topProducts: [
    { upc: 'p1', name: 'Table', inStock: true },
    { upc: 'p2', name: 'Chair', inStock: false },
  ],
};

/** A gateway over two subgraphs, with a consumer granted `debug:plan` and one granted nothing. */
async function startGateway(t: TestContext, extra: Record<string, unknown> = { queryPlanner: { exposePlan: { scope: 'debug:plan' } } }) {
  const [catalog, inventory] = await Promise.all([
    serveSubgraph(t, {
      sdl: `${link('key')} type Product @key(fields: "upc") { upc: String! name: String! } type Query { topProducts: [Product!]! }`,
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
  const gateway = await startTestGateway(
    t,
    { catalog: { kind: 'federation', url: catalog.url, sdl: '' }, inventory: { kind: 'federation', url: inventory.url, sdl: '' } },
    {
      consumers: {
        debugger: { keyHash: hashApiKey(keys.debugger), scopes: ['orders:read', 'debug:plan'] },
        plain: { keyHash: hashApiKey(keys.plain), scopes: ['orders:read'] },
      },
      ...extra,
    },
  );
  const ask = (headers: Record<string, string>, text = query) => postGraphQL(gateway.endpoint, text, {}, headers);
  return { gateway, ask };
}

const asking = { [exposePlanHeader]: 'true' };
const debuggerAsking = { 'x-api-key': keys.debugger, ...asking };

test('a consumer with the scope who sends the header gets the plan: its id and its printed text', async (t) => {
  const { gateway, ask } = await startGateway(t);
  const plan = gateway.gateway.planner?.plan(parse(query), undefined);
  assert.ok(plan && !(plan instanceof NotPlannable), String(plan));
  const answer = await ask(debuggerAsking);
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.body, { data, extensions: { queryPlan: { id: plan.id, text: printPlan(plan) } } });
  assert.match(printPlan(plan), /Fetch\(service: "catalog"\)[\s\S]*Flatten\(path: "topProducts\.@"\)[\s\S]*Fetch\(service: "inventory"\)/);
  assert.equal(answer.headers.get('cache-control'), 'no-store', 'no shared cache keeps an answer with a plan');
  const lowerCase = await ask({ 'x-api-key': keys.debugger, [exposePlanHeader]: ' TRUE ' });
  assert.equal(
    (lowerCase.body as { extensions?: { queryPlan?: { id?: string } } }).extensions?.queryPlan?.id,
    plan.id,
    'the value is read as a boolean header',
  );
});

test('an operation stitching executes: the plan says why, and nothing else', async (t) => {
  const { ask } = await startGateway(t);
  const answer = await ask(debuggerAsking, '{ __schema { queryType { name } } topProducts { upc } }');
  assert.deepEqual(answer.body, {
    data: { __schema: { queryType: { name: 'Query' } }, topProducts: [{ upc: 'p1' }, { upc: 'p2' }] },
    extensions: { queryPlan: { fallback: 'Query.__schema is not a supergraph field' } },
  });
});

test('without the scope, without the header or with another value, or anonymous: the same answer as anyone gets, with nothing about plans', async (t) => {
  const { ask } = await startGateway(t);
  const cases = {
    'a consumer without the scope': { 'x-api-key': keys.plain, ...asking },
    'an anonymous caller': asking,
    'no header': { 'x-api-key': keys.debugger },
    'the header saying "false"': { 'x-api-key': keys.debugger, [exposePlanHeader]: 'false' },
    'the header saying "1"': { 'x-api-key': keys.debugger, [exposePlanHeader]: '1' },
  };
  for (const [name, headers] of Object.entries(cases)) {
    const answer = await ask(headers);
    assert.deepEqual([answer.status, answer.body], [200, { data }], name);
    assert.notEqual(answer.headers.get('cache-control'), 'no-store', name);
    assert.doesNotMatch(answer.text, /queryPlan|QueryPlan|Fetch\(/, name);
  }
});

test('with exposePlan unset (the default) nobody gets a plan, the scope and the header notwithstanding', async (t) => {
  const { gateway, ask } = await startGateway(t, {});
  assert.deepEqual(gateway.gateway.config.queryPlanner, {}, 'the planner is on, without exposure');
  assert.deepEqual((await ask(debuggerAsking)).body, { data });
  const withPlannerOff = await startGateway(t, { queryPlanner: false });
  assert.deepEqual((await withPlannerOff.ask(debuggerAsking)).body, { data });
});

test('a cached answer never carries a plan: the response cache stores the result before the plan joins it', async (t) => {
  const { ask } = await startGateway(t, { queryPlanner: { exposePlan: { scope: 'debug:plan' } }, responseCache: { enabled: true, defaultMaxAge: 60 } });
  const miss = await ask(debuggerAsking);
  assert.equal(miss.headers.get('x-cache'), 'MISS');
  assert.ok('queryPlan' in ((miss.body as { extensions?: object }).extensions ?? {}), 'the caller who may see it gets the plan');
  assert.equal(miss.headers.get('cache-control'), 'no-store');
  for (const headers of [asking, { 'x-api-key': keys.plain }, debuggerAsking]) {
    const hit = await ask(headers);
    assert.equal(hit.headers.get('x-cache'), 'HIT');
    assert.deepEqual(hit.body, { data }, 'a stored answer: not planned for this request, no plan to show');
  }
});

test('exposePlan: every mistake is named with its key, its value and what was expected', () => {
  const problems = (queryPlanner: unknown) => {
    try {
      normalizeConfig({ sources: { catalog: { kind: 'federation', url: 'http://catalog/graphql' } }, queryPlanner }, { env: {} });
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      return error.problems;
    }
    return [];
  };
  assert.deepEqual(problems('yes'), ['config.queryPlanner: expected true, false or an object such as { exposePlan: { scope: "debug:plan" } }, got "yes"']);
  assert.deepEqual(problems({ exposePlan: true, cache: 32 }), [
    'config.queryPlanner.cache: unknown option; expected one of exposePlan',
    'config.queryPlanner.exposePlan: expected an object naming the scope that may see plans, such as { scope: "debug:plan" }, got true',
  ]);
  assert.deepEqual(problems({ exposePlan: {} }), [
    'config.queryPlanner.exposePlan.scope: expected one scope (a non-empty string without spaces), such as "debug:plan", got nothing',
  ]);
  assert.deepEqual(problems({ exposePlan: { scope: 'debug plan', header: 'x-plan' } }), [
    'config.queryPlanner.exposePlan.header: unknown option; expected one of scope',
    'config.queryPlanner.exposePlan.scope: expected one scope (a non-empty string without spaces), such as "debug:plan", got "debug plan"',
  ]);
  assert.deepEqual(problems({ exposePlan: { scope: 'debug:plan' } }), []);
});
