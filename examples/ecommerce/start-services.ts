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
  /**
   * Instances of the products service, to show load balancing: the second listens on the port
   * after shipping's (4007 by default). Default 1.
   */
  productsInstances?: number;
}

/** The six running example services. */
export interface ExampleServices {
  readonly services: Record<ServiceName, RunningService>;
  /** Base URL of each service, no trailing slash (of the products service, its first instance). */
  readonly urls: Record<ServiceName, string>;
  /** Every products instance's base URL, `urls.products` first. */
  readonly productsUrls: readonly string[];
  /**
   * Stops the products instances after the first (a crash, to watch the gateway eject them), or
   * starts them again on their ports; answers whether they run now.
   */
  toggleMoreProducts(): Promise<boolean>;
  /** Requests each service received (of the products service, all its instances together). */
  requestCounts(): Record<ServiceName, number>;
  resetRequestCounts(): void;
  close(): Promise<void>;
}

function mapServices<T>(fn: (name: ServiceName) => T): Record<ServiceName, T> {
  return Object.fromEntries(SERVICE_NAMES.map((name) => [name, fn(name)])) as Record<ServiceName, T>;
}

/** Starts all six example services; if any fails to start, the others are closed and the error is thrown. */
export async function startExampleServices(options: ExampleServicesOptions = {}): Promise<ExampleServices> {
  const { basePort = DEFAULT_BASE_PORT, host = '127.0.0.1', latencyMs = 0, productsInstances = 1 } = options;
  const extraPorts = Array.from({ length: Math.max(0, productsInstances - 1) }, (_, index) => (basePort === 0 ? 0 : basePort + SERVICE_NAMES.length + index));
  const results = await Promise.allSettled([
    ...SERVICE_NAMES.map((name, index) => STARTERS[name]({ port: basePort === 0 ? 0 : basePort + index, host, latencyMs })),
    ...extraPorts.map((port) => startProductsService({ port, host, latencyMs })),
  ]);
  const started = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) {
    await Promise.allSettled(started.map((service) => service.close()));
    throw failure.reason;
  }
  const services = mapServices((name) => started[SERVICE_NAMES.indexOf(name)]!);
  const productsUrls = [services.products.url, ...started.slice(SERVICE_NAMES.length).map((service) => service.url)];
  let moreProducts = started.slice(SERVICE_NAMES.length);
  const all = () => [...Object.values(services), ...moreProducts];
  return {
    services,
    urls: mapServices((name) => services[name].url),
    productsUrls,
    async toggleMoreProducts() {
      const running = moreProducts;
      moreProducts = [];
      if (running.length > 0) {
        await Promise.all(running.map((service) => service.close()));
        return false;
      }
      moreProducts = await Promise.all(productsUrls.slice(1).map((url) => startProductsService({ port: Number(new URL(url).port), host, latencyMs })));
      return true;
    },
    requestCounts: () => ({
      ...mapServices((name) => services[name].requestCount()),
      products: [services.products, ...moreProducts].reduce((sum, service) => sum + service.requestCount(), 0),
    }),
    resetRequestCounts: () => {
      for (const service of all()) service.resetRequestCount();
    },
    close: async () => {
      await Promise.all(all().map((service) => service.close()));
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
  const example = await startExampleServices({ productsInstances: 2 });
  for (const name of SERVICE_NAMES) {
    const kind = GRAPHQL_SERVICES.includes(name) ? 'GraphQL at /graphql' : 'REST';
    console.log(`${name.padEnd(10)} ${name === 'products' ? example.productsUrls.join(' ') : example.urls[name]}  ${kind}`);
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
