/**
 * The hand-written order-history endpoint: the practical limit for this fan-out. `POST /order-history`
 * with `{"id":"1"}` answers exactly what the gateway answers for examples/ecommerce/order-history.graphql
 * (`{"data":{"user":{...}}}`), making the same batched upstream calls over keep-alive undici pools,
 * with no GraphQL execution of its own:
 *
 *   users    POST /graphql user(id)
 *   orders   GET  /orders?userIds=<id>&limit=10
 *   then, at once (each needs only ids from the orders):
 *   products GET  /products?ids=<distinct product ids, 100 per call>
 *   inventory POST /graphql inventoryProducts(ids)
 *   payments GET  /payments?orderIds=<order ids>
 *   shipping POST /graphql shippingOrders(ids)
 *
 * Run as a child of the bench (prints `{"url":...}` when listening), or import
 * {@link startHandWrittenAggregator}.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { announceReady, serviceUrlsFromEnv, stopWhenAsked } from './child-ready.ts';

const SERVICES = ['users', 'orders', 'products', 'inventory', 'payments', 'shipping'] as const;
type Service = (typeof SERVICES)[number];
export type ServiceUrls = Record<Service, string>;

const ORDERS_PER_USER = 10;
const MAX_BATCH = 100;
const USER_QUERY = 'query User($id: ID!) { user(id: $id) { id name email } }';
const INVENTORY_QUERY = 'query Inventory($ids: [ID!]!) { inventoryProducts(ids: $ids) { id inventory { inStock warehouse } } }';
const SHIPPING_QUERY = 'query Shipping($ids: [ID!]!) { shippingOrders(ids: $ids) { id shipment { carrier trackingNumber status eta } } }';

interface User {
  id: string;
  name: string;
  email: string;
}
interface RestOrder {
  id: string;
  status: string;
  placedAt: string;
  total: number;
  items: { productId: string; quantity: number; unitPrice: number }[];
}
interface RestProduct {
  id: string;
  name: string;
  price: number;
}
interface RestPayment {
  orderId: string;
  status: string;
  method: string;
  amount: number;
}
interface Inventory {
  inStock: number;
  warehouse: string;
}
interface Shipment {
  carrier: string;
  trackingNumber: string;
  status: string;
  eta: string | null;
}

/** An upstream call that failed or answered something unusable: the endpoint answers 502. */
class UpstreamError extends Error {}

