import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startInventoryService } from './inventory-service.ts';
import { startOrdersService } from './orders-service.ts';
import { startPaymentsService } from './payments-service.ts';
import { startProductsService } from './products-service.ts';
import type { RunningService, ServiceOptions } from './service-host.ts';
import { startShippingService } from './shipping-service.ts';
import { startUsersService } from './users-service.ts';

/** The example shop's services. */
export type ServiceName = 'users' | 'orders' | 'products' | 'inventory' | 'payments' | 'shipping';

/** The services in port order: with base port `p`, the service at index `i` listens on `p + i`. */
export const SERVICE_NAMES: readonly ServiceName[] = ['users', 'orders', 'products', 'inventory', 'payments', 'shipping'];

/** The services that speak GraphQL (at `/graphql`); the others are REST. */
export const GRAPHQL_SERVICES: readonly ServiceName[] = ['users', 'inventory', 'shipping'];

/** The base port used unless told otherwise: users 4001, orders 4002, ... shipping 4006. */
export const DEFAULT_BASE_PORT = 4001;

const STARTERS: Readonly<Record<ServiceName, (options: ServiceOptions) => Promise<RunningService>>> = {
  users: startUsersService,
  orders: startOrdersService,
  products: startProductsService,
  inventory: startInventoryService,
  payments: startPaymentsService,
  shipping: startShippingService,
};

/** Options of {@link startExampleServices}. */
export interface ExampleServicesOptions {
  /** Port of the users service, the others following in {@link SERVICE_NAMES} order; 0 picks a free port for each. Default 4001. */
  basePort?: number;
  /** Interface to bind; default `127.0.0.1`. */
  host?: string;
  /** Artificial delay before each response of every service, in milliseconds; default 0. */
  latencyMs?: number;
}

/** The six running example services. */
export interface ExampleServices {
  readonly services: Record<ServiceName, RunningService>;
  /** Base URL of each service, no trailing slash. */
  readonly urls: Record<ServiceName, string>;
  requestCounts(): Record<ServiceName, number>;
  resetRequestCounts(): void;
  close(): Promise<void>;
}

function mapServices<T>(fn: (name: ServiceName) => T): Record<ServiceName, T> {
  return Object.fromEntries(SERVICE_NAMES.map((name) => [name, fn(name)])) as Record<ServiceName, T>;
}

/** Starts all six example services; if any fails to start, the others are closed and the error is thrown. */
export async function startExampleServices(options: ExampleServicesOptions = {}): Promise<ExampleServices> {
  const { basePort = DEFAULT_BASE_PORT, host = '127.0.0.1', latencyMs = 0 } = options;
  const results = await Promise.allSettled(
    SERVICE_NAMES.map((name, index) => STARTERS[name]({ port: basePort === 0 ? 0 : basePort + index, host, latencyMs })),
  );
  const started = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) {
    await Promise.allSettled(started.map((service) => service.close()));
    throw failure.reason;
  }
  const services = mapServices((name) => started[SERVICE_NAMES.indexOf(name)]!);
  return {
    services,
    urls: mapServices((name) => services[name].url),
    requestCounts: () => mapServices((name) => services[name].requestCount()),
    resetRequestCounts: () => {
      for (const service of Object.values(services)) service.resetRequestCount();
    },
    close: async () => {
      await Promise.all(Object.values(services).map((service) => service.close()));
    },
  };
}

function isMainModule(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMainModule()) {
  const example = await startExampleServices();
  for (const name of SERVICE_NAMES) {
    const kind = GRAPHQL_SERVICES.includes(name) ? 'GraphQL at /graphql' : 'REST';
    console.log(`${name.padEnd(10)} ${example.urls[name]}  ${kind}`);
  }
  const stop = (signal: NodeJS.Signals): void => {
    console.log(`${signal}: stopping example services`);
    example.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
