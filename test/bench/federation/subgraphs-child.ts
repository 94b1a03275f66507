/**
 * Child process: the four Federation v2 subgraphs of the benchmark (accounts, inventory, products,
 * reviews), each a graphql-yoga server on its own free port of 127.0.0.1 with hand-written
 * `_service { sdl }` and `_entities` resolvers. Every subgraph counts the GraphQL requests it serves
 * and answers `GET /_stats` with `{"requests": n}` (see ../upstream-calls.ts).
 * Prints `{"urls":{"accounts":"http://127.0.0.1:<port>",...}}`; the GraphQL endpoint is `<url>/graphql`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import { announceReady, stopWhenAsked } from '../child-ready.ts';
import { inStock, productByUpc, products, reviewById, reviewsByAuthor, reviewsByProduct, shippingEstimate, userById, users, type Product, type Review, type User } from './data.ts';

type Reference = Record<string, unknown> & { __typename: string };
type Resolvers = Record<string, Record<string, unknown>>;

const federationDefinitions = /* GraphQL */ `
  scalar link__Import
  directive @link(url: String!, import: [link__Import]) repeatable on SCHEMA
  directive @key(fields: String!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE
  directive @shareable repeatable on OBJECT | FIELD_DEFINITION
  directive @external on OBJECT | FIELD_DEFINITION
  directive @requires(fields: String!) on FIELD_DEFINITION
  directive @provides(fields: String!) on FIELD_DEFINITION
  scalar _Any
  type _Service { sdl: String! }
`;

const link = (...names: string[]) => `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: [${names.map((name) => `"@${name}"`).join(', ')}])`;

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
        shippingEstimate: (product: { price?: number; weight?: number }) => (product.price === undefined || product.weight === undefined ? null : shippingEstimate(product.price, product.weight)),
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
      Review: { author: (review: Review) => ({ __typename: 'User', id: review.authorId }), product: (review: Review) => ({ __typename: 'Product', upc: review.upc }) },
      User: { reviews: (user: Pick<User, 'id'>) => reviewsByAuthor.get(user.id) ?? [] },
      Product: { reviews: (product: Pick<Product, 'upc'>) => reviewsByProduct.get(product.upc) ?? [] },
    },
    references: { Review: (reference) => reviewById.get(String(reference['id'])), User: (reference) => ({ id: reference['id'] }), Product: (reference) => ({ upc: reference['upc'] }) },
  },
};

/** A hand-written Federation v2 subgraph, as in test/federation.test.ts, plus a request counter. */
function createSubgraph(sdl: string, resolvers: Resolvers, references: Record<string, (reference: Reference) => unknown>) {
  const entities = Object.keys(references);
  const yoga = createYoga({
    logging: false,
    graphiql: false,
    schema: createSchema({
      typeDefs: [federationDefinitions, sdl, `union _Entity = ${entities.join(' | ')} ${/\btype Query\b/.test(sdl) ? 'extend type Query' : 'type Query'} { _service: _Service! _entities(representations: [_Any!]!): [_Entity]! }`],
      resolvers: {
        ...resolvers,
        _Entity: { __resolveType: (value: Reference) => value.__typename },
        Query: {
          ...resolvers['Query'],
          _service: () => ({ sdl }),
          _entities: (_: unknown, { representations }: { representations: Reference[] }) =>
            representations.map((reference) => {
              const resolved = references[reference.__typename]?.(reference);
              return resolved === null || resolved === undefined ? null : { ...(resolved as object), __typename: reference.__typename };
            }),
        },
      },
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
