import type { Reference, SubgraphOptions } from './federation-subgraph.ts';
import { link } from './federation-subgraph.ts';

/** Products, inventory and shipping subgraphs whose fields `@requires` each other (chains, a cycle, fragments on an interface). */
export const goods = [
  {
    upc: 'p1',
    name: 'Table',
    price: 100,
    weight: 20,
    attachments: [
      { __typename: 'Image', id: 'i1', size: 3 },
      { __typename: 'Video', id: 'v1', length: 60 },
    ],
  },
  { upc: 'p2', name: 'Chair', price: 40, weight: 5, attachments: [{ __typename: 'Image', id: 'i2', size: 1 }] },
];
const byUpc = (reference: Reference) => goods.find((good) => good.upc === reference['upc']) ?? null;
const number = (value: unknown) => {
  if (typeof value !== 'number') throw new Error(`a required field is missing: ${JSON.stringify(value)}`);
  return value;
};

const attachmentTypes = /* GraphQL */ `
  interface Attachment { id: ID! }
  type Image implements Attachment @shareable { id: ID! size: Int! }
  type Video implements Attachment @shareable { id: ID! length: Int! }
`;

export const requiresSubgraphs: Record<string, SubgraphOptions> = {
  products: {
    sdl: `${link('key', 'shareable', 'external', 'requires')}
      ${attachmentTypes}
      type Product @key(fields: "upc") {
        upc: String! name: String! price: Int! weight: Int! attachments: [Attachment!]! @shareable
        inStock: Boolean! @external
        label: String! @requires(fields: "inStock")
      }
      type Query { products: [Product!]! }`,
    resolvers: {
      Query: { products: () => goods },
      Attachment: { __resolveType: (value: Reference) => value.__typename },
      Product: { label: (product: Reference) => `${String(product['name'] ?? byUpc(product)?.name)}${product['inStock'] === true ? '' : ' (sold out)'}` },
    },
    entities: ['Product'],
    resolve: (reference) => ({ ...byUpc(reference), ...reference }),
  },
  inventory: {
    sdl: `${link('key', 'shareable', 'external', 'requires')}
      ${attachmentTypes}
      type Product @key(fields: "upc") {
        upc: String! price: Int! @external weight: Int! @external attachments: [Attachment!]! @external
        inStock: Boolean!
        shippingEstimate: Int! @requires(fields: "price weight")
        packing: Int! @requires(fields: "attachments { id ... on Image { size } ... on Video { length } }")
      }
      type Query { stock: [Product!]! }`,
    resolvers: {
      Query: { stock: () => goods.map(({ upc }) => ({ upc })) },
      Attachment: { __resolveType: (value: Reference) => value.__typename },
      Product: {
        inStock: (product: Reference) => product['upc'] === 'p1',
        shippingEstimate: (product: Reference) => number(product['price']) / 10 + number(product['weight']),
        packing: (product: Reference) =>
          (product['attachments'] as Reference[]).reduce((total, item) => total + number(item.__typename === 'Image' ? item['size'] : item['length']), 0),
      },
    },
    entities: ['Product'],
    resolve: (reference) => reference,
  },
  shipping: {
    sdl: `${link('key', 'external', 'requires')}
      type Product @key(fields: "upc") { upc: String! name: String! @external shippingEstimate: Int! @external insurance: String! @requires(fields: "shippingEstimate name") }`,
    resolvers: { Product: { insurance: (product: Reference) => `${String(product['name'])}: ${number(product['shippingEstimate']) * 2}` } },
    entities: ['Product'],
    resolve: (reference) => reference,
  },
};

/**
 * Products, where Product implements the interface Good (listed by `goods`), and inventory, whose
 * `manifest` `@requires` the attachments through a fragment on the interface Attachment itself.
 */
export const withGoods: Record<string, SubgraphOptions> = {
  products: {
    ...(requiresSubgraphs['products'] as SubgraphOptions),
    sdl: `${link('key', 'shareable')}
      ${attachmentTypes}
      interface Good { upc: String! name: String! }
      type Product implements Good @key(fields: "upc") { upc: String! name: String! attachments: [Attachment!]! @shareable }
      type Query { goods: [Good!]! }`,
    resolvers: {
      Query: { goods: () => goods },
      Attachment: { __resolveType: (value: Reference) => value.__typename },
      Good: { __resolveType: () => 'Product' },
    },
  },
  inventory: {
    sdl: `${link('key', 'shareable', 'external', 'requires')}
      ${attachmentTypes}
      type Product @key(fields: "upc") {
        upc: String! attachments: [Attachment!]! @external
        manifest: String! @requires(fields: "attachments { ... on Attachment { id } ... on Image { size } }")
      }`,
    resolvers: {
      Attachment: { __resolveType: (value: Reference) => value.__typename },
      Product: {
        manifest: (product: Reference) =>
          (product['attachments'] as Reference[])
            .map((item) => (item.__typename === 'Image' ? `${String(item['id'])}:${number(item['size'])}` : String(item['id'])))
            .join(' '),
      },
    },
    entities: ['Product'],
    resolve: (reference) => reference,
  },
};
