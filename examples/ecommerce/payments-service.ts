import type { IncomingMessage, ServerResponse } from 'node:http';
import { assertMethod, parseIdList, parseRequestUrl, routeNotFound } from './rest-request.ts';
import { seed, type SeedData } from './seed.ts';
import { HttpError, listenService, sendJson, type RunningService, type ServiceHandler, type ServiceOptions } from './service-host.ts';

/** The payments REST API over `data`: `GET /payments?orderIds=1001,1002`, `GET /payments/{id}`. */
export function createPaymentsHandler(data: SeedData = seed): ServiceHandler {
  return (req: IncomingMessage, res: ServerResponse) => {
    const { pathname, segments, params } = parseRequestUrl(req.url);
    const [root, id, ...rest] = segments;
    if (root !== 'payments' || rest.length > 0) throw routeNotFound(pathname);
    assertMethod(req.method, ['GET']);
    if (id === undefined) {
      const orderIds = params.get('orderIds');
      if (orderIds === null) throw new HttpError(400, 'GET /payments needs the query parameter "orderIds"');
      sendJson(
        res,
        200,
        parseIdList(orderIds).flatMap((orderId) => data.paymentsByOrderId.get(orderId) ?? []),
      );
      return;
    }
    const payment = data.paymentsById.get(id);
    if (!payment) throw new HttpError(404, `Payment "${id}" not found`);
    sendJson(res, 200, payment);
  };
}

/** Starts the payments REST service. */
export function startPaymentsService(options: ServiceOptions = {}): Promise<RunningService> {
  return listenService('payments', createPaymentsHandler(), options);
}
