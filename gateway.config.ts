import { readFileSync } from 'node:fs';
import { defineConfig } from './src/config/define-config.ts';

/** The example shop: six services (see examples/ecommerce/) composed into one graph. */
export default defineConfig({
  port: 4000,
  graphiql: {
    title: 'Concierge: example shop',
    defaultQuery: readFileSync(new URL('./examples/ecommerce/order-history.graphql', import.meta.url), 'utf8'),
    defaultVariables: JSON.stringify({ id: '1' }, null, 2),
  },
  sources: {
    users: { kind: 'graphql', url: '${USERS_URL:-http://127.0.0.1:4001/graphql}', forwardHeaders: ['accept-language'] },
    orders: { kind: 'rest', url: '${ORDERS_URL:-http://127.0.0.1:4002}' },
    products: { kind: 'rest', url: '${PRODUCTS_URL:-http://127.0.0.1:4003}' },
    inventory: { kind: 'graphql', url: '${INVENTORY_URL:-http://127.0.0.1:4004/graphql}' },
    payments: { kind: 'rest', url: '${PAYMENTS_URL:-http://127.0.0.1:4005}' },
    shipping: { kind: 'graphql', url: '${SHIPPING_URL:-http://127.0.0.1:4006/graphql}' },
  },
});
