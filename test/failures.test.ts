import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OrderHistoryDocument } from '../generated/operations.ts';
import { startUsersService } from '../examples/ecommerce/users-service.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { startShop } from './helpers/start-shop.ts';

test('a REST service that is down fails only its own fields, with partial data and the service named', async (t) => {
  const shop = await startShop(t);
  await shop.services.services.payments.close();

  const response = await postGraphQL(shop.endpoint, OrderHistoryDocument, { id: '1' }, shop.asUser1);

  assert.equal(response.status, 200);
  const orders = response.body.data?.user?.orders ?? [];
  assert.equal(orders.length, 10);
  assert.ok(orders.every((order) => order.payment === null && order.shipment?.carrier && order.items[0]?.product?.inventory));
  const errors = response.body.errors ?? [];
  assert.equal(errors.length, 10);
  assert.deepEqual(
    errors.map((error) => error.path),
    orders.map((_order, index) => ['user', 'orders', index, 'payment']),
  );
  for (const error of errors) {
    assert.equal(error.extensions?.code, 'DOWNSTREAM_SERVICE_ERROR');
    assert.equal(error.extensions?.service, 'payments');
    assert.equal(error.message, 'Service "payments" could not be reached.');
  }
  assert.doesNotMatch(response.text, /127\.0\.0\.1|ECONNREFUSED|stack/);
});

test('a GraphQL service that is down fails its merged fields on their paths', async (t) => {
  const shop = await startShop(t);
  await shop.services.services.shipping.close();

  const response = await postGraphQL(shop.endpoint, OrderHistoryDocument, { id: '1' }, shop.asUser1);

  const orders = response.body.data?.user?.orders ?? [];
  assert.equal(orders.length, 10);
  assert.ok(orders.every((order) => order.shipment === null && order.payment?.status));
  const errors = response.body.errors ?? [];
  assert.ok(errors.length > 0);
  for (const error of errors) {
    assert.equal(error.extensions?.code, 'DOWNSTREAM_SERVICE_ERROR');
    assert.equal(error.extensions?.service, 'shipping');
    assert.equal(error.path?.[0], 'user');
    assert.equal(error.path?.at(-1), 'shipment');
  }
});

test('a service slower than its timeout gives GATEWAY_TIMEOUT on its fields only', async (t) => {
  // The service answers only once the test is over: the gateway's own timer (150 ms) ends the wait.
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  t.after(() => release());
  const slow = await startFixtureServer(t, async (_request, response) => {
    await released;
    json(response, 200, { data: null });
  });
  const shop = await startShop(t, {
    adjust: (config) => {
      const inventory = config.sources.find((source) => source.name === 'inventory');
      assert.ok(inventory);
      Object.assign(inventory, { url: `${slow.url}/graphql`, timeout: 150 });
    },
  });

  const response = await postGraphQL(shop.endpoint, OrderHistoryDocument, { id: '1' }, shop.asUser1);

  assert.ok(slow.requests.length > 0, 'answered while the service still holds its answer');
  const items = response.body.data?.user?.orders?.flatMap((order) => order.items) ?? [];
  assert.ok(items.length >= 30 && items.every((item) => item.product?.name && item.product.inventory === null));
  const errors = response.body.errors ?? [];
  assert.ok(errors.length > 0);
  for (const error of errors) {
    assert.equal(error.extensions?.code, 'GATEWAY_TIMEOUT');
    assert.equal(error.extensions?.service, 'inventory');
    assert.equal(error.message, 'Service "inventory" did not answer within 150 ms.');
    assert.equal(error.path?.at(-1), 'inventory');
  }
});

test('upstream GraphQL errors keep message and path, gain the service, and lose their internals', async (t) => {
  const shipping = await startFixtureServer(t, (request, response) => {
    const { variables } = JSON.parse(request.body) as { variables?: Record<string, unknown> };
    const ids = (Object.values(variables ?? {})[0] as string[] | undefined) ?? [];
    json(response, 200, {
      data: { __typename: 'Query', result: ids.map((id) => ({ id, shipment: null })) },
      errors: [
        { message: 'carrier API rejected the lookup', path: ['result', 0, 'shipment'], extensions: { code: 'CARRIER_DOWN', stacktrace: ['at carrier.js:1'] } },
      ],
    });
  });
  const shop = await startShop(t, {
    adjust: (config) => {
      const source = config.sources.find((candidate) => candidate.name === 'shipping');
      assert.ok(source);
      source.url = `${shipping.url}/graphql`;
    },
  });

  const response = await postGraphQL(shop.endpoint, OrderHistoryDocument, { id: '1' }, shop.asUser1);

  assert.ok(shipping.requests.length >= 1);
  assert.equal(response.body.data?.user?.orders?.length, 10);
  const upstream = response.body.errors?.find((error) => error.message === 'carrier API rejected the lookup');
  assert.ok(upstream, JSON.stringify(response.body.errors));
  assert.deepEqual(upstream.extensions, {
    code: 'DOWNSTREAM_SERVICE_ERROR',
    service: 'shipping',
    upstreamCode: 'CARRIER_DOWN',
    requestId: response.headers.get('x-request-id'),
  });
  assert.deepEqual(upstream.path, ['user', 'orders', 0, 'shipment']);
  assert.doesNotMatch(response.text, /stacktrace|carrier\.js/);
});

test('a service that is down at start-up does not stop the gateway; its fields work once it returns', async (t) => {
  let usersPort = 0;
  const shop = await startShop(t, {
    adjust: async (_config, services) => {
      usersPort = Number(new URL(services.urls.users).port);
      await services.services.users.close();
    },
  });
  assert.equal((await fetch(`${shop.gateway.url}/readyz`)).status, 200);

  const down = await postGraphQL(shop.endpoint, '{ user(id: "1") { name } product(id: "1") { name } }');
  assert.deepEqual(down.body.data, { user: null, product: { name: down.body.data?.product?.name } });
  assert.ok(down.body.data?.product?.name);
  assert.equal(down.body.errors?.[0]?.extensions?.code, 'DOWNSTREAM_SERVICE_ERROR');
  assert.equal(down.body.errors?.[0]?.extensions?.service, 'users');

  const revived = await startUsersService({ port: usersPort });
  t.after(() => revived.close());
  const up = await postGraphQL(shop.endpoint, '{ user(id: "1") { id } }');
  assert.deepEqual(up.body, { data: { user: { id: '1' } } });
});
