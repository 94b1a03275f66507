import type { IncomingMessage, ServerResponse } from 'node:http';
import { OrderStore } from './order-store.ts';
import { assertMethod, parseIdList, parseIntParam, parseRequestUrl, routeNotFound } from './rest-request.ts';
import { seed, type OrderItem, type SeedData } from './seed.ts';
import {
  HttpError,
  listenService,
  readJsonBody,
  sendJson,
  type RunningService,
  type ServiceHandler,
  type ServiceOptions,
} from './service-host.ts';

const MAX_QUANTITY = 100;
const MAX_ITEMS = 100;

/** A validated `POST /orders` body with prices filled in from the catalogue. */
interface OrderRequest {
  readonly userId: string;
  readonly items: OrderItem[];
}

function asId(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function badRequest(message: string): HttpError {
  return new HttpError(400, message);
}

function parseOrderRequest(body: unknown, data: SeedData): OrderRequest {
  if (!isRecord(body)) throw badRequest('Request body must be a JSON object { userId, items: [{ productId, quantity }] }');
  const userId = asId(body.userId);
  if (userId === undefined) throw badRequest('"userId" is required and must be a string');
  if (!data.usersById.has(userId)) throw badRequest(`Unknown user "${userId}"`);
  const rawItems = body.items;
  if (!Array.isArray(rawItems) || rawItems.length === 0) throw badRequest('"items" must be a non-empty array');
  if (rawItems.length > MAX_ITEMS) throw badRequest(`"items" may hold at most ${MAX_ITEMS} entries`);
  const items = rawItems.map((raw: unknown, index): OrderItem => {
    const where = `items[${index}]`;
    if (!isRecord(raw)) throw badRequest(`${where} must be an object { productId, quantity }`);
    const productId = asId(raw.productId);
    if (productId === undefined) throw badRequest(`${where}.productId is required and must be a string`);
    const product = data.productsById.get(productId);
    if (!product) throw badRequest(`${where}.productId: unknown product "${productId}"`);
    const quantity = raw.quantity;
    if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
      throw badRequest(`${where}.quantity must be an integer from 1 to ${MAX_QUANTITY}`);
    }
    return { productId, quantity, unitPrice: product.price };
  });
  return { userId, items };
}

function listOrders(store: OrderStore, params: URLSearchParams): unknown {
  const ids = params.get('ids');
  const userIds = params.get('userIds');
  if ((ids === null) === (userIds === null)) {
    throw badRequest('GET /orders needs exactly one of the query parameters "ids" or "userIds"');
  }
  if (ids !== null) {
    return parseIdList(ids).flatMap((id) => store.get(id) ?? []);
  }
  const limit = parseIntParam(params, 'limit', { fallback: 10, min: 1, max: 100 });
  return parseIdList(userIds ?? '').flatMap((userId) => store.listByUser(userId, limit));
}

/**
 * The orders REST API over `store`:
 * `GET /orders/{id}`, `GET /orders?ids=a,b`, `GET /orders?userIds=1,2&limit=10`,
 * `POST /orders`, `POST /orders/{id}/cancel`.
 */
export function createOrdersHandler(store: OrderStore = new OrderStore(), data: SeedData = seed): ServiceHandler {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const { pathname, segments, params } = parseRequestUrl(req.url);
    const [root, id, action, ...rest] = segments;
    if (root !== 'orders' || rest.length > 0) throw routeNotFound(pathname);

    if (id === undefined) {
      assertMethod(req.method, ['GET', 'POST']);
      if (req.method === 'GET') {
        sendJson(res, 200, listOrders(store, params));
        return;
      }
      const request = parseOrderRequest(await readJsonBody(req), data);
      sendJson(res, 201, store.create(request.userId, request.items));
      return;
    }

    if (action === undefined) {
      assertMethod(req.method, ['GET']);
      const order = store.get(id);
      if (!order) throw new HttpError(404, `Order "${id}" not found`);
      sendJson(res, 200, order);
      return;
    }

    if (action !== 'cancel') throw routeNotFound(pathname);
    assertMethod(req.method, ['POST']);
    const result = store.cancel(id);
    if (result.kind === 'not-found') throw new HttpError(404, `Order "${id}" not found`);
    if (result.kind === 'conflict') {
      throw new HttpError(409, `Order "${id}" is ${result.order.status} and can no longer be cancelled`);
    }
    sendJson(res, 200, result.order);
  };
}

/** Starts the orders REST service with its own in-memory order store. */
export function startOrdersService(options: ServiceOptions = {}): Promise<RunningService> {
  return listenService('orders', createOrdersHandler(new OrderStore()), options);
}
