/**
 * variableValues (src/execution/variable-values.ts) must answer exactly what graphql-js's
 * getVariableValues answers, shortcut or not: a table of the shapes it takes and the ones it hands
 * to graphql-js, then seeded random values of every variable type against the reference.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSchema, getVariableValues, parse, type OperationDefinitionNode, type VariableDefinitionNode } from 'graphql';
import { variableValues } from '../src/execution/variable-values.ts';

const schema = buildSchema(/* GraphQL */ `
  enum Color { RED GREEN }
  input Range { from: Int! to: Int = 10 }
  scalar Money
  type Query { f(id: ID, name: String, ratio: Float, flag: Boolean): Int }
`);

const operation = parse(/* GraphQL */ `
  query (
    $id: ID
    $ids: [ID!]!
    $names: [String]
    $count: Int!
    $ratio: Float
    $flag: Boolean
    $nested: [[Int!]]
    $color: Color
    $range: Range
    $money: Money
    $withDefault: Int = 3
  ) { f }
`).definitions[0] as OperationDefinitionNode;
const definitions = operation.variableDefinitions ?? [];
// Only built-in scalars and lists of them: the shapes the shortcut may take.
const builtIn = definitions.filter((definition) => !['color', 'range', 'money', 'withDefault'].includes(definition.variable.name.value));

function same(raw: Record<string, unknown>): void {
  check(raw, definitions);
  check(raw, builtIn);
}

function check(raw: Record<string, unknown>, definitions: readonly VariableDefinitionNode[]): void {
  const ours = variableValues(schema, definitions, raw);
  const reference = getVariableValues(schema, definitions, raw);
  assert.deepEqual(
    ours.errors?.map((error) => error.message),
    reference.errors?.map((error) => error.message),
    `errors for ${JSON.stringify(raw)}`,
  );
  assert.deepEqual(ours.coerced, reference.coerced, `values for ${JSON.stringify(raw)}`);
}

const valid = {
  id: '1',
  ids: ['1', '2'],
  names: ['a', null],
  count: 2,
  ratio: 0.5,
  flag: true,
  nested: [[1], null],
  color: 'RED',
  range: { from: 1 },
  money: 5,
  withDefault: 4,
};

test('values coercion returns unchanged are used as given, and equal what graphql-js returns', () => {
  const planner = parse('query ($__merge_ids: [ID!]!, $first: Int) { f }').definitions[0] as OperationDefinitionNode;
  const raw = { __merge_ids: ['1', '2', '3'], first: 10, ignored: 'x' };
  const ours = variableValues(schema, planner.variableDefinitions ?? [], raw);
  assert.deepEqual(ours, { coerced: { __merge_ids: ['1', '2', '3'], first: 10 } });
  assert.equal(ours.coerced?.['__merge_ids'], raw.__merge_ids, 'the list is used as it came, not copied');
  assert.deepEqual(ours.coerced, getVariableValues(schema, planner.variableDefinitions ?? [], raw).coerced);
  same(valid);
  const { color: _color, range: _range, money: _money, withDefault: _withDefault, ...simple } = valid;
  assert.equal(variableValues(schema, builtIn, simple).coerced?.['ids'], simple.ids, 'built-in scalars only: the shortcut is taken');
  same({ ...valid, id: null, names: null, ratio: null, flag: null, nested: null, color: null, range: null, money: null });
});

test('what the shortcut leaves to graphql-js gets graphql-js answers and errors', () => {
  same({ ...valid, id: 7 }); // an integer ID becomes "7"
  same({ ...valid, ids: '1' }); // one value where a list goes becomes a list
  same({ ...valid, ids: ['1', null] });
  same({ ...valid, ids: [1.5] });
  same({ ...valid, count: 2 ** 31 });
  same({ ...valid, count: '2' });
  same({ ...valid, count: null });
  same({ ...valid, ratio: Number.POSITIVE_INFINITY });
  same({ ...valid, flag: 'true' });
  same({ ...valid, nested: [[1, 'x']] });
  same({ ...valid, color: 'BLUE' });
  same({ ...valid, range: { from: 'x' } });
  same({ ...valid, withDefault: undefined });
  const { count: _count, ...withoutCount } = valid;
  same(withoutCount);
  same({});
});

test('seeded random values of every variable type coerce as graphql-js coerces them', () => {
  let seed = 20261207;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const samples: unknown[] = [null, undefined, '1', 'x', '', 0, 1, -3, 2.5, 2 ** 31, Number.NaN, true, false, 'RED', { from: 1 }, {}];
  const pick = (): unknown => {
    const roll = random();
    if (roll < 0.2) return Array.from({ length: Math.floor(random() * 3) }, pick);
    return samples[Math.floor(random() * samples.length)];
  };
  for (let index = 0; index < 1500; index++) {
    const raw: Record<string, unknown> = {};
    for (const definition of definitions)
      if (random() < 0.9) raw[definition.variable.name.value] = random() < 0.5 ? valid[definition.variable.name.value as keyof typeof valid] : pick();
    same(raw);
  }
});
