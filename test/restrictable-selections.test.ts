import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kind, buildSchema, parse, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { MayRestrict } from '../src/security/restrict-document.ts';
import { mayRestrictWithin } from '../src/security/restrictable-selections.ts';

/**
 * `mayRestrictWithin` lets restrictDocument pass by selections where no rule can apply: it must
 * find a ruled field at any depth, through inline fragments and fragment spreads, on any type the
 * field can be read on (a rule on an implementation reaches a field selected on its interface),
 * and answer for each schema and filter on its own.
 */
const schema = buildSchema(/* GraphQL */ `
  interface Node { id: ID! code: String }
  type Secret implements Node { id: ID! code: String }
  type Open implements Node { id: ID! code: String }
  type B { name: String secret: Secret node: Node }
  type A { b: B }
  type Query { a: A node: Node }
`);

const onCoordinates =
  (...coordinates: string[]): MayRestrict =>
  (type, field) =>
    coordinates.includes(`${type.name}.${field.name}`);

function ask(on: GraphQLSchema, query: string, filter: MayRestrict): boolean {
  const document = parse(query);
  const operation = document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = new Map(
    document.definitions
      .filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );
  return mayRestrictWithin(on, operation.selectionSet, on.getQueryType()!, fragments, filter);
}

test('finds a ruled field at any depth, through inline fragments and fragment spreads', () => {
  const secretCode = onCoordinates('Secret.code');
  assert.equal(ask(schema, '{ a { b { name } } }', secretCode), false);
  assert.equal(ask(schema, '{ a { b { name secret { id } } } }', secretCode), false);
  assert.equal(ask(schema, '{ a { b { name secret { code } } } }', secretCode), true);
  assert.equal(ask(schema, '{ a { ...F } } fragment F on A { b { ... on B { secret { code } } } }', secretCode), true);
  assert.equal(ask(schema, '{ a { ...F } } fragment F on A { b { ... on B { name } } }', secretCode), false);
});

test('a rule on an implementation reaches the field selected on its interface, and a rule on the interface reaches it on an implementation', () => {
  assert.equal(ask(schema, '{ node { code } }', onCoordinates('Secret.code')), true);
  assert.equal(ask(schema, '{ node { id ... on Open { code } } }', onCoordinates('Node.code')), true);
  assert.equal(ask(schema, '{ node { id } }', onCoordinates('Secret.code')), false);
});

test('answers per filter and per schema, for the same selection set', () => {
  const document = parse('{ a { b { name } } }');
  const operation = document.definitions[0] as OperationDefinitionNode;
  const view = buildSchema('type B { name: String } type A { b: B } type Query { a: A }');
  const name = onCoordinates('B.name');
  const none = onCoordinates();
  assert.equal(mayRestrictWithin(schema, operation.selectionSet, schema.getQueryType()!, new Map(), none), false);
  assert.equal(mayRestrictWithin(schema, operation.selectionSet, schema.getQueryType()!, new Map(), name), true);
  // The same filter asked about the same selection set on another schema decides there: here a
  // filter that says yes on the view only.
  const onView: MayRestrict = (type) => type === view.getType('B');
  assert.equal(mayRestrictWithin(schema, operation.selectionSet, schema.getQueryType()!, new Map(), onView), false);
  assert.equal(mayRestrictWithin(view, operation.selectionSet, view.getQueryType()!, new Map(), onView), true);
});
