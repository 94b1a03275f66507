import type { Resolvers } from '../../generated/inventory-resolvers.ts';
import { startGraphQLService } from './graphql-service.ts';
import { seed, type SeedData } from './seed.ts';
import type { RunningService, ServiceOptions } from './service-host.ts';

/** Resolvers of the inventory service (`schemas/inventory.graphql`) over `data`. */
export function createInventoryResolvers(data: SeedData = seed): Resolvers {
  return {
    Query: {
      inventoryProducts: (_parent, { ids }) => ids.map((id) => ({ id, inventory: data.inventoryByProductId.get(id) ?? null })),
    },
  };
}

/** Starts the inventory GraphQL service. */
export function startInventoryService(options: ServiceOptions = {}): Promise<RunningService> {
  return startGraphQLService('inventory', createInventoryResolvers(), options);
}
