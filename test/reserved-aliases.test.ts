import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GraphQLError, parse } from 'graphql';
import { NotPlannable } from '../src/execution/collect-fields.ts';
import { renamingOf, restoreResult } from '../src/execution/reserved-aliases.ts';
import { startShopPair } from './helpers/start-shop.ts';

// An alias is any Name (GraphQL spec, 2.7 Field Alias): `__proto__`, `__typename` on another field
// and `__x` are the client's to choose, and each response key must hold its own field's value.
// Before: stitching answered `__typename: name` with the type's name, `__proto__: name` with an
// INTERNAL_SERVER_ERROR or null without an error, and the planner sent every such operation to
// stitching. Each operation here runs on the planning gateway and on a stitching-only one; the
// reference is the same operation with plain aliases (`r0`, `r1`...), its keys renamed back.

const operations = [
  '{ user(id: "1") { orders(first: 2) { items { product { __proto__: name id } } } } }',
  '{ user(id: "1") { orders(first: 2) { items { product { __typename: name id } } } } }',
  '{ user(id: "1") { orders(first: 2) { items { product { id __proto__: inventory { __proto__: inStock warehouse } } } } } }',
  '{ user(id: "1") { orders(first: 2) { __proto__: payment { status method } __x: shipment { __typename carrier } __typename } } }',
  '{ __proto__: user(id: "1") { constructor: name toString: id ...F } } fragment F on User { __a: email orders(first: 1) { __proto__: id } }',
  'query ($id: ID!) { user(id: $id) { __id: id ... on User { __name: name } } __proto__: product(id: "3") { __proto__: name } }',
];

/** The operation with its reserved aliases made plain (`r0`, `r1`...), and the way to rename the answer's keys back. */
function plainTwin(query: string): { query: string; back: (text: string) => string } {
  const aliases = [...new Set([...query.matchAll(/(__\w+)\s*:/g)].map((match) => match[1] as string))];
  let plain = query;
  aliases.forEach((alias, index) => {
    plain = plain.replaceAll(new RegExp(`${alias}(\\s*:)`, 'g'), `r${index}$1`);
  });
  return {
    query: plain,
    back: (text) => aliases.reduce((renamed, alias, index) => renamed.replaceAll(`"r${index}":`, `"${alias}":`), text),
  };
}

test('aliases starting with __ answer their own field on both engines, planned, with own keys and no prototype touched', async (t) => {
  const { shop, stitchedEndpoint, planner } = await startShopPair(t);
  const ask = async (endpoint: string, query: string) => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...shop.asUser1 },
      body: JSON.stringify({ query, variables: { id: '1' } }),
    });
    assert.equal(response.status, 200, query);
    return response.text();
  };
  for (const query of operations) {
    const twin = plainTwin(query);
    const expected = twin.back(await ask(shop.endpoint, twin.query));
    assert.doesNotMatch(expected, /"errors"/, `${twin.query}: the reference answers without errors`);
    assert.equal(await ask(shop.endpoint, query), expected, `planned: ${query}`);
    assert.equal(await ask(stitchedEndpoint, query), expected, `stitching: ${query}`);
    const renamed = renamingOf(parse(query));
    assert.ok(renamed, query);
    assert.ok(!(planner.plan(renamed.document, undefined, { id: '1' }) instanceof NotPlannable), `planned: ${query}`);
  }
  assert.deepEqual(Object.keys(Object.prototype), [], 'nothing was written to Object.prototype');
  const answer = JSON.parse(await ask(shop.endpoint, operations[0] as string)) as { data: { user: { orders: Array<{ items: Array<{ product: object }> }> } } };
  const product = answer.data.user.orders[0]?.items[0]?.product as object;
  assert.ok(Object.hasOwn(product, '__proto__'), 'the key is an own key of the answer');
});

test('restoring keys: error paths get the client keys back, a JSON scalar keeps its own keys, and a document without reserved aliases is left alone', () => {
  assert.equal(renamingOf(parse('{ a: user { __typename id __typename: __typename } }')), null);
  const renaming = renamingOf(parse('{ __x: user { ax: id __proto__: profile __x: name } }'));
  assert.ok(renaming);
  // `a__x` is free, `a__proto__` is free; `ax` is a client key, so nothing is renamed to it.
  assert.deepEqual(
    [...renaming.original],
    [
      ['a__x', '__x'],
      ['a__proto__', '__proto__'],
    ],
  );
  const result = restoreResult(
    {
      data: { a__x: { ax: '1', a__proto__: { a__x: 'a JSON scalar keeps its keys' }, a__x: null } },
      errors: [new GraphQLError('failed', { path: ['a__x', 'a__x'], extensions: { code: 'DOWNSTREAM_SERVICE_ERROR' } })],
    },
    renaming,
  );
  const user = (result.data as Record<string, Record<string, unknown>>)['__x'] as Record<string, unknown>;
  assert.deepEqual(Object.keys(user), ['ax', '__proto__', '__x']);
  assert.deepEqual(Object.getOwnPropertyDescriptor(user, '__proto__')?.value, { a__x: 'a JSON scalar keeps its keys' });
  assert.equal(Object.getPrototypeOf(user), Object.prototype);
  assert.deepEqual(result.errors?.[0]?.path, ['__x', '__x']);
  assert.equal(result.errors?.[0]?.extensions['code'], 'DOWNSTREAM_SERVICE_ERROR');
});
