import type { ServerResponse } from 'node:http';
import type { TestContext } from 'node:test';
import { hashApiKey } from '../../src/auth/api-keys.ts';
import { startFixtureServer, type FixtureServer } from './fixture-server.ts';
import { postGraphQL, sendRaw, type GraphQLResponse } from './graphql-request.ts';
import type { GatewayOptions } from '../../src/server/create-gateway.ts';
import { startTestGateway } from './start-test-gateway.ts';

/** API keys of the catalogue's consumers: a without scopes, b and c who may read costs, and one that may purge. */
export const keys = { a: 'ck_consumer-a', b: 'ck_consumer-b', c: 'ck_consumer-c', admin: 'ck_cache-admin' } as const;

/** A REST catalogue with `@cacheControl` hints: public products, a private account, a field that fails, one that needs a scope. */
export const catalogSdl = /* GraphQL */ `
  type Product @cacheControl(maxAge: 60) {
    id: ID!
    name: String!
    price: Float!
    cost: Float @requiresScopes(scopes: [["catalog:costs"]])
  }
  type Account @cacheControl(scope: PRIVATE) {
    owner: String!
    balance: Float!
  }
  type Query {
    product(id: ID!): Product @http(GET: "/products/{args.id}")
    products: [Product!]! @http(GET: "/products", select: "products")
    flash: Product @http(GET: "/products/1")
    account: Account @http(GET: "/account") @cacheControl(maxAge: 60)
    broken: Product @http(GET: "/broken")
    clock: String @http(GET: "/clock", select: "now")
  }
  type Mutation {
    setPrice(id: ID!, price: Float!): Product @http(POST: "/products/{args.id}/price?value={args.price}")
  }
`;

/** The catalogue service: its data (mutations change it) and the requests it received. */
export async function startCatalogService(t: TestContext): Promise<FixtureServer & { calls(path: string): number }> {
  const products = new Map([
    ['1', { id: '1', name: 'Tea', price: 3, cost: 1 }],
    ['2', { id: '2', name: 'Coffee', price: 4, cost: 2 }],
  ]);
  // no-store: only the gateway's response cache may reuse answers in these tests.
  const send = (response: ServerResponse, status: number, body: unknown) =>
    response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
  const server = await startFixtureServer(t, (request, response) => {
    const url = new URL(request.url ?? '/', 'http://catalog');
    const price = /^\/products\/(\w+)\/price$/.exec(url.pathname);
    const product = /^\/products\/(\w+)$/.exec(url.pathname);
    if (request.method === 'POST' && price?.[1] && products.has(price[1])) {
      const changed = { ...products.get(price[1])!, price: Number(url.searchParams.get('value')) };
      products.set(price[1], changed);
      return send(response, 200, changed);
    }
    if (product?.[1]) return products.has(product[1]) ? send(response, 200, products.get(product[1])) : send(response, 404, { message: 'no such product' });
    if (url.pathname === '/products') return send(response, 200, { products: [...products.values()] });
    if (url.pathname === '/account') return send(response, 200, { owner: request.headers['x-consumer'] ?? 'nobody', balance: 10 });
    if (url.pathname === '/clock') return send(response, 200, { now: new Date().toISOString() });
    send(response, 500, { message: 'broken' });
  });
  return Object.assign(server, { calls: (path: string) => server.requests.filter((request) => request.url === path).length });
}

/** A gateway over the catalogue with the response cache on; `responseCache` and `extra` add to its config, `options` are the gateway's (a test's clock). */
export async function startCachedGateway(
  t: TestContext,
  catalog: FixtureServer,
  responseCache: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
  options: GatewayOptions = {},
) {
  const gateway = await startTestGateway(
    t,
    { catalog: { kind: 'rest', url: catalog.url, sdl: catalogSdl } },
    {
      consumers: {
        a: { keyHash: hashApiKey(keys.a) },
        b: { keyHash: hashApiKey(keys.b), scopes: ['catalog:costs'] },
        c: { keyHash: hashApiKey(keys.c), scopes: ['catalog:costs'] },
        admin: { keyHash: hashApiKey(keys.admin), scopes: ['cache:purge'] },
      },
      identity: { headers: { 'x-consumer': 'consumer' } },
      ...extra,
      responseCache: { enabled: true, ttlPerCoordinate: { 'Query.flash': 1 }, ...responseCache },
    },
    options,
  );
  const query = (text: string, key?: keyof typeof keys, headers: Record<string, string> = {}) =>
    postGraphQL(gateway.endpoint, text, undefined, { ...(key ? { 'x-api-key': keys[key] } : {}), ...headers });
  const purge = (body: unknown, key?: keyof typeof keys) =>
    sendRaw(`${gateway.url}/_concierge/cache`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': keys[key] } : {}) },
      body: JSON.stringify(body),
    });
  return { gateway, query, purge };
}

/** The `x-cache` header of a response. */
export const cacheStatus = (response: GraphQLResponse) => response.headers.get('x-cache');
