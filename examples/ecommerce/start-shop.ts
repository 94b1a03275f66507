import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load-config.ts';
import { disablePretenuring } from '../../src/server/disable-pretenuring.ts';
import { runUntilSignal } from '../../src/server/run-until-signal.ts';
import { startGateway } from '../../src/server/start-gateway.ts';
import { GRAPHQL_SERVICES, SERVICE_NAMES, startExampleServices } from './start-services.ts';

/**
 * `npm start`: the six example services on their fixed ports (EXAMPLES_BASE_PORT, default 4001;
 * 0 for free ports), a second products instance after them (4007; SIGUSR2 stops it and starts it
 * again), and the gateway with the project's gateway.config.ts (PORT, default 4000), in one process. Everything listens on 127.0.0.1; `HOST=0.0.0.0` exposes the gateway (then
 * GraphiQL opens without a token), never the services, which trust the gateway's identity headers.
 * SIGTERM drains the gateway, then stops the services.
 */
// As `concierge start` does before it serves (src/server/disable-pretenuring.ts).
disablePretenuring();
const basePort = Number(process.env['EXAMPLES_BASE_PORT'] ?? 4001);
// Two instances of the products service, both listed in gateway.config.ts, to show load balancing.
const services = await startExampleServices({ basePort, productsInstances: 2 });
for (const name of SERVICE_NAMES) {
  process.env[`${name.toUpperCase()}_URL`] = services.urls[name] + (GRAPHQL_SERVICES.includes(name) ? '/graphql' : '');
}
process.env['PRODUCTS_2_URL'] = services.productsUrls[1];
try {
  const config = await loadConfig(fileURLToPath(new URL('../../gateway.config.ts', import.meta.url)));
  const running = await startGateway(config);
  runUntilSignal(running, running.gateway.logger, () => services.close());
  // `kill -USR2 <pid>` stops the second products instance, and starts it again: watch it ejected
  // and re-admitted on the status page and in /metrics.
  process.on('SIGUSR2', () => {
    void services
      .toggleMoreProducts()
      .then((runs) =>
        console.log(
          `[concierge] products instance ${services.productsUrls[1]} ${runs ? 'started again' : 'stopped'} (kill -USR2 ${process.pid} to ${runs ? 'stop' : 'start'} it)`,
        ),
      );
  });
  console.log(
    `[concierge] example services on ${SERVICE_NAMES.map((name) => (name === 'products' ? services.productsUrls.join(' and ') : services.urls[name])).join(', ')}`,
  );
  console.log(`[concierge] GraphiQL and the GraphQL endpoint: ${running.url.replace('127.0.0.1', 'localhost')}${config.graphqlEndpoint}`);
  const preloaded = config.graphiql && config.graphiql.defaultHeaders;
  console.log(
    preloaded
      ? '[concierge] GraphiQL opens as user "1" with a 15-minute token: reload the page for a fresh one, or `npm run token -- --sub <id> --scope orders:read`'
      : `[concierge] listening on ${config.host}: GraphiQL opens without a token; \`npm run token -- --sub <id> --scope orders:read\` prints one`,
  );
} catch (error) {
  await services.close();
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
