import type { Resolvers } from '../../generated/shipping-resolvers.ts';
import { startGraphQLService } from './graphql-service.ts';
import { seed, type SeedData } from './seed.ts';
import type { RunningService, ServiceOptions } from './service-host.ts';

/** Resolvers of the shipping service (`schemas/shipping.graphql`) over `data`. */
export function createShippingResolvers(data: SeedData = seed): Resolvers {
  return {
    Query: {
      shipment: (_parent, { trackingNumber }) => data.shipmentsByTrackingNumber.get(trackingNumber) ?? null,
      shippingOrders: (_parent, { ids }) => ids.map((id) => ({ id, shipment: data.shipmentsByOrderId.get(id) ?? null })),
    },
  };
}

/** Starts the shipping GraphQL service. */
export function startShippingService(options: ServiceOptions = {}): Promise<RunningService> {
  return startGraphQLService('shipping', createShippingResolvers(), options);
}
