import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSchema, execute, parse, type GraphQLError, type OperationDefinitionNode } from 'graphql';
import { completeResult } from '../src/execution/complete-result.ts';
import { shapeOperation } from '../src/execution/shape-operation.ts';

/**
 * Completion against graphql-js: the same merged data completed by `completeResult` and executed by
 * graphql-js (default resolvers over the same objects) must give the same answer, data and error
 * paths. Each operation is completed many times: an object shape is completed generically at first
 * and by its compiled completer once it has completed enough objects (object-completer.ts), and
 * every run must give the same answer.
 */
const schema = buildSchema(/* GraphQL */ `
  enum Status { OPEN CLOSED }
  interface Node { id: ID! }
  type User implements Node { id: ID! name: String! nick: String status: Status tags: [String!] best: User }
  type Robot implements Node { id: ID! model: String! }
  type Query { users: [User] strict: [User!]! nodes: [Node] first: User! }
`);

/** Users keyed by response key, as merged answers are: field names, and the aliases the operations use (`n`, `__proto__` as an own key, as JSON.parse makes it). */
function people(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, index) =>
    withAliases({
      __typename: 'User',
      id: String(index),
      // Every seventh user has no name (non-null): that user becomes null, or the whole strict list does.
      name: index % 7 === 3 ? null : `user ${index}`,
      nick: index % 2 ? `n${index}` : null,
      status: index % 3 ? 'OPEN' : 'CLOSED',
      tags: index % 5 === 0 ? null : ['a', index % 11 === 4 ? null : 'b'],
      best: index % 4 ? { __typename: 'User', id: `b${index}`, name: 'best', nick: null } : null,
    }),
  );
}

function withAliases(user: Record<string, unknown>): Record<string, unknown> {
  Object.defineProperty(user, '__proto__', { value: user['name'], enumerable: true, writable: true, configurable: true });
  return Object.assign(user, { n: user['nick'] });
}

const data = () => {
  const users = people(60);
  return {
    users,
    strict: users.slice(0, 5),
    nodes: [...users.slice(0, 20), ...Array.from({ length: 20 }, (_, index) => ({ __typename: 'Robot', id: `r${index}`, model: index % 6 ? 'R2' : null }))],
    first: users[1],
  };
};

const operations = [
  '{ users { id name nick status tags best { id name } } }',
  '{ users { __typename ...F } } fragment F on User { id __proto__: name n: nick k: __typename }',
  '{ users { id n: nick } first { id __proto__: nick } }',
  // No own `__proto__` on these objects: null, never the prototype.
  '{ users { best { id __proto__: nick } } }',
  '{ strict { id name } first { id } }',
  '{ nodes { __typename id ... on User { name tags } ... on Robot { model } } }',
  '{ first { id name best { id name } } users { id } }',
];

function paths(errors: readonly GraphQLError[] | undefined): string[] {
  return (errors ?? []).map((error) => JSON.stringify(error.path)).sort();
}

test('completion answers as graphql-js does, whether an object shape is completed generically or compiled', async () => {
  for (const query of operations) {
    const document = parse(query);
    const operation = document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === 'OperationDefinition')!;
    const fragments = Object.fromEntries(
      document.definitions.flatMap((definition) => (definition.kind === 'FragmentDefinition' ? [[definition.name.value, definition]] : [])),
    );
    const shape = shapeOperation(schema, { fragments, variables: {} }, schema.getQueryType()!, operation.selectionSet);
    // graphql-js reads each field by its response key, as completion does.
    const expected = await execute({
      schema,
      document,
      rootValue: data(),
      fieldResolver: (source: Record<string, unknown>, _args, _context, info) =>
        Object.hasOwn(source, info.path.key as string) ? source[info.path.key as string] : undefined,
    });
    for (let run = 0; run < 8; run++) {
      const errors: GraphQLError[] = [];
      const completed = completeResult(data(), shape, errors);
      assert.equal(JSON.stringify(completed), JSON.stringify(expected.data), `${query} (run ${run})`);
      assert.deepEqual(paths(errors), paths(expected.errors), `${query} (run ${run})`);
    }
  }
});
