import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GraphQLError, print, type GraphQLResolveInfo } from 'graphql';
import { link, linkAt, type Reference } from './helpers/federation-subgraph.ts';
import { errorsOf, startFederation } from './helpers/federation-gateways.ts';

/**
 * Federation semantics the planner must answer exactly, each over subgraphs written for it: internal
 * aliases (sibling fragments whose field types differ per subgraph, client aliases on key names),
 * null keys, errors on shared representations, and `@provides` when choosing a root subgraph.
 */

const people = [
  { __typename: 'User', id: 'u1', name: 'u1-name' },
  { __typename: 'Admin', id: 'a1', name: 'a1-name' },
];

test('sibling fragments selecting `id` as ID! and ID in one subgraph travel under internal aliases and answer as asked', async (t) => {
  const gateways = await startFederation(t, {
    a: {
      sdl: `${link('key', 'shareable')}
        type User @key(fields: "id") { id: ID! name: String @shareable similarAccounts: [Account!]! }
        type Admin { id: ID name: String similarAccounts: [Account!]! }
        union Account = User | Admin
        type Query { users: [User!]! accounts: [Account!]! }`,
      resolvers: {
        Query: { users: () => people.slice(0, 1), accounts: () => people },
        Account: { __resolveType: (value: Reference) => value.__typename },
        User: { similarAccounts: () => people },
        Admin: { similarAccounts: () => people },
      },
      entities: ['User'],
      resolve: (reference) => people.find((person) => person.id === reference['id']) ?? null,
    },
    b: {
      sdl: `${link('key', 'shareable')}
        type User @key(fields: "id") { id: ID name: String @shareable }`,
      entities: ['User'],
      resolve: (reference) => people.find((person) => person.id === reference['id']) ?? null,
    },
  });
  const query = '{ accounts { ... on User { id name similarAccounts { ... on User { id } ... on Admin { id } } } ... on Admin { id name } } }';
  const { body, calls } = await gateways.ask(query);
  const similar = [{ id: 'u1' }, { id: 'a1' }];
  assert.deepEqual(body, {
    data: {
      accounts: [
        { id: 'u1', name: 'u1-name', similarAccounts: similar },
        { id: 'a1', name: 'a1-name' },
      ],
    },
  });
  assert.deepEqual(calls, { a: 1 });
});

const products = [
  { upc: 'p1', name: 'Table' },
  { upc: 'p2', name: 'Chair' },
];

const catalog = {
  products: {
    sdl: `${link('key')}
      type Product @key(fields: "upc") { upc: String! name: String! }`,
    entities: ['Product'],
    resolve: (reference: Reference) => {
      if (reference['upc'] === 'broken') return new GraphQLError('no such product');
      return products.find((product) => product.upc === reference['upc']) ?? null;
    },
  },
  reviews: {
    sdl: `${link('key')}
      type Product @key(fields: "upc") { upc: String! }
      type Review { id: ID! product: Product }
      type Query { reviews: [Review!]! }`,
    resolvers: {
      Query: {
        reviews: () => [
          { id: 'r1', product: { upc: 'p1' } },
          { id: 'r2', product: { upc: 'broken' } },
          { id: 'r3', product: { upc: 'p2' } },
          { id: 'r4', product: { upc: 'broken' } },
        ],
      },
    },
  },
};

test('a client alias on a key name (product { upc: name }) never overwrites the key the plan fetched', async (t) => {
  const gateways = await startFederation(t, catalog, { stitched: true });
  const { body } = await gateways.ask('{ reviews { id product { upc: name name: upc } } }');
  const { data } = body as { data: { reviews: Array<{ product: unknown }> } };
  assert.deepEqual(data.reviews[0], { id: 'r1', product: { upc: 'Table', name: 'p1' } });
  assert.deepEqual(data.reviews[2], { id: 'r3', product: { upc: 'Chair', name: 'p2' } });
});

