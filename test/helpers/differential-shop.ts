import type { TestContext } from 'node:test';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { loadConfig } from '../../src/config/load-config.ts';
import type { NormalizedConfig } from '../../src/config/normalize-config.ts';
import type { QueryPlanner } from '../../src/execution/create-query-planner.ts';
import { startGateway } from '../../src/server/start-gateway.ts';
import { mintDevToken } from '../../examples/ecommerce/dev-keys.ts';
import { startGraphQLService, type ServiceResolvers } from '../../examples/ecommerce/graphql-service.ts';
import { createInventoryResolvers } from '../../examples/ecommerce/inventory-service.ts';
import { createOrdersHandler } from '../../examples/ecommerce/orders-service.ts';
import { createPaymentsHandler } from '../../examples/ecommerce/payments-service.ts';
import { createProductsHandler } from '../../examples/ecommerce/products-service.ts';
import { seed } from '../../examples/ecommerce/seed.ts';
import { HttpError, listenService, type RunningService, type ServiceHandler } from '../../examples/ecommerce/service-host.ts';
import { createShippingResolvers } from '../../examples/ecommerce/shipping-service.ts';
import type { ServiceName } from '../../examples/ecommerce/start-services.ts';
import { createUsersResolvers } from '../../examples/ecommerce/users-service.ts';
import type { Random } from './differential-generator.ts';
import { root, shopEnv } from './start-shop.ts';

/** An error a GraphQL service reports, with the code it sends and the code the gateway passes on. */
interface InjectedError {
  message: string;
  sent: string;
  seen: string;
}

const newest = (userId: string, rank = 0) => seed.ordersByUserId.get(userId)?.[rank]?.id ?? '';
const shippingFaultOrder = newest('1', 1);

/**
 * The faults the shop's services are started with; the reference raises the same ones. A lookup by
 * id fails or finds nothing; lists (`users`, `User.orders`, `products`) answer as usual.
 */
export const shopFaults = {
  /** users: `user(id:)` and `usersByIds` report `error` for this user and find nothing for `missing`. */
  users: { error: '13', missing: '17', injected: { message: 'user 13 is being migrated', sent: 'SERVICE_UNAVAILABLE', seen: 'SERVICE_UNAVAILABLE' } },
  /** orders: `GET /orders/{id}` of this order answers 503. */
  orders: { unavailable: newest('3') },
  /** payments: `GET /payments/{id}` of this payment answers 500. */
  payments: { failing: `pay_${newest('2')}` },
  /** inventory: `inventoryProducts` reports `error` for this product and a null inventory for `missing`. */
  inventory: {
    error: '3',
    missing: '5',
    injected: { message: 'warehouse of product 3 is offline', sent: 'WAREHOUSE_OFFLINE', seen: 'DOWNSTREAM_SERVICE_ERROR' },
  },
  /** shipping: `shippingOrders` reports an error for this order, and `shipment(trackingNumber:)` for its shipment. */
  shipping: {
    order: shippingFaultOrder,
    trackingNumber: seed.shipmentsByOrderId.get(shippingFaultOrder)?.trackingNumber ?? '',
    injected: { message: 'the carrier does not answer', sent: 'RATE_LIMITED', seen: 'RATE_LIMITED' },
  },
} as const;

/** The error a faulty service reports, as the service sends it (`seen: false`) or as the gateway should pass it on. */
export function injectedError(error: InjectedError, seen: boolean): GraphQLError {
  return new GraphQLError(error.message, { extensions: { code: seen ? error.seen : error.sent } });
}

const { users, inventory, shipping } = shopFaults;
const userById = (id: string) => (id === users.error ? injectedError(users.injected, false) : id === users.missing ? null : (seed.usersById.get(id) ?? null));

function faultyResolvers(): Record<'users' | 'inventory' | 'shipping', ServiceResolvers> {
  const usersBase = createUsersResolvers();
  const inventoryBase = createInventoryResolvers();
  const shippingBase = createShippingResolvers();
  return {
    users: {
      ...usersBase,
      Query: {
        ...usersBase.Query,
        user: (_: unknown, { id }: { id: string }) => {
          const user = userById(id);
          if (user instanceof Error) throw user;
          return user;
        },
        usersByIds: (_: unknown, { ids }: { ids: string[] }) => ids.map(userById),
      },
    },
    inventory: {
      ...inventoryBase,
      Query: {
        inventoryProducts: (_: unknown, { ids }: { ids: string[] }) =>
          ids.map((id) =>
            id === inventory.error
              ? injectedError(inventory.injected, false)
              : { id, inventory: id === inventory.missing ? null : (seed.inventoryByProductId.get(id) ?? null) },
          ),
      },
    },
    shipping: {
      ...shippingBase,
      Query: {
        shipment: (_: unknown, { trackingNumber }: { trackingNumber: string }) => {
          if (trackingNumber === shipping.trackingNumber) throw injectedError(shipping.injected, false);
          return seed.shipmentsByTrackingNumber.get(trackingNumber) ?? null;
        },
        shippingOrders: (_: unknown, { ids }: { ids: string[] }) =>
          ids.map((id) => (id === shipping.order ? injectedError(shipping.injected, false) : { id, shipment: seed.shipmentsByOrderId.get(id) ?? null })),
      },
    },
  };
}

/** A REST handler that answers `status` for the one path `failing`, and as `handler` otherwise. */
const failingAt =
  (failing: string, status: number, handler: ServiceHandler): ServiceHandler =>
  (request, response) => {
    if (request.url === failing) throw new HttpError(status, `${failing} is not available now`);
    return handler(request, response);
  };

