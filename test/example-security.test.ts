import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mintDevToken } from '../examples/ecommerce/dev-keys.ts';
import { seed } from '../examples/ecommerce/seed.ts';
import { OrderHistoryDocument } from '../generated/operations.ts';
import { postGraphQL, type ClientError } from './helpers/graphql-request.ts';
import { startShop } from './helpers/start-shop.ts';

const meQuery = '{ me { id name orders(first: 3) { id payment { status } } } }';
const bearer = async (sub: string, scopes: string[]) => ({ authorization: `Bearer ${await mintDevToken({ sub, scopes })}` });
const where = (errors: ClientError[] | undefined) => (errors ?? []).map((error) => [error.path, error.extensions?.code]);
const noCalls = { users: 0, orders: 0, products: 0, inventory: 0, payments: 0, shipping: 0 };

// User 1's newest order (PAID, so it can still be cancelled) and user 1's name.
const ordersOf1 = seed.ordersByUserId.get('1') ?? [];
const order1 = ordersOf1[0]?.id ?? '';
const name1 = seed.usersById.get('1')?.name;

test('the example shop: me is the token subject; orders and payments need orders:read', async (t) => {
  const shop = await startShop(t);

  const full = await postGraphQL(shop.endpoint, meQuery, undefined, await bearer('7', ['orders:read']));
  assert.equal(full.body.errors, undefined);
  assert.equal(full.body.data?.me?.id, '7');
  assert.equal(full.body.data?.me?.orders.length, 3);

  shop.services.resetRequestCounts();
  const noScope = await postGraphQL(shop.endpoint, meQuery, undefined, await bearer('7', []));
  assert.deepEqual(noScope.body.data, { me: { id: '7', name: seed.usersById.get('7')?.name, orders: null } }, 'orders is nullable: its null stays in place');
  assert.deepEqual(
    noScope.body.errors?.map((error) => [error.path, error.extensions?.code, error.message]),
    [[['me', 'orders'], 'FORBIDDEN', 'Reading User.orders needs the scope orders:read.']],
  );
  assert.equal(shop.services.requestCounts().orders, 0, 'the orders service never received the cut field');

  shop.services.resetRequestCounts();
  const anonymous = await postGraphQL(shop.endpoint, OrderHistoryDocument, { id: '1' });
  assert.equal(anonymous.status, 200);
  assert.deepEqual(anonymous.body.data, { user: { id: '1', name: name1, email: null, orders: null } }, 'a name is public; email and orders are not');
  assert.deepEqual(where(anonymous.body.errors), [
    [['user', 'email'], 'UNAUTHENTICATED'],
    [['user', 'orders'], 'UNAUTHENTICATED'],
  ]);
  assert.deepEqual(shop.services.requestCounts(), { ...noCalls, users: 1 });

  const forged = await postGraphQL(shop.endpoint, '{ me { id } }', undefined, { 'x-user-id': '3' });
  assert.deepEqual(forged.body.data, { me: null }, 'a client-sent x-user-id is not an identity');

  const expired = await postGraphQL(shop.endpoint, '{ me { id } }', undefined, { authorization: `Bearer ${await mintDevToken({ sub: '1', ttl: -120 })}` });
  assert.equal(expired.status, 401);
  assert.equal(expired.body.errors?.[0]?.message, 'The token has expired.');
});

test("object-level authorization: user 2 reads none of user 1's orders, payments or email, whichever way it asks", async (t) => {
  const shop = await startShop(t);
  const asUser2 = await bearer('2', ['orders:read']);
  const read = async (query: string) => {
    shop.services.resetRequestCounts();
    const response = await postGraphQL(shop.endpoint, query, undefined, asUser2);
    return { ...response, calls: shop.services.requestCounts() };
  };

  const byUser = await read('{ user(id: "1") { name email orders { id } } }');
  assert.deepEqual(byUser.body.data, { user: { name: name1, email: null, orders: null } });
  assert.deepEqual(
    byUser.body.errors?.map((error) => [error.path, error.extensions?.code, error.message]),
    [
      [['user', 'email'], 'FORBIDDEN', 'Reading User.email is not allowed by policy isSelf, or readsAnyUser.'],
      [['user', 'orders'], 'FORBIDDEN', 'Reading User.orders is not allowed by policy isSelf, or readsAnyOrder.'],
    ],
  );
  assert.deepEqual(byUser.calls, { ...noCalls, users: 1 }, 'user(id:) names the owner: refused before any call to orders');

  const byId = await read(`{ order(id: "${order1}") { id total } }`);
  assert.deepEqual(byId.body.data, { order: null });
  assert.deepEqual(
    byId.body.errors?.map((error) => [error.path, error.extensions?.code, error.message]),
    [[['order'], 'FORBIDDEN', 'Reading this Order is not allowed by policy isCustomer, or readsAnyOrder.']],
  );
  assert.deepEqual(byId.calls, { ...noCalls, orders: 1 }, 'only the orders service knows the owner: decided on its answer');

  const payment = await read(`{ payment(id: "pay_${order1}") { amount } }`);
  assert.deepEqual([payment.body.data, where(payment.body.errors)], [{ payment: null }, [[['payment'], 'FORBIDDEN']]]);

  const list = await read('{ users(first: 3) { id email orders(first: 1) { id customer { id } payment { status } } } }');
  const own = (seed.ordersByUserId.get('2') ?? [])[0];
  assert.deepEqual(list.body.data, {
    users: [
      { id: '1', email: null, orders: null },
      {
        id: '2',
        email: seed.usersById.get('2')?.email,
        orders: [{ id: own?.id, customer: { id: '2' }, payment: { status: seed.paymentsByOrderId.get(own?.id ?? '')?.status } }],
      },
      { id: '3', email: null, orders: null },
    ],
  });
  assert.deepEqual(where(list.body.errors), [
    [['users', 0, 'email'], 'FORBIDDEN'],
    [['users', 2, 'email'], 'FORBIDDEN'],
    [['users', 0, 'orders'], 'FORBIDDEN'],
    [['users', 2, 'orders'], 'FORBIDDEN'],
  ]);

  const asWriter2 = await bearer('2', ['orders:read', 'orders:write']);
  const cancel = await postGraphQL(shop.endpoint, `mutation { cancelOrder(id: "${order1}") { id status } }`, undefined, asWriter2);
  assert.deepEqual(cancel.body.data, { cancelOrder: null });
  assert.deepEqual(
    cancel.body.errors?.map((error) => [error.path, error.extensions?.code, error.extensions?.service, error.message]),
    [[['cancelOrder'], 'FORBIDDEN', 'orders', `Order "${order1}" is not yours to cancel`]],
  );

  const asUser1 = await bearer('1', ['orders:read', 'orders:write']);
  const still = await postGraphQL(shop.endpoint, `{ order(id: "${order1}") { status } user(id: "1") { email orders(first: 1) { id } } }`, undefined, asUser1);
  assert.deepEqual(
    still.body,
    { data: { order: { status: 'PAID' }, user: { email: seed.usersById.get('1')?.email, orders: [{ id: order1 }] } } },
    'user 1 still reads it, uncancelled',
  );
  const cancelled = await postGraphQL(shop.endpoint, `mutation { cancelOrder(id: "${order1}") { id status } }`, undefined, asUser1);
  assert.deepEqual(cancelled.body, { data: { cancelOrder: { id: order1, status: 'CANCELLED' } } });
});

