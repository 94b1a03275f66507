import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse, validate } from 'graphql';
import { createReference, differenceBetweenGateways, differenceFrom } from './helpers/differential-compare.ts';
import { generateOperation } from './helpers/differential-generator.ts';
import { createCoverage, createMismatches, differentialRun } from './helpers/differential-run.ts';
import { shopArguments, startDifferentialShop } from './helpers/differential-shop.ts';
import { shopReference } from './helpers/differential-shop-reference.ts';
import { postGraphQL } from './helpers/graphql-request.ts';

/**
 * Differential over the example shop, its services started with injected faults (an id that makes a
 * service report an error, answer 500 or 503, or find nothing): random valid operations through the
 * planning gateway must answer what one graphql-js schema over the same data answers (data byte for
 * byte, errors by path and code), and what the same gateway answers through stitching (messages and
 * services too) where stitching is right. DIFF_SEED replays a run, DIFF_COUNT sets its size, DIFF_OP
 * runs one operation of it alone; a failure prints the command.
 */

const required = [
  'alias',
  'alias-on-field-name',
  'inline-fragment',
  'untyped-inline-fragment',
  'named-fragment',
  'variable-argument',
  'variable-default',
  'default-argument',
  'literal-argument',
  'skip',
  'include',
  'list',
  'null-in-data',
  'error:SERVICE_UNAVAILABLE',
  'error:DOWNSTREAM_SERVICE_ERROR',
  'error:RATE_LIMITED',
];

test('random operations over the shop answer what one graphql-js schema over the same data answers', async (t) => {
  const run = differentialRun('test/stitched-differential.test.ts', 300);
  const shop = await startDifferentialShop(t);
  const referenceSchema = shopReference(shop.schema);
  const reference = createReference(referenceSchema);
  const coverage = createCoverage(required);
  const mismatches = createMismatches(run);
  const fallbacks = () => [...shop.planner.fallbacks().values()].reduce((sum, value) => sum + value, 0);
  let planned = 0;
  let stitched = 0;
  for (const index of run.indices) {
    const random = run.random(index);
    // Half the operations leave keys alone, so that stitching can be compared on them.
    const keysAlone = random() < 0.5;
    const operation = generateOperation(
      { schema: shop.schema, arguments: shopArguments, fieldChance: 0.3 + random() * 0.3, aliasOtherFields: !keysAlone, skipKeys: !keysAlone },
      random,
    );
    const document = parse(operation.query);
    assert.deepEqual(
      validate(referenceSchema, document),
      [],
      `seed ${run.seed}: the generator made an invalid operation (${run.replay(index)}): ${operation.query}`,
    );
    const expected = await reference(document, operation.variables);
    const before = fallbacks();
    const { body } = await postGraphQL(shop.endpoint, operation.query, operation.variables, shop.headers);
    if (fallbacks() === before) planned++;
    mismatches.check(differenceFrom(body, expected), index, operation, { 'the gateway': body, 'the reference': expected.answer });
    // Stitching answers null keys where the client aliases another field onto a key's name or skips
    // a key (test/stitched-plans.test.ts): it is compared where it is right.
    if (!operation.features.has('alias-on-field-name') && !operation.features.has('skipped-key')) {
      stitched++;
      const { body: viaStitching } = await postGraphQL(shop.stitchedEndpoint, operation.query, operation.variables, shop.headers);
      const difference = differenceFrom(viaStitching, expected) ?? differenceBetweenGateways(body, viaStitching);
      mismatches.check(difference, index, operation, { 'the gateway': body, stitching: viaStitching, 'the reference': expected.answer });
    }
    coverage.record(operation, expected.answer);
  }
  t.diagnostic(
    `seed ${run.seed}: ${planned} of ${run.indices.length} planned, ${stitched} compared with stitching too; to stitching: ${JSON.stringify([...shop.planner.fallbacks()])}`,
  );
  t.diagnostic(coverage.summary());
  for (const line of mismatches.known()) t.diagnostic(line);
  mismatches.assertNone();
  assert.ok(
    planned >= run.indices.length * 0.9,
    `seed ${run.seed}: only ${planned} of ${run.indices.length} planned: ${JSON.stringify([...shop.planner.fallbacks()])}`,
  );
});
