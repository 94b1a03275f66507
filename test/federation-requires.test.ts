import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { withBlurb } from './helpers/federation-media-subgraphs.ts';
import { requiresSubgraphs, withGoods } from './helpers/requires-subgraphs.ts';
import { errorsOf, startFederation } from './helpers/federation-gateways.ts';
import { link, type Reference } from './helpers/federation-subgraph.ts';

/**
 * `@requires`: the planner fetches the required fields from the subgraphs that resolve them, then
 * calls the requiring subgraph's `_entities` with them — also when that subgraph is the one the
 * query is in, along chains and cycles between subgraphs, with fragments on abstract types, when
 * several subgraphs feed one field, and on an `@interfaceObject`'s field.
 */

const start = (t: TestContext) => startFederation(t, requiresSubgraphs);

test('@requires on a field of the subgraph the query is in: the required fields come first from the others, then that subgraph is asked again', async (t) => {
  const gateways = await start(t);
  const { body, calls } = await gateways.ask('{ stock { upc shippingEstimate } }');
  assert.deepEqual(body, {
    data: {
      stock: [
        { upc: 'p1', shippingEstimate: 30 },
        { upc: 'p2', shippingEstimate: 9 },
      ],
    },
  });
  assert.deepEqual(calls, { inventory: 2, products: 1 }, 'stock, the prices and weights, then the estimates');
});

test('@requires chain: insurance needs the estimate, which needs price and weight', async (t) => {
  const gateways = await start(t);
  const { body, calls } = await gateways.ask('{ products { insurance } }');
  assert.deepEqual(body, { data: { products: [{ insurance: 'Table: 60' }, { insurance: 'Chair: 18' }] } });
  assert.deepEqual(calls, { products: 1, inventory: 1, shipping: 1 });
});

test('@requires across a cycle of subgraphs: products needs inventory for label, inventory needs products for the estimate', async (t) => {
  const gateways = await start(t);
  const { body, calls } = await gateways.ask('{ stock { label shippingEstimate } }');
  assert.deepEqual(body, {
    data: {
      stock: [
        { label: 'Table', shippingEstimate: 30 },
        { label: 'Chair (sold out)', shippingEstimate: 9 },
      ],
    },
  });
  assert.equal(calls['inventory'], 2);
});

test('@requires with fragments on an abstract type: each object sends the fields of its own type', async (t) => {
  const gateways = await start(t);
  const { body } = await gateways.ask('{ products { upc packing } }');
  assert.deepEqual(body, {
    data: {
      products: [
        { upc: 'p1', packing: 63 },
        { upc: 'p2', packing: 1 },
      ],
    },
  });
});

test('@requires fed by several subgraphs: the name from products and the estimate from inventory', async (t) => {
  const gateways = await start(t);
  const { body, calls } = await gateways.ask('{ stock { insurance inStock } }');
  assert.deepEqual(body, {
    data: {
      stock: [
        { insurance: 'Table: 60', inStock: true },
        { insurance: 'Chair: 18', inStock: false },
      ],
    },
  });
  assert.deepEqual(calls, { inventory: 2, products: 1, shipping: 1 });
});

test('a required field the client also selects under an alias of another field keeps both apart', async (t) => {
  const gateways = await start(t);
  const query = '{ products { price: name weight: upc shippingEstimate } }';
  const { body } = await gateways.ask(query);
  assert.deepEqual(body, {
    data: {
      products: [
        { price: 'Table', weight: 'p1', shippingEstimate: 30 },
        { price: 'Chair', weight: 'p2', shippingEstimate: 9 },
      ],
    },
  });
  assert.equal(errorsOf(body as { errors?: [] }), undefined);
});

test('@requires through a fragment on the interface, for an entity selected through an interface of its own', async (t) => {
  const gateways = await startFederation(t, withGoods);
  const { body, calls } = await gateways.ask('{ goods { name ... on Product { manifest } } }');
  assert.deepEqual(body, {
    data: {
      goods: [
        { name: 'Table', manifest: 'i1:3 v1' },
        { name: 'Chair', manifest: 'i2:1' },
      ],
    },
  });
  assert.deepEqual(calls, { products: 1, inventory: 1 });
  assert.deepEqual(gateways.servers['inventory']?.representations(), [
    [
      {
        __typename: 'Product',
        upc: 'p1',
        attachments: [
          { __typename: 'Image', id: 'i1', size: 3 },
          { __typename: 'Video', id: 'v1' },
        ],
      },
      { __typename: 'Product', upc: 'p2', attachments: [{ __typename: 'Image', id: 'i2', size: 1 }] },
    ],
  ]);
});

