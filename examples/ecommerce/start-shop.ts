import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load-config.ts';
import { runUntilSignal } from '../../src/server/run-until-signal.ts';
import { startGateway } from '../../src/server/start-gateway.ts';
import { GRAPHQL_SERVICES, SERVICE_NAMES, startExampleServices } from './start-services.ts';

/**
 * `npm start`: the six example services on their fixed ports (EXAMPLES_BASE_PORT, default 4001;
 * 0 for free ports) and the gateway with the project's gateway.config.ts (PORT, default 4000),
 * in one process. SIGTERM drains the gateway, then stops the services.
 */
const basePort = Number(process.env['EXAMPLES_BASE_PORT'] ?? 4001);
const services = await startExampleServices({ basePort });
for (const name of SERVICE_NAMES) {
  process.env[`${name.toUpperCase()}_URL`] = services.urls[name] + (GRAPHQL_SERVICES.includes(name) ? '/graphql' : '');
}
try {
  const config = await loadConfig(fileURLToPath(new URL('../../gateway.config.ts', import.meta.url)));
  const running = await startGateway(config);
  runUntilSignal(running, () => services.close());
  console.log(`[concierge] example services on ${SERVICE_NAMES.map((name) => services.urls[name]).join(', ')}`);
  console.log(`[concierge] GraphiQL and the GraphQL endpoint: ${running.url.replace('127.0.0.1', 'localhost')}${config.graphqlEndpoint}`);
} catch (error) {
  await services.close();
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
