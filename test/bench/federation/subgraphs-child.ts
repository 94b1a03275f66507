/**
 * Child process: the four Federation v2 subgraphs of the benchmark (accounts, inventory, products,
 * reviews), each a graphql-yoga server on its own free port of 127.0.0.1 with hand-written
 * `_service { sdl }` and `_entities` resolvers. Every subgraph counts the GraphQL requests it serves
 * and answers `GET /_stats` with `{"requests": n}` (see ../upstream-calls.ts).
 * Prints `{"urls":{"accounts":"http://127.0.0.1:<port>",...}}`; the GraphQL endpoint is `<url>/graphql`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga } from 'graphql-yoga';
import { link, subgraphSchema, type Reference } from '../../helpers/federation-subgraph.ts';
import { announceReady, stopWhenAsked } from '../child-ready.ts';
import {
  inStock,
  productByUpc,
  products,
  reviewById,
  reviewsByAuthor,
  reviewsByProduct,
  shippingEstimate,
  userById,
  users,
  type Product,
  type Review,
  type User,
} from './data.ts';

type Resolvers = Record<string, Record<string, unknown>>;

const subgraphs: Record<string, { sdl: string; resolvers: Resolvers; references: Record<string, (reference: Reference) => unknown> }> = {
  accounts: {
    sdl: /* GraphQL */ `
      ${link('key')}
      type User @key(fields: "id") { id: ID! name: String username: String }
      type Query { me: User user(id: ID!): User users: [User] }
    `,
    resolvers: { Query: { me: () => users[0], user: (_: unknown, { id }: { id: string }) => userById.get(id) ?? null, users: () => users } },
    references: { User: (reference) => userById.get(String(reference['id'])) },
  },
  inventory: {
    sdl: /* GraphQL */ `
      ${link('key', 'external', 'requires')}
      type Product @key(fields: "upc") {
        upc: String!
        weight: Int @external
        price: Int @external
        inStock: Boolean
        shippingEstimate: Int @requires(fields: "price weight")
      }
    `,
    resolvers: {
      Product: {
        inStock: (product: { upc: string }) => inStock(product.upc),
        shippingEstimate: (product: { price?: number; weight?: number }) =>
          product.price === undefined || product.weight === undefined ? null : shippingEstimate(product.price, product.weight),
      },
    },
    references: { Product: (reference) => reference },
  },
  products: {
    sdl: /* GraphQL */ `
      ${link('key')}
      type Product @key(fields: "upc") { upc: String! name: String price: Int weight: Int }
      type Query { topProducts(first: Int = 5): [Product] }
    `,
    resolvers: { Query: { topProducts: (_: unknown, { first }: { first: number }) => products.slice(0, first) } },
    references: { Product: (reference) => productByUpc.get(String(reference['upc'])) },
  },
  reviews: {
    sdl: /* GraphQL */ `
      ${link('key')}
      type Review @key(fields: "id") { id: ID! body: String author: User product: Product }
      type User @key(fields: "id") { id: ID! reviews: [Review] }
      type Product @key(fields: "upc") { upc: String! reviews: [Review] }
    `,
    resolvers: {
      Review: {
        author: (review: Review) => ({ __typename: 'User', id: review.authorId }),
        product: (review: Review) => ({ __typename: 'Product', upc: review.upc }),
      },
      User: { reviews: (user: Pick<User, 'id'>) => reviewsByAuthor.get(user.id) ?? [] },
      Product: { reviews: (product: Pick<Product, 'upc'>) => reviewsByProduct.get(product.upc) ?? [] },
    },
    references: {
      Review: (reference) => reviewById.get(String(reference['id'])),
      User: (reference) => ({ id: reference['id'] }),
      Product: (reference) => ({ upc: reference['upc'] }),
    },
  },
};

/** A hand-written Federation v2 subgraph (test/helpers/federation-subgraph.ts) with a request counter. */
function createSubgraph(sdl: string, resolvers: Resolvers, references: Record<string, (reference: Reference) => unknown>) {
  const yoga = createYoga({
    logging: false,
    graphiql: false,
    schema: subgraphSchema({
      sdl,
      resolvers,
      entities: Object.keys(references),
      resolve: (reference) => references[reference.__typename]?.(reference) as Record<string, unknown> | null | undefined,
    }),
  });
  let requests = 0;
  const server = createServer({ keepAliveTimeout: 5_000 }, (request, response) => {
    if (request.url === '/_stats') return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ requests }));
    requests += 1;
    void yoga(request, response);
  });
  return server;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

const servers = Object.entries(subgraphs).map(([name, { sdl, resolvers, references }]) => [name, createSubgraph(sdl, resolvers, references)] as const);
const urls = Object.fromEntries(await Promise.all(servers.map(async ([name, server]) => [name, await listen(server)] as const)));
stopWhenAsked('subgraphs', async () => {
  for (const [, server] of servers) server.closeAllConnections();
  await Promise.all(servers.map(([, server]) => new Promise<void>((resolve) => server.close(() => resolve()))));
});
announceReady({ urls });