async function startFaultyServices(t: TestContext): Promise<Record<ServiceName, string>> {
  const resolvers = faultyResolvers();
  const started: Record<ServiceName, Promise<RunningService>> = {
    users: startGraphQLService('users', resolvers.users),
    orders: listenService('orders', failingAt(`/orders/${shopFaults.orders.unavailable}`, 503, createOrdersHandler())),
    products: listenService('products', createProductsHandler()),
    inventory: startGraphQLService('inventory', resolvers.inventory),
    payments: listenService('payments', failingAt(`/payments/${shopFaults.payments.failing}`, 500, createPaymentsHandler())),
    shipping: startGraphQLService('shipping', resolvers.shipping),
  };
  const services = await Promise.all(Object.entries(started).map(async ([name, service]) => [name, await service] as const));
  t.after(() => Promise.all(services.map(([, service]) => service.close())));
  return Object.fromEntries(services.map(([name, service]) => [name, service.url])) as Record<ServiceName, string>;
}

/** The shop's gateways over the faulty services. */
export interface DifferentialShop {
  /** GraphQL endpoint of the gateway that plans (the project's gateway.config.ts). */
  endpoint: string;
  /** GraphQL endpoint of the same gateway with `queryPlanner: false`. */
  stitchedEndpoint: string;
  planner: QueryPlanner;
  /** The gateway's public schema. */
  schema: GraphQLSchema;
  /** User 1 with orders:read, orders:read:any and users:read:any: every object of the shop is readable. */
  headers: Record<string, string>;
}

/**
 * Starts the six services with {@link shopFaults}, and two gateways over them from gateway.config.ts
 * (planning, and stitching only) without response cache and operation limits: random documents go
 * past the shop's cost, depth and alias limits, which are not under test here.
 */
export async function startDifferentialShop(t: TestContext): Promise<DifferentialShop> {
  const urls = await startFaultyServices(t);
  const start = async (queryPlanner: boolean) => {
    const config: NormalizedConfig = await loadConfig(`${root}gateway.config.ts`, root, shopEnv(urls));
    Object.assign(config, { host: '127.0.0.1', queryPlanner, shutdownTimeout: 0, logging: { ...config.logging, level: 'silent' } });
    config.responseCache = { ...config.responseCache, enabled: false };
    config.limits = { ...config.limits, maxCost: Number.MAX_SAFE_INTEGER, maxDepth: 1000, maxAliases: 100_000 };
    const running = await startGateway(config);
    t.after(() => running.close());
    return { running, endpoint: `${running.url}${config.graphqlEndpoint}` };
  };
  const [planned, stitched] = await Promise.all([start(true), start(false)]);
  const planner = planned.running.gateway.planner;
  if (!planner) throw new Error('the shop gateway has no query planner');
  const token = await mintDevToken({ sub: '1', scopes: ['orders:read', 'orders:read:any', 'users:read:any'] });
  return {
    endpoint: planned.endpoint,
    stitchedEndpoint: stitched.endpoint,
    planner,
    schema: planned.running.gateway.schema,
    headers: { authorization: `Bearer ${token}` },
  };
}

const between = (random: Random, low: number, high: number) => low + Math.floor(random() * (high - low + 1));
const oneOf = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
/** Picks a value by weight: `[[0.1, () => 'none'], [1, () => ...]]`, the last one taking what is left. */
const weighted = <T>(random: Random, choices: ReadonlyArray<readonly [number, () => T]>): T => {
  let roll = random();
  for (const [chance, value] of choices) {
    if (roll < chance) return value();
    roll -= chance;
  }
  return (choices[choices.length - 1] as readonly [number, () => T])[1]();
};

/**
 * Argument values of the shop's fields, in their bounds (`@constraint`), leaning towards the faulty
 * and the missing ids so that a run meets each of them.
 */
export const shopArguments: Record<string, (random: Random) => Record<string, unknown>> = {
  'Query.user': (random) => ({
    id: weighted(random, [
      [0.08, () => 'nobody'],
      [0.12, () => oneOf(random, [users.error, users.missing])],
      [1, () => String(between(random, 1, 50))],
    ]),
  }),
  'Query.users': (random) => ({ first: between(random, 1, 3), offset: between(random, 0, 20) }),
  'Query.order': (random) => ({
    id: weighted(random, [
      [0.08, () => '999999'],
      [0.08, () => shopFaults.orders.unavailable],
      [0.08, () => shopFaults.shipping.order],
      [0.12, () => newest(oneOf(random, [users.error, users.missing]), between(random, 0, 2))],
      [1, () => oneOf(random, seed.orders).id],
    ]),
  }),
  'Query.product': (random) => ({
    id: weighted(random, [
      [0.08, () => 'none'],
      [0.15, () => oneOf(random, [inventory.error, inventory.missing])],
      [1, () => String(between(random, 1, 200))],
    ]),
  }),
  'Query.products': (random) => ({ first: between(random, 1, 4), offset: random() < 0.5 ? between(random, 0, 5) : between(random, 0, 60) }),
  'Query.payment': (random) => ({
    id: weighted(random, [
      [0.1, () => 'nope'],
      [0.1, () => shopFaults.payments.failing],
      [1, () => oneOf(random, seed.payments).id],
    ]),
  }),
  'Query.shipment': (random) => ({
    trackingNumber: weighted(random, [
      [0.1, () => 'none'],
      [0.12, () => shipping.trackingNumber],
      [1, () => oneOf(random, [...seed.shipmentsByTrackingNumber.keys()])],
    ]),
  }),
  'User.orders': (random) => ({ first: between(random, 1, 3) }),
};