test('an error on a representation two objects share reaches both objects, each on its own path', async (t) => {
  const gateways = await startFederation(t, catalog);
  const { body, calls } = await gateways.ask('{ reviews { id product { name } } }');
  assert.deepEqual(body.data, {
    reviews: [
      { id: 'r1', product: { name: 'Table' } },
      { id: 'r2', product: null },
      { id: 'r3', product: { name: 'Chair' } },
      { id: 'r4', product: null },
    ],
  });
  assert.deepEqual(errorsOf(body), [
    [['reviews', 1, 'product'], 'DOWNSTREAM_SERVICE_ERROR', 'products'],
    [['reviews', 3, 'product'], 'DOWNSTREAM_SERVICE_ERROR', 'products'],
  ]);
  assert.deepEqual(calls, { reviews: 1, products: 1 }, 'the broken product is represented once');
});

const books = [
  { id: '1', upc: 'b1', author: { id: 'a1', name: 'Alice' } },
  { id: '2', upc: 'b2', author: { id: 'a2', name: 'Bob' } },
  { id: '3', upc: 'b3', author: { id: 'a3', name: 'Carol' } },
];

test('an entity whose key came back null is not sent on: only its own field is null, and the call completes the others', async (t) => {
  const gateways = await startFederation(t, {
    a: {
      sdl: `${link('key')}
        type Query { bookContainers: [BookContainer] }
        type BookContainer { book: Book }
        type Book @key(fields: "upc") { upc: ID! }`,
      resolvers: { Query: { bookContainers: () => books.map(({ upc }) => ({ book: { upc } })) } },
    },
    b: {
      sdl: `${link('key')}
        type Book @key(fields: "id") @key(fields: "upc") { id: ID! upc: ID! }`,
      entities: ['Book'],
      resolve: (reference) => {
        const book = books.find((candidate) => candidate.upc === reference['upc'] || candidate.id === reference['id']);
        return !book || book.id === '3' ? null : { id: book.id, upc: book.upc };
      },
    },
    c: {
      sdl: `${link('key')}
        type Book @key(fields: "id") { id: ID! author: Author }
        type Author { id: ID! name: String }`,
      entities: ['Book'],
      resolve: (reference) => {
        const book = books.find((candidate) => candidate.id === reference['id']);
        if (!book) throw new Error('Invalid reference');
        return { id: book.id, author: book.author };
      },
    },
  });
  const { body, calls } = await gateways.ask('{ bookContainers { book { upc author { name } } } }');
  assert.deepEqual(body, {
    data: {
      bookContainers: [
        { book: { upc: 'b1', author: { name: 'Alice' } } },
        { book: { upc: 'b2', author: { name: 'Bob' } } },
        { book: { upc: 'b3', author: null } },
      ],
    },
  });
  assert.deepEqual(calls, { a: 1, b: 1, c: 1 });
});

test('@provides: of the subgraphs that answer a root field, the one that provides the selected fields is asked, and nothing it provides is fetched again', async (t) => {
  const gateways = await startFederation(t, {
    products: {
      sdl: `${link('key', 'shareable')}
        type Product @key(fields: "upc") { upc: String! name: String! }
        type Query { topProducts: [Product!]! @shareable }`,
      resolvers: { Query: { topProducts: () => products } },
      entities: ['Product'],
      resolve: (reference) => products.find((product) => product.upc === reference['upc']) ?? null,
    },
    shop: {
      sdl: `${link('key', 'shareable', 'external', 'provides')}
        type Product @key(fields: "upc") { upc: String! name: String! @external }
        type Query { topProducts: [Product!]! @shareable @provides(fields: "name") }`,
      resolvers: { Query: { topProducts: () => products } },
      entities: ['Product'],
      resolve: (reference) => ({ upc: reference['upc'] }),
    },
  });
  const { body, calls } = await gateways.ask('{ topProducts { upc name } }');
  assert.deepEqual(body, { data: { topProducts: products } });
  assert.equal(
    Object.values(calls).reduce((total, count) => total + count, 0),
    1,
    JSON.stringify(calls),
  );
});

