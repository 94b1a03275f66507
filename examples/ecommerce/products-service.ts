import type { IncomingMessage, ServerResponse } from 'node:http';
import { assertMethod, parseIdList, parseIntParam, parseRequestUrl, routeNotFound } from './rest-request.ts';
import { seed, type Product, type SeedData } from './seed.ts';
import { HttpError, listenService, sendJson, type RunningService, type ServiceHandler, type ServiceOptions } from './service-host.ts';

function listProducts(data: SeedData, params: URLSearchParams): { products: Product[]; total?: number } {
  const ids = params.get('ids');
  if (ids !== null) {
    if (params.has('limit') || params.has('offset')) {
      throw new HttpError(400, 'Use either "ids" or "limit"/"offset", not both');
    }
    return { products: parseIdList(ids).flatMap((id) => data.productsById.get(id) ?? []) };
  }
  const limit = parseIntParam(params, 'limit', { fallback: 20, min: 1, max: 100 });
  const offset = parseIntParam(params, 'offset', { fallback: 0, min: 0 });
  return { products: data.products.slice(offset, offset + limit), total: data.products.length };
}

/**
 * The products REST API over `data`:
 * `GET /products?ids=1,2,3`, `GET /products?limit=20&offset=0`, `GET /products/{id}`.
 */
export function createProductsHandler(data: SeedData = seed): ServiceHandler {
  return (req: IncomingMessage, res: ServerResponse) => {
    const { pathname, segments, params } = parseRequestUrl(req.url);
    const [root, id, ...rest] = segments;
    if (root !== 'products' || rest.length > 0) throw routeNotFound(pathname);
    assertMethod(req.method, ['GET']);
    if (id === undefined) {
      sendJson(res, 200, listProducts(data, params));
      return;
    }
    const product = data.productsById.get(id);
    if (!product) throw new HttpError(404, `Product "${id}" not found`);
    sendJson(res, 200, product);
  };
}

/** Starts the products REST service. */
export function startProductsService(options: ServiceOptions = {}): Promise<RunningService> {
  return listenService('products', createProductsHandler(), options);
}
