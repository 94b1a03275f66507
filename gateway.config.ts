import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createDevTokenSource, devAudience, devIssuer, ensureDevKeys } from './examples/ecommerce/dev-keys.ts';
import type { Consumer } from './src/auth/consumer.ts';
import { defineConfig } from './src/config/define-config.ts';
import { isLoopbackHost } from './src/security/network-config.ts';
import type { FieldOccurrence, ObjectPolicy, PolicyFunction } from './src/security/authorization-config.ts';

// The example shop's development signing key is created on first start, never committed.
const { publicKeyFile } = await ensureDevKeys();

// Loopback only, unless HOST says otherwise (`HOST=0.0.0.0 npm start`).
const host = process.env['HOST'] || '127.0.0.1';
const onLoopback = isLoopbackHost(host);

// GraphiQL opens as user "1" with the scope orders:read: a 15-minute development token, renewed
// every 5 minutes, so a page load always gets one good for 10 more (reload the page for a fresh
// one). Never when the gateway is reachable from other machines: whoever loads the page gets it.
const graphiqlToken = createDevTokenSource({ sub: '1', scopes: ['orders:read'], ttl: 900 });

// With CONCIERGE_REGISTRY_DIR (e.g. .concierge/registry), the shop serves the schema registry's
// latest graph, kept in that folder, and follows its new versions without a restart: `npx
// concierge schema import` seeds it from `sources`; teams publish through the gateway (`concierge
// schema publish ... --registry http://localhost:4000`) with REGISTRY_ADMIN_TOKEN or their own
// REGISTRY_<SERVICE>_TOKEN. Tokens come from the environment; only their SHA-256 is kept.
const registryDirectory = process.env['CONCIERGE_REGISTRY_DIR'];
const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
const teamTokens = ['users', 'orders', 'products', 'inventory', 'payments', 'shipping'].flatMap((service) => {
  const token = process.env[`REGISTRY_${service.toUpperCase()}_TOKEN`];
  return token ? [[service, sha256(token)] as const] : [];
});

/** `text` cut to at most `max` characters at a word boundary, with an ellipsis when cut. */
const shorten = (text: string, max: number) =>
  text.length <= max ? text : `${text.slice(0, text.lastIndexOf(' ', max - 1) > 0 ? text.lastIndexOf(' ', max - 1) : max - 1)}…`;

/** The user the caller is: the token's subject, the same claim the services receive as x-user-id. */
const subjectOf = (consumer: Consumer | undefined) => consumer?.claims?.['sub'];
const hasScope =
  (scope: string): PolicyFunction =>
  ({ consumer }) =>
    consumer?.scopes.includes(scope) ?? false;

/**
 * Whose data an object is, when the query's arguments tell: the user of `me` or `user(id:)`, and of
 * what is reached from it through `User.orders` and `Order.payment`. `undefined`: only the answer tells.
 */
function ownerFromArguments(from: FieldOccurrence | undefined, subject: unknown): unknown {
  for (let at = from; at; at = at.parent) {
    if (at.coordinate === 'Query.me') return subject;
    if (at.coordinate === 'Query.user') return at.args['id'];
    if (at.coordinate !== 'User.orders' && at.coordinate !== 'Order.payment') return undefined;
  }
  return undefined;
}

/** A user's own data: decided before any call when the arguments name the user, else on the object's owner. */
const ownedBy = (requires: string, ownerOf: (object: Readonly<Record<string, unknown>>) => unknown): ObjectPolicy => ({
  beforeCall: ({ consumer, objectFrom }) => {
    const subject = subjectOf(consumer);
    if (subject === undefined) return false;
    const owner = ownerFromArguments(objectFrom, subject);
    return owner === undefined ? undefined : owner === subject;
  },
  requires,
  onResult: ({ consumer, object }) => ownerOf(object) === subjectOf(consumer),
});