test('@requires on an @interfaceObject field: the interface owner sends the required field, objects are represented as the interface', async (t) => {
  const gateways = await startFederation(t, withBlurb);
  const onBooks = await gateways.ask('{ library { id ... on Book { blurb } } }');
  assert.deepEqual(onBooks.body, { data: { library: [{ id: 'm1', blurb: 'Dune (5/5)' }, { id: 'm2' }, { id: 'm3', blurb: 'Emma (3/5)' }] } });
  assert.deepEqual(onBooks.calls, { media: 1, ratings: 1 });
  assert.deepEqual(gateways.servers['ratings']?.representations(), [
    [
      { __typename: 'Media', id: 'm1', title: 'Dune' },
      { __typename: 'Media', id: 'm3', title: 'Emma' },
    ],
  ]);
  const topRated = await gateways.ask('{ topRated { rating blurb } }');
  assert.deepEqual(topRated.body, {
    data: {
      topRated: [
        { rating: 4, blurb: 'Alien (4/5)' },
        { rating: 5, blurb: 'Dune (5/5)' },
      ],
    },
  });
  assert.deepEqual(topRated.calls, { ratings: 2, media: 1 }, 'the objects, their titles from media, then the blurbs');
});

test('@requires with fragments reaching a type @inaccessible hides: its objects send their required fields too, and the client sees null there', async (t) => {
  const contents = { b1: { __typename: 'Gem', label: 'Ruby', carat: 3 }, b2: { __typename: 'Coin', label: 'Florin', year: 1252 } };
  const boxes = ['b1', 'b2'].map((id) => ({ id, content: contents[id as keyof typeof contents] }));
  const gateways = await startFederation(t, {
    vault: {
      sdl: `${link('key', 'shareable')}
        interface Content { label: String! }
        type Gem implements Content @shareable { label: String! carat: Int! }
        type Coin implements Content @shareable { label: String! year: Int! }
        type Box @key(fields: "id") { id: ID! content: Content }
        type Query { boxes: [Box!]! }`,
      resolvers: { Query: { boxes: () => boxes }, Content: { __resolveType: (value: Reference) => value.__typename } },
      entities: ['Box'],
      resolve: (reference) => boxes.find((box) => box.id === reference['id']) ?? null,
    },
    appraisal: {
      sdl: `${link('key', 'shareable', 'external', 'requires', 'inaccessible')}
        interface Content { label: String! }
        type Gem implements Content @shareable @inaccessible { label: String! carat: Int! }
        type Coin implements Content @shareable { label: String! year: Int! }
        type Box @key(fields: "id") {
          id: ID!
          content: Content @external
          appraisal: String! @requires(fields: "content { label ... on Gem { carat } ... on Coin { year } }")
        }`,
      resolvers: { Content: { __resolveType: (value: Reference) => value.__typename } },
      entities: ['Box'],
      resolve: (reference) => {
        const content = reference['content'] as Reference;
        const detail = content.__typename === 'Gem' ? `${content['carat']} ct` : `minted ${content['year']}`;
        return { id: reference['id'], appraisal: `${content['label']}, ${detail}` };
      },
    },
  });
  const { body } = await gateways.ask('{ boxes { id content { label } appraisal } }');
  assert.deepEqual(body, {
    data: {
      boxes: [
        { id: 'b1', content: null, appraisal: 'Ruby, 3 ct' },
        { id: 'b2', content: { label: 'Florin' }, appraisal: 'Florin, minted 1252' },
      ],
    },
  });
  assert.deepEqual(gateways.servers['appraisal']?.representations(), [
    [
      { __typename: 'Box', id: 'b1', content: { __typename: 'Gem', label: 'Ruby', carat: 3 } },
      { __typename: 'Box', id: 'b2', content: { __typename: 'Coin', label: 'Florin', year: 1252 } },
    ],
  ]);
});

test('@requires of a field that another call below its source fills (writer { years }): the requiring call waits for that call too', async (t) => {
  const writers = { w1: { id: 'w1', years: 2 }, w2: { id: 'w2', years: 25 } };
  const posts = [
    { id: 'p1', writer: 'w1' },
    { id: 'p2', writer: 'w2' },
  ];
  const gateways = await startFederation(t, {
    blog: {
      sdl: `${link('key')}
        type Post @key(fields: "id") { id: ID! }
        type Author @key(fields: "id") { id: ID! years: Int! }
        type Query { posts: [Post!]! }`,
      resolvers: { Query: { posts: () => posts.map(({ id }) => ({ id })) } },
      entities: ['Author'],
      resolve: (reference) => writers[reference['id'] as keyof typeof writers] ?? null,
    },
    people: {
      sdl: `${link('key', 'external', 'requires')}
        type Author @key(fields: "id") { id: ID! years: Int! @external }
        type Post @key(fields: "id") { id: ID! writer: Author! junior: Boolean! @requires(fields: "writer { years }") }`,
      entities: ['Post'],
      resolve: (reference) => {
        const post = posts.find((candidate) => candidate.id === reference['id']);
        if (!post) return null;
        const writer = reference['writer'] as Reference | undefined;
        if (!writer) return { id: post.id, writer: { id: post.writer } };
        if (typeof writer['years'] !== 'number') return new Error(`a writer without years: ${JSON.stringify(writer)}`);
        return { id: post.id, writer: { id: post.writer }, junior: writer['years'] < 10 };
      },
    },
  });
  const { body, calls } = await gateways.ask('{ posts { id junior } }');
  assert.deepEqual(body, {
    data: {
      posts: [
        { id: 'p1', junior: true },
        { id: 'p2', junior: false },
      ],
    },
  });
  assert.deepEqual(calls, { blog: 2, people: 2 }, 'the posts, their writers, the writers years, then junior');
});
