import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSchema, getArgumentValues, parse, type FieldNode, type GraphQLScalarType, type OperationDefinitionNode, type StringValueNode } from 'graphql';
import { fieldArguments, sharedFieldArguments } from '../src/execution/field-arguments.ts';

// fieldArguments must answer exactly what graphql-js's getArgumentValues answers (value, key order,
// and the same error when it throws), for every way an argument can be written or left out.

const schema = buildSchema(`
  input Range { from: Int, to: Int }
  type Query {
    items(ids: [ID!]!, limit: Int, range: Range, order: String = "asc", strict: Boolean!): [String]
  }
`);
const field = schema.getQueryType()?.getFields()['items'];

/** Every argument written as a variable, a literal or not at all. */
const writings: Record<string, string[]> = {
  ids: ['ids: $ids', 'ids: ["1", "2"]', ''],
  limit: ['limit: $limit', 'limit: 3', ''],
  range: ['range: $range', 'range: { from: 1 }', ''],
  order: ['order: $order', 'order: "desc"', ''],
  strict: ['strict: $strict', 'strict: true', ''],
};

/** Variables: present with a value, present as null, or missing. */
const values: Record<string, unknown[]> = {
  ids: [['7'], null, undefined],
  limit: [5, null, undefined],
  range: [{ from: 2, to: 4 }, null, undefined],
  order: ['desc', null, undefined],
  strict: [false, null, undefined],
};

function outcome(run: () => Record<string, unknown>): string {
  try {
    const args = run();
    return `ok ${JSON.stringify(Object.keys(args))} ${JSON.stringify(args)}`;
  } catch (error) {
    return `threw ${(error as Error).message}`;
  }
}

test('fieldArguments answers as getArgumentValues does: written as variables, literals or left out; variables set, null or missing', () => {
  assert.ok(field);
  const names = Object.keys(writings);
  let seed = 20261207;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  let compared = 0;
  let allVariables = 0;
  for (let round = 0; round < 600; round++) {
    // Mostly variables, as the planner writes its calls: those are the ones read straight from the variables.
    const written = names
      .map((name) => {
        const [variable, literal, none] = writings[name] as [string, string, string];
        const draw = next();
        return draw < 0.6 ? variable : draw < 0.8 ? literal : none;
      })
      .filter((text) => text !== '');
    if (written.length === names.length && written.every((text) => text.includes('$'))) allVariables++;
    const document = parse(
      `query ($ids: [ID!], $limit: Int, $range: Range, $order: String, $strict: Boolean) { items${written.length ? `(${written.join(', ')})` : ''} }`,
    );
    const node = (document.definitions[0] as OperationDefinitionNode).selectionSet.selections[0] as FieldNode;
    // Twice per node: the second call reads what the first worked out about it.
    for (let call = 0; call < 2; call++) {
      const variables: Record<string, unknown> = {};
      for (const name of names) {
        const value = pick(values[name] as unknown[]);
        if (value !== undefined || next() < 0.5) variables[name] = value;
      }
      assert.equal(
        outcome(() => fieldArguments(field, node, variables)),
        outcome(() => getArgumentValues(field, node, variables)),
        `seed round ${round}: items(${written.join(', ')}) with ${JSON.stringify(variables)}`,
      );
      compared++;
    }
  }
  assert.equal(compared, 1200);
  assert.ok(allVariables >= 30, `${allVariables} operations wrote every argument as a variable`);
});

test('sharedFieldArguments: literal arguments coerced once, frozen through and shared; variables read per request', () => {
  const operation = parse('query Q($limit: Int) { a: items(ids: ["1"], range: { from: 1 }, strict: true) b: items(ids: ["2"], limit: $limit, strict: false) }')
    .definitions[0] as OperationDefinitionNode;
  const [literal, withVariable] = operation.selectionSet.selections as FieldNode[];
  const first = sharedFieldArguments(field!, literal!, { limit: 1 });
  const second = sharedFieldArguments(field!, literal!, { limit: 2 });
  assert.equal(first, second, 'the same object for every request');
  assert.deepEqual(first, getArgumentValues(field!, literal!, {}));
  assert.ok(Object.isFrozen(first) && Object.isFrozen(first['range']) && Object.isFrozen(first['ids']), 'frozen through and through');
  assert.throws(() => {
    (first['range'] as Record<string, unknown>)['from'] = 9;
  }, TypeError);
  const one = sharedFieldArguments(field!, withVariable!, { limit: 1 });
  const two = sharedFieldArguments(field!, withVariable!, { limit: 2 });
  assert.deepEqual([one['limit'], two['limit']], [1, 2], 'a variable is read on every call');
  assert.ok(!Object.isFrozen(one));
});

test('sharedFieldArguments freezes plain objects and arrays only: a custom scalar object (a typed array) is left as it is', () => {
  const bytesSchema = buildSchema('scalar Bytes type Query { blob(data: Bytes, tags: [String]): String }');
  const bytes = bytesSchema.getType('Bytes') as GraphQLScalarType;
  bytes.parseLiteral = (node) => new Uint8Array(Buffer.from((node as StringValueNode).value));
  const blob = bytesSchema.getQueryType()?.getFields()['blob'];
  const node = (parse('{ blob(data: "ab", tags: ["x"]) }').definitions[0] as OperationDefinitionNode).selectionSet.selections[0] as FieldNode;
  const args = sharedFieldArguments(blob!, node, {});
  assert.ok(args['data'] instanceof Uint8Array && !Object.isFrozen(args['data']));
  assert.ok(Object.isFrozen(args) && Object.isFrozen(args['tags']));
  assert.equal(sharedFieldArguments(blob!, node, {}), args);
});
