import assert from 'node:assert/strict';
import { test } from 'node:test';
import path from 'node:path';
import { mintDevToken } from '../examples/ecommerce/dev-keys.ts';
import { seed } from '../examples/ecommerce/seed.ts';
import { startExampleServices } from '../examples/ecommerce/start-services.ts';
import { postGraphQL, type ClientError } from './helpers/graphql-request.ts';
import { spawnGatewayProcess } from './helpers/spawn-gateway-process.ts';
import { root, shopEnv, startShop } from './helpers/start-shop.ts';

/**
 * A document of under 2 KB whose fragments fan out: `F0` spreads `F1` twice, `F1` spreads
 * `F2` twice, and so on, so the last one's fields are spread 2^depth times. GraphQL executes them
 * once (CollectFields visits a named fragment once per selection), and a gateway must spend the
 * document's size on it, not 2^depth: at depth 40 a walk that repeats fragments would run for days.
 */
function fanOut(field: string, type: string, leaf: string, depth = 40): string {
  const fragments = Array.from({ length: depth + 1 }, (_, level) =>
    level === depth ? `fragment F${level} on ${type} { ${leaf} }` : `fragment F${level} on ${type} { ...F${level + 1} ...F${level + 1} }`,
  );
  return `{ ${field} { ...F0 } } ${fragments.join(' ')}`;
}

const where = (errors: ClientError[] | undefined) => (errors ?? []).map((error) => [error.path, error.extensions?.code]);
const user1 = seed.usersById.get('1');
const product1 = seed.productsById.get('1');

// Every walk of the document meets the fan-out: the planner's field collection and the plan's
// shape, authorization (a rule governs User.email), the response cache's policy and the cost limit.
// The gateway runs in its own process, as deployed: a walk that repeats fragments blocks its event
// loop, and then this test fails on its timeout instead of hanging with it.
test('fragments spread 2^40 times are planned, authorized and cached in the time of the document', { timeout: 120_000 }, async (t) => {
  const services = await startExampleServices({ basePort: 0 });
  t.after(() => services.close());
  const gateway = await spawnGatewayProcess(
    t,
    [path.join(root, 'bin/concierge.js'), 'start', '--config', path.join(root, 'gateway.config.ts')],
    shopEnv(services.urls),
    /serving \d+ sources at (http:\/\/\S+)/,
  );
  const shop = {
    endpoint: gateway.url,
    services,
    asUser1: { authorization: `Bearer ${await mintDevToken({ sub: '1', scopes: ['orders:read'] })}` },
  };

  shop.services.resetRequestCounts();
  const own = await postGraphQL(shop.endpoint, fanOut('user(id: "1")', 'User', 'id name email'), undefined, shop.asUser1);
  assert.equal(own.status, 200);
  assert.deepEqual(own.body, { data: { user: { id: '1', name: user1?.name, email: user1?.email } } });
  assert.equal(shop.services.requestCounts().users, 1, 'one call, with each field once');

  // The rule on User.email is decided once for its one field, not once per spread: one error.
  const anonymous = await postGraphQL(shop.endpoint, fanOut('user(id: "1")', 'User', 'id name email'));
  assert.deepEqual(anonymous.body.data, { user: { id: '1', name: user1?.name, email: null } });
  assert.deepEqual(where(anonymous.body.errors), [[['user', 'email'], 'UNAUTHENTICATED']]);

  // A REST source's field, through the REST executor.
  shop.services.resetRequestCounts();
  const product = await postGraphQL(shop.endpoint, fanOut('product(id: "1")', 'Product', 'id name price'));
  assert.deepEqual(product.body, { data: { product: { id: '1', name: product1?.name, price: product1?.price } } });
  assert.equal(shop.services.requestCounts().products, 1);

  // Asked twice, the second answer is the response cache's: its policy was computed too.
  const again = await fetch(shop.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: fanOut('product(id: "1")', 'Product', 'id name price') }),
  });
  assert.equal(again.headers.get('x-cache'), 'HIT');
  assert.deepEqual(await again.json(), product.body);

  // A list under the fan-out is counted once per spread by the cost limit: refused before any call.
  shop.services.resetRequestCounts();
  const orders = await postGraphQL(shop.endpoint, fanOut('user(id: "1")', 'User', 'orders(first: 2) { id }'), undefined, shop.asUser1);
  assert.deepEqual(where(orders.body.errors), [[undefined, 'COST_ESTIMATED_TOO_EXPENSIVE']]);
  assert.equal(shop.services.requestCounts().users + shop.services.requestCounts().orders, 0);
});

test('a fragment spread more than once in one selection is one field: one decision, one error, one value', async (t) => {
  const shop = await startShop(t);
  const query = '{ user(id: "1") { ...A ... on User { ...A } ...A } } fragment A on User { id email }';
  shop.services.resetRequestCounts();
  const anonymous = await postGraphQL(shop.endpoint, query);
  assert.deepEqual(anonymous.body.data, { user: { id: '1', email: null } });
  assert.deepEqual(where(anonymous.body.errors), [[['user', 'email'], 'UNAUTHENTICATED']]);
  assert.equal(shop.services.requestCounts().users, 1);
});
