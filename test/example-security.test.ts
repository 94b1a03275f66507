import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mintDevToken } from '../examples/ecommerce/dev-keys.ts';
import { OrderHistoryDocument } from '../generated/operations.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { startShop } from './helpers/start-shop.ts';

const meQuery = '{ me { id name orders(first: 3) { id payment { status } } } }';

test('the example shop: me is the token subject; orders and payments need orders:read', async (t) => {
  const shop = await startShop(t);
  const bearer = async (sub: string, scopes: string[]) => ({ authorization: `Bearer ${await mintDevToken({ sub, scopes })}` });

  const full = await postGraphQL(shop.endpoint, meQuery, undefined, await bearer('7', ['orders:read']));
  assert.equal(full.body.errors, undefined);
  assert.equal(full.body.data?.me?.id, '7');
  assert.equal(full.body.data?.me?.orders.length, 3);

  shop.services.resetRequestCounts();
  const noScope = await postGraphQL(shop.endpoint, meQuery, undefined, await bearer('7', []));
  assert.deepEqual(noScope.body.data, { me: null }, 'orders is non-null, so its null reaches me');
  assert.deepEqual(noScope.body.errors?.map((error) => [error.path, error.extensions?.code, error.message]), [
    [['me', 'orders'], 'FORBIDDEN', 'Reading User.orders needs the scope orders:read.'],
  ]);
  assert.equal(shop.services.requestCounts().orders, 0, 'the orders service never received the cut field');

  const anonymous = await postGraphQL(shop.endpoint, OrderHistoryDocument, { id: '1' });
  assert.equal(anonymous.status, 200);
  assert.equal(anonymous.body.data?.user, null);
  assert.equal(anonymous.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');

  const forged = await postGraphQL(shop.endpoint, '{ me { id } }', undefined, { 'x-user-id': '3' });
  assert.deepEqual(forged.body.data, { me: null }, 'a client-sent x-user-id is not an identity');

  const expired = await postGraphQL(shop.endpoint, '{ me { id } }', undefined, { authorization: `Bearer ${await mintDevToken({ sub: '1', ttl: -120 })}` });
  assert.equal(expired.status, 401);
  assert.equal(expired.body.errors?.[0]?.message, 'The token has expired.');
});

test('the example shop limits order placement to 10 a minute per caller', async (t) => {
  const shop = await startShop(t);
  const place = () => postGraphQL(shop.endpoint, 'mutation { createOrder(input: { userId: "3", items: [{ productId: "9", quantity: 1 }] }) { id } }', undefined, shop.asUser1);
  const results = [];
  for (let index = 0; index < 11; index += 1) results.push(await place());
  assert.equal(results.filter((result) => result.body.data?.createOrder?.id).length, 10);
  assert.deepEqual(results[10]?.body.errors?.map((error) => [error.extensions?.code, error.message]), [['RATE_LIMITED', 'You can place at most 10 orders a minute.']]);
});
