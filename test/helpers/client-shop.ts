import type { TestContext } from 'node:test';
import { buildSchema, graphql } from 'graphql';
import { hashApiKey } from '../../src/auth/api-keys.ts';
import { json, startFixtureServer } from './fixture-server.ts';
import { startTestGateway } from './start-test-gateway.ts';

/** The shop service's registered SDL: tags mark what client views include or exclude. */
export const shopSdl = /* GraphQL */ `
  type Query {
    products: [Product!]!
    order(id: ID!): Order
    feed: [FeedItem]!
    search(term: String!, internalOnly: Boolean @tag(name: "internal")): [Product!]!
  }
  type Product {
    id: ID!
    name: String!
    price: Float!
    images: [Image!]!
    cost: Float @tag(name: "internal")
  }
  type Image {
    url: String!
    width: Int!
  }
  type Order {
    id: ID!
    total: Float!
    payment: Payment
  }
  type Payment @tag(name: "payments") {
    id: ID!
    method: String!
    cardLast4: String!
  }
  type Promotion @tag(name: "internal") {
    id: ID!
    title: String!
  }
  union FeedItem = Product | Promotion
`;

const products = [
  {
    id: '1',
    name: 'Kettle',
    price: 30,
    cost: 12,
    images: [
      { url: 'https://img/1-big.jpg', width: 1200 },
      { url: 'https://img/1-small.jpg', width: 160 },
    ],
  },
  { id: '2', name: 'Teapot', price: 25, cost: 9, images: [{ url: 'https://img/2-big.jpg', width: 1000 }] },
];

/** The shop service: graphql-js over HTTP, recording the documents it was sent. */
export async function startShopService(t: TestContext) {
  const schema = buildSchema(shopSdl.replace(/@tag\(name: "\w+"\)/g, ''));
  const rootValue = {
    products: () => products,
    order: ({ id }: { id: string }) => ({ id, total: 55, payment: { id: `p${id}`, method: 'card', cardLast4: '4242' } }),
    feed: () => [
      { __typename: 'Product', ...products[0] },
      { __typename: 'Promotion', id: 'x1', title: 'Secret sale' },
    ],
    search: () => products,
  };
  const documents: string[] = [];
  const server = await startFixtureServer(t, async (request, response) => {
    const { query, variables } = JSON.parse(request.body) as { query: string; variables?: Record<string, unknown> };
    documents.push(query);
    const result = await graphql({
      schema,
      source: query,
      rootValue,
      variableValues: variables ?? {},
      typeResolver: (value) => (value as { __typename: string }).__typename,
    });
    json(response, 200, result);
  });
  return { url: `${server.url}/graphql`, documents };
}

/** API keys of the declared consumers. */
export const keys = { backoffice: 'ck_client-views-backoffice-0123456789', app: 'ck_client-views-app-0123456789' };

/** What the profiles see: web the public catalogue, mobile without payments plus a thumbnail, staff everything. */
export function clientsConfig(extra: Record<string, unknown> = {}) {
  return {
    consumers: { backoffice: { keyHash: hashApiKey(keys.backoffice), scopes: [] }, app: { keyHash: hashApiKey(keys.app), scopes: [] } },
    clients: {
      web: { default: true, names: ['web'], exclude: { tags: ['internal'] } },
      mobile: {
        names: ['shop-ios', 'shop-android'],
        exclude: { tags: ['internal', 'payments'] },
        fields: {
          'Product.thumbnail': {
            type: 'String',
            requires: 'images { url width }',
            resolve: (product: Record<string, unknown>) =>
              (product['images'] as Array<{ url: string; width: number }>).reduce((best, image) => (image.width < best.width ? image : best)).url,
          },
        },
      },
      // `names` without `consumers`: a public profile anyone may choose with the header.
      lite: { names: ['lite'], exclude: { tags: ['internal', 'payments'], coordinates: ['Query.feed', 'Product.images'] } },
      // Restricted: only the backoffice key gets it, whatever header anyone sends.
      staff: { names: ['staff'], consumers: ['backoffice'] },
      // The app's key always gets kiosk: a header can only choose among the profiles an identity allows.
      kiosk: { consumers: ['app'], exclude: { tags: ['internal', 'payments'] } },
    },
    ...extra,
  };
}

/** A gateway over the shop service with the profiles above. */
export async function startClientShop(t: TestContext, extra: Record<string, unknown> = {}) {
  const service = await startShopService(t);
  const gateway = await startTestGateway(t, { shop: { kind: 'graphql', url: service.url, sdl: shopSdl } }, clientsConfig(extra));
  return { service, gateway, endpoint: gateway.endpoint };
}
