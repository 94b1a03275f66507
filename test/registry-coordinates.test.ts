import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSchema, parse } from 'graphql';
import { documentCoordinates, operationCoordinates } from '../src/registry/operation-coordinates.ts';

const schema = buildSchema(/* GraphQL */ `
  interface Node { id: ID! }
  type User implements Node { id: ID! name: String reviews(first: Int = 5, order: Order): [Review!]! }
  type Review implements Node { id: ID! stars: Int author: User }
  union SearchResult = User | Review
  enum Order { NEWEST OLDEST }
  input Filter { text: String, order: Order, and: Filter }
  type Query {
    node(id: ID!): Node
    user(id: ID!): User
    search(filter: Filter, first: Int): [SearchResult!]!
  }
  type Mutation { rename(id: ID!, name: String!): User }
`);

test('an operation uses the fields it selects, the arguments it gives, its literal input fields and enum values, and its type conditions', () => {
  const document = parse(/* GraphQL */ `
    query Profile($id: ID!, $withReviews: Boolean = true) {
      user(id: $id) {
        __typename
        ...UserName
        reviews(order: NEWEST) @include(if: $withReviews) { stars }
      }
      search(filter: { text: "x", and: { order: OLDEST } }) {
        ... on Review { id author { name } }
      }
      __schema { queryType { name } }
    }
    fragment UserName on User { name }
    fragment Unused on Review { stars }
    mutation Rename { rename(id: "1", name: "Ann") { id } }
  `);
  assert.deepEqual(
    operationCoordinates(schema, document, 'Profile'),
    [
      'Filter.and',
      'Filter.order',
      'Filter.text',
      'Order.OLDEST',
      'Query.search',
      'Query.search(filter:)',
      'Query.user',
      'Query.user(id:)',
      'Review',
      'Review.author',
      'Review.id',
      'Review.stars',
      'User',
      'User.name',
      'User.reviews',
      'User.reviews(order:)',
      'Order.NEWEST',
    ].sort(),
  );
  assert.deepEqual(operationCoordinates(schema, document, 'Rename'), ['Mutation.rename', 'Mutation.rename(id:)', 'Mutation.rename(name:)', 'User.id']);
  assert.deepEqual(operationCoordinates(schema, document), [], 'several operations and no name: none is chosen');
  assert.deepEqual(operationCoordinates(schema, document, 'Missing'), []);
});

test('a variable stands for what its value holds, or for every input field and enum value its type allows when the value is not known', () => {
  const document = parse(/* GraphQL */ `
    query Search($filter: Filter, $order: Order = NEWEST) {
      search(filter: $filter) { ... on User { reviews(order: $order) { id } } }
    }
  `);
  const fields = ['Query.search', 'Query.search(filter:)', 'Review.id', 'User', 'User.reviews', 'User.reviews(order:)'];
  assert.deepEqual(
    operationCoordinates(schema, document, 'Search', { filter: { order: 'OLDEST' } }),
    [...fields, 'Filter.order', 'Order.NEWEST', 'Order.OLDEST'].sort(),
    'the default NEWEST is a literal of the document',
  );
  assert.deepEqual(
    operationCoordinates(schema, document, 'Search'),
    [...fields, 'Filter.and', 'Filter.order', 'Filter.text', 'Order.NEWEST', 'Order.OLDEST'].sort(),
  );
});

test('a document counts every operation it holds; fields the schema lacks are left out', () => {
  const document = parse('query A { user(id: 1) { name gone } } query B { node(id: 2) { id ... on User { name } } }');
  assert.deepEqual(documentCoordinates(schema, document), ['Node.id', 'Query.node', 'Query.node(id:)', 'Query.user', 'Query.user(id:)', 'User', 'User.name']);
});
