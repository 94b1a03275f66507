import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MergedTypeEntryPoint } from '@graphql-tools/delegate';
import { stitchingDirectives } from '@graphql-tools/stitching-directives';
import { buildSchema } from 'graphql';
import { entryPointArguments, type ArgsFromKeys, type KeyOf } from '../src/execution/entry-point-arguments.ts';
import { fieldSet } from '../src/execution/read-supergraph.ts';

const { stitchingDirectivesTypeDefs, stitchingDirectivesTransformer } = stitchingDirectives();

/** Stitching's own merge config of `Product` for a source with this `Query` (and these extra types). */
function mergeConfigOf(query: string, extra = ''): MergedTypeEntryPoint {
  const schema = buildSchema(
    `${stitchingDirectivesTypeDefs} type Product @key(selectionSet: "{ id }") { id: ID! sku: String name: String } ${extra} type Query { ${query} }`,
  );
  const merged = stitchingDirectivesTransformer({ schema }).merge?.['Product'];
  // As the planner reads it (read-stitched-sources.ts): the first batched entry point.
  const config = [...(merged?.entryPoints ?? []), ...(merged ? [merged] : [])].find((point) => point.key && point.argsFromKeys && point.selectionSet);
  assert.ok(config?.key && config.argsFromKeys && config.selectionSet, 'a batched entry point');
  return config;
}

const representations = [
  { __typename: 'Product', id: 'p1', sku: 'a' },
  { __typename: 'Product', id: 'p2', sku: 'b' },
  { __typename: 'Product', id: 'p1', sku: 'a' },
  { __typename: 'Product', id: 7, sku: null },
];

for (const [form, query, extra] of [
  ['keyField on a list argument', 'productsByIds(ids: [ID!]!): [Product]! @merge(keyField: "id")', ''],
  ['keyArg with input objects', 'productsByKeys(keys: [ProductKey!]!): [Product]! @merge(keyArg: "keys")', 'input ProductKey { id: ID! }'],
  [
    'keyField with additional arguments',
    'productsByIds(ids: [ID!]!, scope: String): [Product]! @merge(keyField: "id", additionalArgs: "scope: \\"all\\"")',
    '',
  ],
  ['an argument expression', 'productsByIds(ids: [ID!]!): [Product]! @merge(argsExpr: "ids: [[$key.id]]")', ''],
] as const) {
  test(`a @merge entry point's arguments are stitching's own: ${form}`, () => {
    const config = mergeConfigOf(query, extra);
    const key = config.key as KeyOf;
    const argsFromKeys = config.argsFromKeys as ArgsFromKeys;
    const argumentsFor = entryPointArguments(key, argsFromKeys, fieldSet(config.selectionSet as string));
    assert.deepEqual(argumentsFor(representations), argsFromKeys(representations.map(key)));
    assert.deepEqual(argumentsFor([]), argsFromKeys([]));
  });
}

test('a two-field key goes through stitching unchanged', () => {
  const config = mergeConfigOf('productsByIds(ids: [ID!]!): [Product]! @merge(keyField: "id")');
  const argsFromKeys = config.argsFromKeys as ArgsFromKeys;
  const key = config.key as KeyOf;
  const argumentsFor = entryPointArguments(key, argsFromKeys, fieldSet('{ id sku }'));
  assert.deepEqual(argumentsFor(representations), argsFromKeys(representations.map(key)));
  assert.deepEqual(argumentsFor(representations), { ids: ['p1', 'p2', 'p1', 7] });
});
