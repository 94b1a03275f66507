import assert from 'node:assert/strict';
import test from 'node:test';
import { parse, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { DistinctRepresentations, flatFields } from '../src/execution/distinct-representations.ts';
import { represent } from '../src/execution/merge-answers.ts';

/** The indexes the class gives, and the ones equal JSON texts give: they must be the same partition. */
function indexes(representations: Record<string, unknown>[]): { ours: number[]; byJson: number[] } {
  const distinct = new DistinctRepresentations();
  const texts = new Map<string, number>();
  const ours = representations.map((representation) => distinct.indexOf(representation));
  const byJson = representations.map((representation) => {
    const text = JSON.stringify(representation);
    if (!texts.has(text)) texts.set(text, texts.size);
    return texts.get(text) as number;
  });
  assert.equal(distinct.list.length, texts.size);
  return { ours, byJson };
}

test('representations are the same exactly when their JSON texts are: values, types, names, nesting, shorter and longer field lists', () => {
  const cases = [
    { __typename: 'Product', upc: '1' },
    { __typename: 'Product', upc: '1' },
    { __typename: 'Product', upc: 1 },
    { __typename: 'Product', sku: '1' },
    { __typename: 'Product', upc: '1', price: 10 },
    { __typename: 'Product', upc: '1', price: 10 },
    { __typename: 'Product', upc: '1', price: null },
    { __typename: 'Product', upc: '1', price: 'null' },
    { __typename: 'Product', upc: '1', price: false },
    { __typename: 'User', upc: '1' },
    { __typename: 'Product', upc: '1', org: { id: '7' } },
    { __typename: 'Product', upc: '1', org: { id: '7' } },
    { __typename: 'Product', upc: '1', org: { id: 7 } },
    { __typename: 'Product', upc: '1\u0000s1:x' },
    { __typename: 'Product', upc: '' },
  ];
  const { ours, byJson } = indexes(cases);
  // The same partition: two representations share an index exactly when their texts are equal.
  for (let a = 0; a < cases.length; a++)
    for (let b = 0; b < cases.length; b++)
      assert.equal(ours[a] === ours[b], byJson[a] === byJson[b], `${JSON.stringify(cases[a])} / ${JSON.stringify(cases[b])}`);
  // The longer list seen first, then the shorter one it starts with: still told apart.
  const reversed = indexes([...cases].reverse());
  for (let a = 0; a < cases.length; a++)
    for (let b = 0; b < cases.length; b++) assert.equal(reversed.ours[a] === reversed.ours[b], reversed.byJson[a] === reversed.byJson[b]);
});

test('a flat selection is looked up before the representation is built: the same indexes and representations as represent() gives', () => {
  // The plan fetched `cost` under the alias `price`: read there, sent under its name.
  const fields = parse('{ upc price: cost weight }').definitions[0] as OperationDefinitionNode;
  const selection = fields.selectionSet;
  const plain = flatFields(selection);
  assert.ok(plain);
  assert.equal(flatFields((parse('{ upc dimensions { size } }').definitions[0] as OperationDefinitionNode).selectionSet), undefined);
  const objects = [
    { upc: '1', price: 10, weight: 2 },
    { upc: '1', price: 10, weight: 2 },
    { upc: '1', price: '10', weight: 2 },
    { upc: '2', price: null, weight: 2 },
    { upc: '2', price: null, weight: 2 },
    { upc: '3', price: 10 },
    { upc: '3', price: { amount: 10 }, weight: 1 },
    { upc: '3', price: { amount: 10 }, weight: 1 },
  ];
  const fast = new DistinctRepresentations();
  const slow = new DistinctRepresentations();
  const fastSlots = objects.map((object) => fast.indexOfFields('Product', plain as readonly FieldNode[], object));
  const slowSlots = objects.map((object) => {
    const representation = represent(object, selection, { __typename: 'Product' });
    return representation && slow.indexOf(representation);
  });
  assert.deepEqual(fastSlots, slowSlots);
  assert.deepEqual(fast.list, slow.list);
  assert.deepEqual(fast.list[0], { __typename: 'Product', upc: '1', cost: 10, weight: 2 });
  assert.deepEqual(fastSlots, [0, 0, 1, 2, 2, undefined, 3, 3]);
});
