import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse, validate } from 'graphql';
import { createReference, differenceFrom } from './helpers/differential-compare.ts';
import { generateOperation } from './helpers/differential-generator.ts';
import { faultySubgraphs, injectFault, pickFault, requiresReference } from './helpers/differential-requires.ts';
import { createCoverage, createMismatches, differentialRun, type KnownDifference } from './helpers/differential-run.ts';
import { startFederation } from './helpers/federation-gateways.ts';
import { postGraphQL } from './helpers/graphql-request.ts';

/**
 * Differential: random valid operations over the requires supergraph (aliases onto key and required
 * fields' names, fragments on an interface, variables, `@skip`/`@include`), with a fault injected in
 * a subgraph for about a third of them, answered by the planning gateway and by one plain graphql-js
 * schema over the same data, must be equal (data, and errors by path and code). DIFF_SEED replays a
 * run, DIFF_COUNT sets its size, DIFF_OP runs one operation of it alone; a failure prints the command.
 */

const required = [
  'alias',
  'alias-on-field-name',
  'inline-fragment',
  'named-fragment',
  'abstract-type',
  'skip',
  'include',
  'list',
  'fault',
  'error:SERVICE_UNAVAILABLE',
  'error:GATEWAY_TIMEOUT',
  'error:DOWNSTREAM_SERVICE_ERROR',
];

/** Bugs of src/execution/ this differential found, reported to their owners; remove one when it is fixed. */
const knownDifferences: KnownDifference[] = [];

/** The plan's own response keys (`__key_price`, `__t_item_Book`): never in a path a client is shown. */
const internalStep = (step: string | number) => typeof step === 'string' && /^__(key|t)_/.test(step);

test('random operations answer what one graphql-js schema over the same data answers', async (t) => {
  const run = differentialRun('test/federation-differential.test.ts', 300);
  const gateways = await startFederation(t, faultySubgraphs);
  t.after(() => injectFault(undefined));
  const schema = gateways.planned.gateway.schema;
  const reference = createReference(requiresReference);
  const coverage = createCoverage(required);
  const mismatches = createMismatches(run, knownDifferences);
  let planned = 0;
  for (const index of run.indices) {
    const random = run.random(index);
    const fault = pickFault(random);
    const operation = generateOperation({ schema, maxDepth: 2, fieldChance: 0.5, keyFields: ['upc', 'id'] }, random);
    const document = parse(operation.query);
    assert.deepEqual(
      validate(requiresReference, document),
      [],
      `seed ${run.seed}: the generator made an invalid operation (${run.replay(index)}): ${operation.query}`,
    );
    if (gateways.declines(operation.query, operation.variables) === undefined) planned++;
    injectFault(fault);
    const expected = await reference(document, operation.variables);
    const { body } = await postGraphQL(gateways.planned.endpoint, operation.query, operation.variables);
    const leaked = (body.errors ?? []).filter((error) => error.path?.some(internalStep));
    assert.deepEqual(leaked, [], `seed ${run.seed}: an internal key in an error path (${run.replay(index)}): ${operation.query}`);
    const shown = { ...operation, query: `${operation.query}\n# fault: ${JSON.stringify(fault ?? null)}` };
    mismatches.check(differenceFrom(body, expected), index, shown, { 'the gateway': body, 'the reference': expected.answer });
    coverage.record(operation, expected.answer, fault ? ['fault'] : []);
  }
  t.diagnostic(`seed ${run.seed}: ${planned} of ${run.indices.length} planned`);
  t.diagnostic(coverage.summary());
  for (const line of mismatches.known()) t.diagnostic(line);
  mismatches.assertNone();
  assert.ok(planned >= run.indices.length * 0.9, `seed ${run.seed}: only ${planned} of ${run.indices.length} operations were planned`);
});
