import { readFileSync } from 'node:fs';
import { devAudience, devIssuer, ensureDevKeys, mintDevToken } from './examples/ecommerce/dev-keys.ts';
import { defineConfig } from './src/config/define-config.ts';

// The example shop's development signing key is created on first start, never committed.
const { publicKeyFile } = await ensureDevKeys();

/** The example shop: six services (see examples/ecommerce/) composed into one graph. */
export default defineConfig({
  port: 4000,
  graphiql: {
    title: 'Concierge: example shop',
    defaultQuery: readFileSync(new URL('./examples/ecommerce/order-history.graphql', import.meta.url), 'utf8'),
    defaultVariables: JSON.stringify({ id: '1' }, null, 2),
    // GraphiQL opens as user "1" with the scope orders:read (a development token, valid for a day).
    defaultHeaders: JSON.stringify({ authorization: `Bearer ${await mintDevToken({ sub: '1', scopes: ['orders:read'], ttl: 86_400 })}` }, null, 2),
  },
  authentication: {
    jwt: { keys: [{ file: publicKeyFile, algorithms: ['ES256'] }], issuer: devIssuer, audience: devAudience },
  },
  // The users service answers `me` from the token's subject.
  identity: { headers: { 'x-user-id': 'sub' } },
  // Hints in schemas/: the product catalogue 60 s (public), stock 5 s, `me` 30 s per user (private).
  responseCache: { enabled: true },
  sources: {
    users: { kind: 'graphql', url: '${USERS_URL:-http://127.0.0.1:4001/graphql}', forwardHeaders: ['accept-language'] },
    orders: { kind: 'rest', url: '${ORDERS_URL:-http://127.0.0.1:4002}' },
    products: { kind: 'rest', url: '${PRODUCTS_URL:-http://127.0.0.1:4003}' },
    inventory: { kind: 'graphql', url: '${INVENTORY_URL:-http://127.0.0.1:4004/graphql}' },
    payments: { kind: 'rest', url: '${PAYMENTS_URL:-http://127.0.0.1:4005}' },
    shipping: { kind: 'graphql', url: '${SHIPPING_URL:-http://127.0.0.1:4006/graphql}' },
  },
});
