import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load-config.ts';
import type { NormalizedConfig } from '../../src/config/normalize-config.ts';
import type { QueryPlanner } from '../../src/execution/create-query-planner.ts';
import { startGateway, type RunningGateway } from '../../src/server/start-gateway.ts';
import { mintDevToken } from '../../examples/ecommerce/dev-keys.ts';
import { GRAPHQL_SERVICES, SERVICE_NAMES, startExampleServices, type ExampleServices } from '../../examples/ecommerce/start-services.ts';

/** The project root. */
export const root = fileURLToPath(new URL('../../', import.meta.url));

/** The example shop on free ports, behind a gateway using the project's gateway.config.ts. */
export interface Shop {
  services: ExampleServices;
  gateway: RunningGateway;
  /** The gateway's GraphQL endpoint. */
  endpoint: string;
  /** Headers of user "1" with the scope orders:read (a development token). */
  asUser1: Record<string, string>;
}

/** Options of {@link startShop}. */
export interface ShopOptions {
  /** Delay of every example service's answers, in milliseconds. */
  latencyMs?: number;
  /** Runs before the gateway starts: change the loaded config (a shorter timeout) or the services. */
  adjust?: (config: NormalizedConfig, services: ExampleServices) => void | Promise<void>;
}

/** Environment that points gateway.config.ts at the given services, on a free gateway port. */
export function shopEnv(urls: ExampleServices['urls']): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0' };
  for (const name of SERVICE_NAMES) env[`${name.toUpperCase()}_URL`] = urls[name] + (GRAPHQL_SERVICES.includes(name) ? '/graphql' : '');
  // gateway.config.ts lists two products instances; tests run one (the same URL twice counts once).
  env['PRODUCTS_2_URL'] = env['PRODUCTS_URL'];
  return env;
}

/** Starts the shop; everything is closed when the test ends, pass or fail. */
export async function startShop(t: TestContext, options: ShopOptions = {}): Promise<Shop> {
  const services = await startExampleServices({ basePort: 0, ...(options.latencyMs ? { latencyMs: options.latencyMs } : {}) });
  t.after(() => services.close());
  const config = await loadConfig(`${root}gateway.config.ts`, root, shopEnv(services.urls));
  config.host = '127.0.0.1';
  // Quiet test output; tests of the access log set their own destination.
  config.logging = { ...config.logging, level: 'silent' };
  // Closed once its requests are answered: no need to wait for the kept-alive connections of fetch.
  config.shutdownTimeout = 0;
  await options.adjust?.(config, services);
  const gateway = await startGateway(config);
  t.after(() => gateway.close());
  const token = await mintDevToken({ sub: '1', scopes: ['orders:read'] });
  return { services, gateway, endpoint: `${gateway.url}${config.graphqlEndpoint}`, asUser1: { authorization: `Bearer ${token}` } };
}

/** The shop's gateway (which plans) and a second gateway over the same services with `queryPlanner: false`. */
export interface ShopPair {
  shop: Shop;
  /** The GraphQL endpoint of the gateway that executes everything through stitching. */
  stitchedEndpoint: string;
  planner: QueryPlanner;
}

/**
 * Starts the shop and a stitching-only gateway beside it, both with the response cache off (so that
 * every request is executed) and with `adjust` applied to both configs.
 */
export async function startShopPair(t: TestContext, adjust: (config: NormalizedConfig) => void = () => undefined): Promise<ShopPair> {
  const prepare = (config: NormalizedConfig) => {
    config.responseCache = { ...config.responseCache, enabled: false };
    adjust(config);
  };
  const shop = await startShop(t, { adjust: prepare });
  const config = await loadConfig(`${root}gateway.config.ts`, root, shopEnv(shop.services.urls));
  Object.assign(config, { host: '127.0.0.1', queryPlanner: false, shutdownTimeout: 0, logging: { ...config.logging, level: 'silent' } });
  prepare(config);
  const stitched = await startGateway(config);
  t.after(() => stitched.close());
  const planner = shop.gateway.gateway.planner;
  if (!planner) throw new Error('the shop gateway has no query planner');
  return { shop, stitchedEndpoint: `${stitched.url}${config.graphqlEndpoint}`, planner };
}