/** The example shop: six services (see examples/ecommerce/) composed into one graph. */
export default defineConfig({
  port: 4000,
  host,
  graphiql: {
    title: 'Concierge: example shop',
    defaultQuery: readFileSync(new URL('./examples/ecommerce/order-history.graphql', import.meta.url), 'utf8'),
    defaultVariables: JSON.stringify({ id: '1' }, null, 2),
    ...(onLoopback ? { defaultHeaders: async () => JSON.stringify({ authorization: `Bearer ${await graphiqlToken()}` }, null, 2) } : {}),
  },
  // Exposed beyond loopback, pages of PUBLIC_URL (e.g. http://shop.lan:4000, for GraphiQL) may call
  // the gateway, and ALLOWED_HOSTS (comma-separated) lists the host names it answers to. On
  // loopback only localhost names are answered, whatever a DNS-rebinding page says.
  network: {
    ...(process.env['PUBLIC_URL'] ? { publicUrl: process.env['PUBLIC_URL'] } : {}),
    ...(process.env['ALLOWED_HOSTS'] ? { allowedHosts: process.env['ALLOWED_HOSTS'].split(',').map((name) => name.trim()) } : {}),
  },
  authentication: {
    jwt: { keys: [{ file: publicKeyFile, algorithms: ['ES256'] }], issuer: devIssuer, audience: devAudience },
  },
  // Object-level authorization (see schemas/): a caller reads their own email, orders and payments,
  // unless the token has users:read:any or orders:read:any.
  authorization: {
    policies: {
      // On User.email and User.orders: the User is the caller.
      isSelf: ownedBy('{ id }', (user) => user['id']),
      // On Order and Payment: the caller is the customer. `order(id:)` and `payment(id:)` name no
      // owner: only the service's answer does, so those are decided on it.
      isCustomer: ownedBy('{ customer { id } }', (order) => (order['customer'] as { id?: unknown } | null)?.id),
      readsAnyUser: hasScope('users:read:any'),
      readsAnyOrder: hasScope('orders:read:any'),
    },
  },
  // The users service answers `me` from the token's subject; the orders service places and cancels
  // orders for that user only (orders:write:any cancels anyone's), so it also gets the scopes.
  identity: { headers: { 'x-user-id': 'sub', 'x-user-scopes': 'scopes' } },
  // Hints in schemas/: the product catalogue 60 s (public), stock 5 s, `me` 30 s per user (private).
  responseCache: { enabled: true },
  // The shop's lists are small and its clients known: a tighter cost limit than the default 50,000.
  limits: { maxCost: 10_000 },
  // The products REST API as it is, through the same front door: a signed-in caller (`npm run
  // token`) reads /api/products and /api/products/{id}, proxied to the products instances' /products.
  routes: {
    '/api/products/*': { source: 'products', methods: ['GET'], rewrite: '/products/*', authentication: 'required' },
  },
  // One API per client: the web shop sees the whole graph; the mobile apps (graphql-client-name:
  // shop-ios or shop-android) see it without payment details, and get a short description computed
  // here from the product's own description, fetched with the product in the same call.
  clients: {
    web: { default: true, names: ['web'] },
    mobile: {
      names: ['shop-ios', 'shop-android'],
      exclude: { coordinates: ['Order.payment', 'Query.payment'] },
      fields: {
        'Product.shortDescription': {
          type: 'String',
          requires: 'description',
          description: 'The description cut to 60 characters at a word boundary, for small screens.',
          resolve: ({ description }) => shorten(String(description ?? ''), 60),
        },
      },
    },
  },
  ...(registryDirectory
    ? {
        registry: {
          directory: registryDirectory,
          pollInterval: '500ms',
          ...(process.env['REGISTRY_ADMIN_TOKEN'] ? { adminTokenHash: sha256(process.env['REGISTRY_ADMIN_TOKEN']) } : {}),
          publishTokens: Object.fromEntries(teamTokens),
        },
      }
    : {}),
  sources: {
    users: { kind: 'graphql', url: '${USERS_URL:-http://127.0.0.1:4001/graphql}', forwardHeaders: ['accept-language'] },
    orders: { kind: 'rest', url: '${ORDERS_URL:-http://127.0.0.1:4002}' },
    // Two instances (`npm start` runs both): calls are spread by least outstanding requests, and one
    // that fails 3 calls in a row is ejected for 10 s (longer each time), its calls retried on the other.
    // Where only one runs, PRODUCTS_2_URL names the same one (the same URL twice counts once).
    products: {
      kind: 'rest',
      urls: ['${PRODUCTS_URL:-http://127.0.0.1:4003}', '${PRODUCTS_2_URL:-http://127.0.0.1:4007}'],
      outlierDetection: { consecutiveFailures: 3, baseEjectionTime: '10s' },
    },
    inventory: { kind: 'graphql', url: '${INVENTORY_URL:-http://127.0.0.1:4004/graphql}' },
    payments: { kind: 'rest', url: '${PAYMENTS_URL:-http://127.0.0.1:4005}' },
    shipping: { kind: 'graphql', url: '${SHIPPING_URL:-http://127.0.0.1:4006/graphql}' },
  },
});