test('a token with orders:read:any reads and orders:write:any cancels anyone’s orders; anonymous callers are refused before any call', async (t) => {
  const shop = await startShop(t);
  const support = await bearer('9', ['orders:read', 'orders:read:any', 'orders:write', 'orders:write:any']);

  shop.services.resetRequestCounts();
  const read = await postGraphQL(shop.endpoint, `{ user(id: "1") { orders(first: 2) { id } } order(id: "${order1}") { customer { id } } }`, undefined, support);
  assert.deepEqual(read.body, { data: { user: { orders: ordersOf1.slice(0, 2).map(({ id }) => ({ id })) }, order: { customer: { id: '1' } } } });

  const placed = await postGraphQL(
    shop.endpoint,
    'mutation { createOrder(input: { items: [{ productId: "9", quantity: 1 }] }) { id customer { id } } }',
    undefined,
    await bearer('3', ['orders:read', 'orders:write']),
  );
  const created = placed.body.data?.createOrder;
  assert.equal(created?.customer.id, '3', 'an order is placed for the caller, whose id comes from the token');
  const refused = await postGraphQL(
    shop.endpoint,
    `mutation { cancelOrder(id: "${created?.id}") { id } }`,
    undefined,
    await bearer('2', ['orders:read', 'orders:write']),
  );
  assert.deepEqual(where(refused.body.errors), [[['cancelOrder'], 'FORBIDDEN']]);
  const cancelled = await postGraphQL(shop.endpoint, `mutation { cancelOrder(id: "${created?.id}") { status customer { id } } }`, undefined, support);
  assert.deepEqual(cancelled.body, { data: { cancelOrder: { status: 'CANCELLED', customer: { id: '3' } } } });

  const foreign = await postGraphQL(
    shop.endpoint,
    'mutation { createOrder(input: { userId: "1", items: [{ productId: "9", quantity: 1 }] }) { id } }',
    undefined,
    support,
  );
  assert.deepEqual([foreign.status, foreign.body.errors?.[0]?.message], [400, 'Field "userId" is not defined by type "CreateOrderInput".']);

  shop.services.resetRequestCounts();
  const anonymous = [
    [`{ order(id: "${order1}") { id } }`, ['order']],
    [`{ payment(id: "pay_${order1}") { id } }`, ['payment']],
    [`mutation { cancelOrder(id: "${order1}") { id } }`, ['cancelOrder']],
    ['mutation { createOrder(input: { items: [{ productId: "9", quantity: 1 }] }) { id } }', ['createOrder']],
  ] as const;
  for (const [query, path] of anonymous) {
    const response = await postGraphQL(shop.endpoint, query);
    assert.deepEqual(where(response.body.errors), [[path, 'UNAUTHENTICATED']], query);
  }
  assert.deepEqual(shop.services.requestCounts(), noCalls);
});

test('the example shop limits order placement to 10 a minute per caller', async (t) => {
  const shop = await startShop(t);
  const asUser3 = await bearer('3', ['orders:read', 'orders:write']);
  const place = () => postGraphQL(shop.endpoint, 'mutation { createOrder(input: { items: [{ productId: "9", quantity: 1 }] }) { id } }', undefined, asUser3);
  const results = [];
  for (let index = 0; index < 11; index += 1) results.push(await place());
  assert.equal(results.filter((result) => result.body.data?.createOrder?.id).length, 10);
  assert.deepEqual(
    results[10]?.body.errors?.map((error) => [error.extensions?.code, error.message]),
    [['RATE_LIMITED', 'You can place at most 10 orders a minute.']],
  );
});
