/**
 * Child process: the gateway with the project's gateway.config.ts, pointed at the services in
 * BENCH_SERVICE_URLS, on a free port of 127.0.0.1. Prints `{"url":"http://127.0.0.1:<port>/graphql"}`.
 */
import { SERVICE_NAMES } from '../../examples/ecommerce/start-services.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { startGateway } from '../../src/server/start-gateway.ts';
import { root, shopEnv } from '../helpers/start-shop.ts';
import { announceReady, serviceUrlsFromEnv, stopWhenAsked } from './child-ready.ts';

const config = await loadConfig(`${root}gateway.config.ts`, root, shopEnv(serviceUrlsFromEnv(SERVICE_NAMES)));
config.host = '127.0.0.1';
config.shutdownTimeout = 1_000;
const running = await startGateway(config);
stopWhenAsked('gateway', () => running.close());
announceReady({ url: `${running.url}${config.graphqlEndpoint}` });
