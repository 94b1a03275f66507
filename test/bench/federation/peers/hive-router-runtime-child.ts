/**
 * Child process: the `hive-router-runtime` row, Hive Gateway with the Hive Router runtime (the Rust
 * query planner of Hive Router through a native addon, and its purpose-built executor), as its
 * documentation configures it: `createGatewayRuntime({ supergraph, unifiedGraphHandler })` from
 * `@graphql-hive/gateway` and `@graphql-hive/router-runtime`, served by node:http on a free port of
 * 127.0.0.1, logging off, every other option its default.
 * BENCH_SUPERGRAPH_FILE is the supergraph SDL composed from the subgraphs (see ../compose-supergraph.ts).
 * Prints `{"url":"http://127.0.0.1:<port>/graphql"}`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayRuntime } from '@graphql-hive/gateway';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';
import { announceReady, stopWhenAsked } from '../../child-ready.ts';

const supergraph = process.env['BENCH_SUPERGRAPH_FILE'];
if (!supergraph) throw new Error('BENCH_SUPERGRAPH_FILE is not set: start this file through `npm run bench:federation`');

const gateway = createGatewayRuntime({ supergraph, logging: false, unifiedGraphHandler });
// Load the supergraph now, as the CLI does, so the first measured request does not pay for it.
await gateway.getSchema();
const server = createServer({ keepAliveTimeout: 5_000 }, gateway);
await new Promise<void>((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', () => resolve());
});
stopWhenAsked('hive-router-runtime', async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await gateway.dispose();
});
announceReady({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${gateway.graphqlEndpoint}` });
