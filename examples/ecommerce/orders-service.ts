import type { IncomingMessage, ServerResponse } from 'node:http';
import { OrderStore } from './order-store.ts';
import { assertMethod, parseIdList, parseIntParam, parseRequestUrl, routeNotFound } from './rest-request.ts';
import { seed, type OrderItem, type SeedData } from './seed.ts';
import { HttpError, listenService, readJsonBody, sendJson, type RunningService, type ServiceHandler, type ServiceOptions } from './service-host.ts';

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

/** Who is calling, as the gateway vouches (see `identity` in gateway.config.ts). */
interface Caller {
  readonly userId: string;
  readonly scopes: readonly string[];
}

/**
 * The caller from the identity headers the gateway sets from the verified token: x-user-id (its
 * subject) and x-user-scopes. The gateway drops client-sent copies and this service listens on
 * loopback only, so only the gateway's values arrive. Without a caller: 401.
 */
function callerOf(req: IncomingMessage): Caller {
  const userId = req.headers['x-user-id'];
  if (typeof userId !== 'string' || userId === '') throw new HttpError(401, 'Orders are placed and cancelled for the caller in x-user-id; there is none');
  const scopes = typeof req.headers['x-user-scopes'] === 'string' ? req.headers['x-user-scopes'].split(' ').filter(Boolean) : [];
  return { userId, scopes };
}

function parseOrderRequest(body: unknown, caller: Caller, data: SeedData): OrderRequest {
  if (!isRecord(body)) throw badRequest('Request body must be a JSON object { items: [{ productId, quantity }] }');
  if ('userId' in body) throw badRequest('"userId" is not accepted: an order is placed for the caller (x-user-id)');
  const { userId } = caller;
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
 *
 * Reads answer whoever asks: the gateway decides who may read an order, from the answer. Writes
 * cannot be decided from an answer, as the change is made by then, so the service checks them
 * itself: an order is placed for the caller and only its owner (or `orders:write:any`) cancels it.
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
      const request = parseOrderRequest(await readJsonBody(req), callerOf(req), data);
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
    const caller = callerOf(req);
    const owner = store.get(id)?.userId;
    if (owner !== undefined && owner !== caller.userId && !caller.scopes.includes('orders:write:any')) {
      throw new HttpError(403, `Order "${id}" is not yours to cancel`);
    }
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
