import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { mintDevToken } from '../examples/ecommerce/dev-keys.ts';
import type { ServiceName } from '../examples/ecommerce/start-services.ts';
import { print } from 'graphql';
import { OrderHistoryDocument } from '../generated/operations.ts';
import type { QueryPlanner } from '../src/execution/create-query-planner.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { linesOf } from './helpers/log-lines.ts';
import { startShopPair, type ShopPair } from './helpers/start-shop.ts';

/**
 * The query planner over the example shop's graphql and rest sources against stitching: the same
 * operations through the shop's gateway (planning) and a `queryPlanner: false` gateway over the same
 * services must answer the same bytes, and the planned one must not fall back to stitching.
 */

const orderHistory = print(OrderHistoryDocument);
const bearer = async (sub: string, scopes: string[]) => ({ authorization: `Bearer ${await mintDevToken({ sub, scopes })}` });

const fallbackCount = (planner: QueryPlanner) => [...planner.fallbacks().values()].reduce((total, count) => total + count, 0);

/** Posts to both gateways; asserts equal bytes and that the planner executed it. Returns the planned answer and its upstream calls. */
async function same(
  { shop, stitchedEndpoint, planner }: ShopPair,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = shop.asUser1,
) {
  const fallbacks = fallbackCount(planner);
  shop.services.resetRequestCounts();
  const planned = await postGraphQL(shop.endpoint, query, variables, headers);
  const calls = shop.services.requestCounts();
  assert.equal(fallbackCount(planner), fallbacks, `went to stitching: ${JSON.stringify([...planner.fallbacks()])}`);
  const stitched = await postGraphQL(stitchedEndpoint, query, variables, headers);
  assertSameAnswer(planned, stitched);
  return {
    body: planned.body as {
      data?: Record<string, unknown> | null;
      errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
    },
    calls,
  };
}

type Answer = Awaited<ReturnType<typeof postGraphQL>>;

/**
 * The same answer, byte for byte, the request id aside. Else the same data byte for byte and the
 * same errors as a set (stitching's come in the order its resolvers fail), each with its message,
 * path and extensions; the planner gives every error on a field its location, stitching only some
 * (none to an error of a merged object's call), so locations are checked on the planner's side only.
 */
function assertSameAnswer(planned: Answer, stitched: Answer): void {
  assert.equal(planned.status, stitched.status);
  const bytes = (answer: Answer) => JSON.stringify(answer.body).replace(/"requestId":"[^"]*"/g, '"requestId":"-"');
  if (bytes(planned) === bytes(stitched)) return;
  assert.equal(JSON.stringify(planned.body.data), JSON.stringify(stitched.body.data), 'the same data, byte for byte');
  assert.deepEqual(Object.keys(planned.body), Object.keys(stitched.body), 'errors before data, as graphql-js writes them');
  const errors = (answer: Answer) =>
    (answer.body.errors ?? [])
      .map(({ message, path, extensions }) => JSON.stringify({ message, path, extensions: { ...extensions, requestId: undefined } }))
      .sort();
  assert.deepEqual(errors(planned), errors(stitched));
  assert.ok(
    (planned.body.errors ?? []).every((error) => !error.path || (error.locations?.length ?? 0) > 0),
    'every field error has a location',
  );
}

const total = (calls: Record<ServiceName, number>) => Object.values(calls).reduce((sum, count) => sum + count, 0);

test('the order-history query is planned: the same answer as stitching, with one call per service', async (t) => {
  const shops = await startShopPair(t);
  const { body, calls } = await same(shops, orderHistory, { id: '1' });
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  assert.deepEqual(calls, { users: 1, orders: 1, products: 1, inventory: 1, payments: 1, shipping: 1 });
  const support = await bearer('2', ['orders:read', 'orders:read:any', 'users:read:any']);
  for (const id of ['2', '7', 'nobody']) assert.ok(total((await same(shops, orderHistory, { id }, support)).calls) <= 6);
});

test('aliases, fragments, variables, @skip and @include', async (t) => {
  const shops = await startShopPair(t);
  const query = /* GraphQL */ `
    query Mixed($id: ID!, $withPayment: Boolean!, $noShipment: Boolean!, $first: Int) {
      a: user(id: $id) {
        ...Person
        latest: orders(first: $first) {
          ref: id
          total
          payment @include(if: $withPayment) { status paid: amount }
          shipment @skip(if: $noShipment) { carrier }
          items { n: quantity product { ...Named ... on Product { price inventory { inStock } } } }
        }
      }
      b: product(id: "3") { ...Named description inventory { warehouse } }
      products(first: 3, offset: 2) { id __typename name }
      users(first: 2) { name orders(first: 1) { id } }
    }
    fragment Person on User { __typename id name email }
    fragment Named on Product { id name }
  `;
  const support = await bearer('1', ['orders:read', 'orders:read:any', 'users:read:any']);
  for (const variables of [
    { id: '1', withPayment: true, noShipment: false, first: 2 },
    { id: '3', withPayment: false, noShipment: true, first: 1 },
  ]) {
    const { body } = await same(shops, query, variables, support);
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  }
});

