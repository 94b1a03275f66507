import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CreateOrderDocument, OrderHistoryDocument, ProductPageDocument, UsersWithOrdersDocument } from '../generated/operations.ts';
import { mintDevToken } from '../examples/ecommerce/dev-keys.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { startShop } from './helpers/start-shop.ts';

const bearer = async (sub: string, scopes: string[]) => ({ authorization: `Bearer ${await mintDevToken({ sub, scopes })}` });

test('the order-history query composes six services with one upstream request per service', async (t) => {
  const shop = await startShop(t);
  shop.services.resetRequestCounts();

  const response = await postGraphQL(shop.endpoint, OrderHistoryDocument, { id: '1' }, shop.asUser1);

  assert.equal(response.status, 200);
  assert.equal(response.body.errors, undefined);
  const user = response.body.data?.user;
  assert.ok(user);
  assert.equal(user.id, '1');
  assert.match(user.email ?? '', /@example\.com$/);
  const orders = user.orders ?? [];
  assert.equal(orders.length, 10);
  const items = orders.flatMap((order) => order.items);
  assert.ok(items.length >= 30, `expected at least 30 items, got ${items.length}`);
  for (const order of orders) {
    assert.ok(order.payment, `order ${order.id} has a payment`);
    assert.equal(order.payment.amount, order.total);
    assert.ok(order.shipment?.trackingNumber, `order ${order.id} has a shipment`);
    const sum = order.items.reduce((total, item) => total + item.quantity * item.unitPrice, 0);
    assert.equal(Math.round(sum * 100) / 100, order.total);
  }
  for (const item of items) {
    assert.ok(item.product?.name, 'every item has its product');
    assert.equal(item.product.price, item.unitPrice);
    assert.equal(typeof item.product.inventory?.inStock, 'number');
  }
  const placed = orders.map((order) => order.placedAt);
  assert.deepEqual(placed, [...placed].sort().reverse(), 'newest first');

  const counts = shop.services.requestCounts();
  assert.deepEqual(counts, { users: 1, orders: 1, products: 1, inventory: 1, payments: 1, shipping: 1 });
  assert.ok(Object.values(counts).reduce((a, b) => a + b) <= 7);
});

test('a list of users batches each hop into one call per service', async (t) => {
  const shop = await startShop(t);
  shop.services.resetRequestCounts();

  // Every user's orders: a support token, with orders:read:any.
  const response = await postGraphQL(shop.endpoint, UsersWithOrdersDocument, { first: 20 }, await bearer('1', ['orders:read', 'orders:read:any']));

  assert.equal(response.body.errors, undefined);
  const users = response.body.data?.users ?? [];
  assert.equal(users.length, 20);
  const orders = users.flatMap((user) => user.orders ?? []);
  assert.equal(orders.length, 60);
  assert.ok(orders.filter((order) => order.payment?.status).length > 50, 'payments merged onto orders');
  const productIds = new Set(orders.flatMap((order) => order.items.map((item) => item.product?.id)));
  assert.ok(
    orders.every((order) => order.items.every((item) => item.product?.name)),
    'every item has its product',
  );
  // The products batch endpoint takes at most maxBatchSize (100) distinct keys per call.
  assert.deepEqual(shop.services.requestCounts(), { users: 1, orders: 1, products: Math.ceil(productIds.size / 100), inventory: 0, payments: 1, shipping: 0 });
});

test('a single product and its stock', async (t) => {
  const shop = await startShop(t);
  shop.services.resetRequestCounts();

  const found = await postGraphQL(shop.endpoint, ProductPageDocument, { id: '7' });
  assert.equal(found.body.data?.product?.id, '7');
  assert.equal(typeof found.body.data?.product?.inventory?.inStock, 'number');

  const missing = await postGraphQL(shop.endpoint, ProductPageDocument, { id: '9999' });
  assert.deepEqual(missing.body, { data: { product: null } });
  assert.equal(shop.services.requestCounts().products, 2);
});

test('a mutation sends a JSON body and its answer merges like a query', async (t) => {
  const shop = await startShop(t);
  const asUser2 = await bearer('2', ['orders:read', 'orders:write']);

  const created = await postGraphQL(shop.endpoint, CreateOrderDocument, { input: { items: [{ productId: '5', quantity: 2 }] } }, asUser2);
  assert.equal(created.body.errors, undefined);
  const order = created.body.data?.createOrder;
  assert.equal(order?.status, 'PENDING');
  assert.equal(order?.items[0]?.quantity, 2);
  assert.equal(order?.items[0]?.product?.id, '5');
  assert.ok(order?.items[0]?.product?.name);
  assert.equal(order?.total, Math.round(2 * (order?.items[0]?.unitPrice ?? 0) * 100) / 100);

  const rejected = await postGraphQL(shop.endpoint, CreateOrderDocument, { input: { items: [{ productId: '5', quantity: 0 }] } }, asUser2);
  assert.equal(rejected.status, 200);
  assert.equal(rejected.body.data, null);
  assert.equal(rejected.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  assert.equal(rejected.body.errors?.[0]?.extensions?.service, 'orders');
  assert.deepEqual(rejected.body.errors?.[0]?.path, ['createOrder']);
});