interface ServiceClient {
  get<T>(path: string): Promise<T>;
  graphql<T>(query: string, variables: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

function createClient(name: Service, url: string): ServiceClient {
  const pool = new Pool(new URL(url).origin, { connections: 64, keepAliveTimeout: 30_000, pipelining: 1 });
  const call = async (options: Parameters<Pool['request']>[0]): Promise<unknown> => {
    const { statusCode, body } = await pool.request(options);
    const parsed: unknown = await body.json();
    if (statusCode < 200 || statusCode >= 300) throw new UpstreamError(`${name} answered ${statusCode}`);
    return parsed;
  };
  return {
    get: async <T>(path: string) => (await call({ method: 'GET', path, headers: { accept: 'application/json' } })) as T,
    graphql: async <T>(query: string, variables: Record<string, unknown>) => {
      const result = (await call({
        method: 'POST',
        path: '/graphql',
        headers: { accept: 'application/graphql-response+json, application/json', 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      })) as { data?: T | null; errors?: { message: string }[] };
      if (result.errors?.length || !result.data) throw new UpstreamError(`${name}: ${result.errors?.[0]?.message ?? 'no data'}`);
      return result.data;
    },
    close: () => pool.close(),
  };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

const idList = (ids: readonly string[]): string => ids.map(encodeURIComponent).join(',');

/** Computes the order-history answer for one user id. */
export function createOrderHistory(urls: ServiceUrls): { load(id: string): Promise<unknown>; close(): Promise<void> } {
  const clients = Object.fromEntries(SERVICES.map((name) => [name, createClient(name, urls[name])])) as Record<Service, ServiceClient>;

  async function load(id: string): Promise<unknown> {
    const { user } = await clients.users.graphql<{ user: User | null }>(USER_QUERY, { id });
    if (!user) return { data: { user: null } };
    const orders = await clients.orders.get<RestOrder[]>(`/orders?userIds=${encodeURIComponent(user.id)}&limit=${ORDERS_PER_USER}`);
    const orderIds = orders.map((order) => order.id);
    const productIds = [...new Set(orders.flatMap((order) => order.items.map((item) => item.productId)))];

    const [productPages, inventory, payments, shipping] = await Promise.all([
      Promise.all(chunks(productIds, MAX_BATCH).map((ids) => clients.products.get<{ products: RestProduct[] }>(`/products?ids=${idList(ids)}`))),
      productIds.length === 0
        ? { inventoryProducts: [] }
        : clients.inventory.graphql<{ inventoryProducts: ({ id: string; inventory: Inventory | null } | null)[] }>(INVENTORY_QUERY, { ids: productIds }),
      orderIds.length === 0 ? [] : clients.payments.get<RestPayment[]>(`/payments?orderIds=${idList(orderIds)}`),
      orderIds.length === 0
        ? { shippingOrders: [] }
        : clients.shipping.graphql<{ shippingOrders: ({ id: string; shipment: Shipment | null } | null)[] }>(SHIPPING_QUERY, { ids: orderIds }),
    ]);

    const products = new Map(productPages.flatMap((page) => page.products.map((product) => [product.id, product] as const)));
    const stock = new Map(inventory.inventoryProducts.flatMap((entry) => (entry ? [[entry.id, entry.inventory] as const] : [])));
    const paymentByOrder = new Map(payments.map((payment) => [payment.orderId, payment] as const));
    const shipmentByOrder = new Map(shipping.shippingOrders.flatMap((entry) => (entry ? [[entry.id, entry.shipment] as const] : [])));

    return {
      data: {
        user: {
          id: user.id,
          name: user.name,
          email: user.email,
          orders: orders.map((order) => {
            const payment = paymentByOrder.get(order.id);
            const shipment = shipmentByOrder.get(order.id);
            return {
              id: order.id,
              status: order.status,
              placedAt: order.placedAt,
              total: order.total,
              items: order.items.map((item) => {
                const product = products.get(item.productId);
                const inStock = stock.get(item.productId);
                return {
                  quantity: item.quantity,
                  unitPrice: item.unitPrice,
                  product: product
                    ? {
                        id: product.id,
                        name: product.name,
                        price: product.price,
                        inventory: inStock ? { inStock: inStock.inStock, warehouse: inStock.warehouse } : null,
                      }
                    : null,
                };
              }),
              payment: payment ? { status: payment.status, method: payment.method, amount: payment.amount } : null,
              shipment: shipment ? { carrier: shipment.carrier, trackingNumber: shipment.trackingNumber, status: shipment.status, eta: shipment.eta } : null,
            };
          }),
        },
      },
    };
  }

  return { load, close: async () => void (await Promise.all(Object.values(clients).map((client) => client.close()))) };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readId(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: unknown };
    return typeof body.id === 'string' && body.id !== '' ? body.id : undefined;
  } catch {
    return undefined;
  }
}

/** Serves `POST /order-history` on `port` of 127.0.0.1 (0 picks a free one). */
export async function startHandWrittenAggregator(urls: ServiceUrls, port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const orderHistory = createOrderHistory(urls);
  const server = createServer({ keepAliveTimeout: 5_000 }, (req, res) => {
    if (req.method !== 'POST' || req.url !== '/order-history') {
      req.resume();
      send(res, 404, { message: 'POST /order-history {"id": "..."}' });
      return;
    }
    void (async () => {
      const id = await readId(req);
      if (id === undefined) return send(res, 400, { message: 'expected a JSON body {"id": "<user id>"}' });
      send(res, 200, await orderHistory.load(id));
    })().catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      send(res, error instanceof UpstreamError ? 502 : 500, { message: (error as Error).message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}/order-history`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await orderHistory.close();
    },
  };
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  try {
    return entry !== undefined && realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const running = await startHandWrittenAggregator(serviceUrlsFromEnv(SERVICES));
  stopWhenAsked('hand-written', () => running.close());
  announceReady({ url: running.url });
}