test('authorization cuts and object policies act on planned operations as on stitched ones', async (t) => {
  const shops = await startShopPair(t);
  // User 1 reads user 2: email and orders are not theirs.
  const { body } = await same(
    shops,
    '{ user(id: "2") { name email orders(first: 2) { id } } me { name email orders(first: 1) { id payment { method } customer { name } } } }',
  );
  assert.ok(body.errors?.some((error) => error.extensions?.['code'] === 'FORBIDDEN'));
  await same(shops, '{ order(id: "1") { id total customer { id name } payment { status customer { name } } } }');
});

test('a REST 404: null for a nullable field, NOT_FOUND kept on the path', async (t) => {
  const shops = await startShopPair(t);
  const support = await bearer('1', ['orders:read', 'orders:read:any']);
  await same(shops, '{ order(id: "999999") { id } product(id: "999999") { name } payment(id: "nope") { status } }', {}, support);
});

test('a service that is down: nullable fields null with the error on each path, non-null ones null their parent', async (t) => {
  const shops = await startShopPair(t);
  const support = await bearer('1', ['orders:read', 'orders:read:any', 'users:read:any']);
  await shops.shop.services.services.payments.close();
  const paymentsDown = await same(shops, orderHistory, { id: '1' }, support);
  assert.ok(paymentsDown.body.errors?.every((error) => error.extensions?.['service'] === 'payments'));
  await shops.shop.services.services.products.close();
  await same(shops, orderHistory, { id: '1' }, support);
  await same(shops, '{ products(first: 2) { id } user(id: "1") { name } }', {}, support);
});

test('mutations run in order, each completed before the next, as through stitching', async (t) => {
  const shops = await startShopPair(t);
  const writer = await bearer('1', ['orders:read', 'orders:write']);
  const mutation = /* GraphQL */ `
    mutation Place($items: [OrderItemInput!]!) {
      placed: createOrder(input: { items: $items }) { status total customer { name } items { quantity product { name inventory { inStock } } } }
    }
  `;
  const items = [
    { productId: '1', quantity: 2 },
    { productId: '4', quantity: 1 },
  ];
  const fallbacks = fallbackCount(shops.planner);
  const planned = await postGraphQL(shops.shop.endpoint, mutation, { items }, writer);
  assert.equal(fallbackCount(shops.planner), fallbacks, `went to stitching: ${JSON.stringify([...shops.planner.fallbacks()])}`);
  assertSameAnswer(planned, await postGraphQL(shops.stitchedEndpoint, mutation, { items }, writer));
  const created = await postGraphQL(shops.shop.endpoint, 'mutation { createOrder(input: { items: [{ productId: "2", quantity: 1 }] }) { id } }', {}, writer);
  const id = (created.body.data as { createOrder: { id: string } }).createOrder.id;
  const cancel = `mutation { first: cancelOrder(id: "${id}") { status } again: cancelOrder(id: "${id}") { status } }`;
  const cancelled = await postGraphQL(shops.shop.endpoint, cancel, {}, writer);
  assert.equal((cancelled.body.data as { first: { status: string } }).first.status, 'CANCELLED');
});

test('where stitching mixes the client fields with its keys, the planner keeps them apart', async (t) => {
  const { shop, planner } = await startShopPair(t);
  const support = await bearer('1', ['orders:read', 'orders:read:any', 'users:read:any']);
  const fallbacks = fallbackCount(planner);
  // Stitching answers the first with product ids and the others with null keys ("Variable $ids got invalid value null").
  const aliased = await postGraphQL(shop.endpoint, '{ products(first: 2) { id: category inventory { inStock } } }', {}, support);
  assert.deepEqual(aliased.body, {
    data: {
      products: [
        { id: 'Kitchen', inventory: { inStock: 59 } },
        { id: 'Outdoor', inventory: { inStock: 450 } },
      ],
    },
  });
  const skipped = await postGraphQL(shop.endpoint, '{ product(id: "28") { id @skip(if: true) inventory { inStock } } }', {}, support);
  assert.deepEqual(skipped.body, { data: { product: { inventory: { inStock: 39 } } } });
  const renamed = await postGraphQL(shop.endpoint, '{ order(id: "1246") { payment: customer { id name } } }', {}, support);
  assert.equal(renamed.body.errors, undefined, JSON.stringify(renamed.body.errors));
  assert.equal(fallbackCount(planner), fallbacks);
});

test('the access log says "plan" and lists the six upstream calls of the order history', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-stitched-log-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'access.log');
  const { shop } = await startShopPair(t, (config) => void (config.logging = { ...config.logging, level: 'info', destination: file }));
  await postGraphQL(shop.endpoint, orderHistory, { id: '1' }, shop.asUser1);
  const lines = (await linesOf(file, 1)).map(
    (line) => JSON.parse(line) as { execution: unknown; upstream: Array<{ service: string; method: string; path: string }> },
  );
  assert.equal(lines[0]?.execution, 'plan');
  assert.deepEqual(lines[0]?.upstream.map(({ service, method, path }) => `${service} ${method} ${path}`).sort(), [
    'inventory POST /graphql',
    'orders GET /orders?userIds&limit',
    'payments GET /payments?orderIds',
    'products GET /products?ids',
    'shipping POST /graphql',
    'users POST /graphql',
  ]);
});
