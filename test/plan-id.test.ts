import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'graphql';
import { OrderHistoryDocument } from '../generated/operations.ts';
import { NotPlannable } from '../src/execution/collect-fields.ts';
import { planIdOf, printPlan } from '../src/execution/print-plan.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { root, startShop } from './helpers/start-shop.ts';

/**
 * The plan id: the access log names the plan a request ran by the id `concierge plan` prints for the
 * same operation, which is the first 16 hex digits of the SHA-256 of the printed plan.
 */

const run = promisify(execFile);

/** `concierge plan` in a child process: the printed plan and the id it gives. */
async function planOnCommandLine(file: string, variables: Record<string, unknown>): Promise<{ printed: string; id: string }> {
  const { stdout } = await run(process.execPath, [path.join(root, 'bin/concierge.js'), 'plan', file, '--variables', JSON.stringify(variables)], { cwd: root });
  const match = /^(QueryPlan \{\n[\s\S]*\n\})\nPlan id: ([0-9a-f]{16})\n$/.exec(stdout);
  assert.ok(match?.[1] && match[2], `the plan, then its id:\n${stdout}`);
  return { printed: match[1], id: match[2] };
}

/** The lines of an access log the test reads once the gateway is closed (closing writes every line). */
async function logFile(t: TestContext) {
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-plan-id-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'access.log');
  const lines = async () =>
    (await readFile(file, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { file, lines };
}

test('the access line of a planned request carries the id concierge plan prints for the same operation; a fallback carries none', async (t) => {
  const cli = await planOnCommandLine('examples/ecommerce/order-history.graphql', { id: '1' });
  assert.equal(cli.id, planIdOf(cli.printed), 'the id is the SHA-256 of the printed plan, cut to 16 hex digits');

  const log = await logFile(t);
  const shop = await startShop(t, {
    adjust: (config) => {
      config.logging = { ...config.logging, level: 'info', destination: log.file };
    },
  });
  const planned = await postGraphQL(shop.endpoint, OrderHistoryDocument, { id: '1' }, shop.asUser1);
  assert.equal(planned.body.errors, undefined, JSON.stringify(planned.body.errors));
  const stitched = await postGraphQL(shop.endpoint, 'query Introspecting { __schema { queryType { name } } }', {}, shop.asUser1);
  assert.equal(stitched.status, 200);
  await shop.gateway.close();

  const lines = await log.lines();
  const line = (operationName: string) => lines.find((candidate) => candidate['operationName'] === operationName);
  assert.deepEqual([line('OrderHistory')?.['execution'], line('OrderHistory')?.['queryPlanId']], ['plan', cli.id]);
  const fallback = line('Introspecting');
  assert.deepEqual([fallback?.['execution'], fallback && 'queryPlanId' in fallback], ['stitching', false], 'no plan, no id');

  const plan = shop.gateway.gateway.planner?.plan(parse(await readFile(path.join(root, 'examples/ecommerce/order-history.graphql'), 'utf8')), 'OrderHistory', {
    id: '1',
  });
  assert.ok(plan && !(plan instanceof NotPlannable));
  assert.deepEqual([printPlan(plan), plan.id], [cli.printed, cli.id], 'the gateway and the command line make the same plan');
});

test('plans that differ have different ids; the same plan asked again keeps its id', async (t) => {
  const shop = await startShop(t);
  const planner = shop.gateway.gateway.planner;
  assert.ok(planner);
  const query = 'query ($id: ID!, $withOrders: Boolean!) { user(id: $id) { name orders @include(if: $withOrders) { id status } } }';
  const ids = [true, false, true].map((withOrders) => {
    const plan = planner.plan(parse(query), undefined, { id: '1', withOrders });
    assert.ok(!(plan instanceof NotPlannable), String(plan));
    assert.equal(plan.id, planIdOf(printPlan(plan)));
    return plan.id;
  });
  assert.notEqual(ids[0], ids[1], 'with and without orders: two plans, two ids');
  assert.equal(ids[2], ids[0], 'a new document of the same text: the same plan, the same id');
});