const paints = {
  paints: {
    sdl: `${link('inaccessible')}
      enum Color { RED GREEN @inaccessible }
      type Secret @inaccessible { code: String }
      input Filter { name: String hidden: Boolean @inaccessible }
      type Query { colors(filter: Filter, debug: Boolean @inaccessible): [Color] secret: Secret @inaccessible }`,
    resolvers: { Query: { colors: () => ['RED', 'GREEN', 'RED'] } },
  },
};

test('@inaccessible enum value: one a subgraph returns is null, as if it had sent none (no error where null is allowed)', async (t) => {
  const gateways = await startFederation(t, paints);
  const { body } = await gateways.ask('{ colors }');
  assert.deepEqual(body, { data: { colors: ['RED', null, 'RED'] } });
});

test('@inaccessible on types, enum values, arguments and input fields: absent from the public schema', async (t) => {
  const gateways = await startFederation(t, paints);
  const schema = gateways.planned.gateway.schema;
  assert.equal(schema.getType('Secret'), undefined);
  assert.deepEqual(
    schema
      .getQueryType()
      ?.getFields()
      ['colors']?.args.map((argument) => argument.name),
    ['filter'],
  );
  assert.deepEqual(Object.keys((schema.getType('Filter') as import('graphql').GraphQLInputObjectType).getFields()), ['name']);
  assert.deepEqual(
    (schema.getType('Color') as import('graphql').GraphQLEnumType).getValues().map((value) => value.name),
    ['RED'],
  );
});

test('sibling fragments on union members select one response key: each entity call gets only the objects of its own member', async (t) => {
  const parts = (name: string) => ({
    sdl: `${link('key')}
      type Part @key(fields: "id") { id: ID! ${name}: String! }`,
    entities: ['Part'],
    resolve: (reference: Reference) => ({ id: reference['id'], [name]: `${name} of ${String(reference['id'])}` }),
  });
  const gateways = await startFederation(t, {
    orders: {
      sdl: `${link('key')}
        type Part @key(fields: "id") { id: ID! }
        type Repair { part: Part }
        type Refund { part: Part }
        union Ticket = Repair | Refund
        type Query { tickets: [Ticket!]! }`,
      resolvers: {
        Query: { tickets: () => [{ __typename: 'Repair', part: { id: 'a' } }] },
        Ticket: { __resolveType: (value: Reference) => value.__typename },
      },
    },
    workshop: parts('fix'),
    accounting: parts('credit'),
  });
  const { body, calls } = await gateways.ask('{ tickets { ... on Repair { part { fix } } ... on Refund { part { credit } } } }');
  assert.deepEqual(body, { data: { tickets: [{ part: { fix: 'fix of a' } }] } });
  assert.deepEqual(calls, { orders: 1, workshop: 1 }, 'no Refund came back: accounting is not asked for a Repair part');
});

test('a composed executable directive: in the public schema, and passed on with the supergraph default of an argument the client left out', async (t) => {
  const echo = (_: unknown, __: unknown, ___: unknown, info: GraphQLResolveInfo) =>
    (info.fieldNodes[0]?.directives ?? []).map((directive) => print(directive)).join(' ');
  const subgraph = (field: string, definition: string) => ({
    sdl: `${linkAt('2.1', 'key', 'composeDirective')}
      extend schema @link(url: "https://example.dev/audit/v1.0", import: ["@audit"]) @composeDirective(name: "@audit")
      ${definition}
      enum Level { LOW HIGH }
      type Query { ${field}: String }`,
    resolvers: { Query: { [field]: echo } },
  });
  const gateways = await startFederation(t, {
    // Only the one definition has a default; the supergraph's (and so the client's) has it.
    left: subgraph('left', 'directive @audit(level: Level!) on FIELD'),
    right: subgraph('right', 'directive @audit(level: Level! = LOW) on FIELD'),
  });
  assert.ok(gateways.planned.gateway.schema.getDirective('audit'), 'clients may use @audit');
  const { body, calls } = await gateways.ask('{ left @audit right @audit(level: HIGH) }');
  assert.deepEqual(body, { data: { left: '@audit(level: LOW)', right: '@audit(level: HIGH)' } });
  assert.deepEqual(calls, { left: 1, right: 1 });
});
