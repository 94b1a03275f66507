/**
 * Child process: the `hive-gateway` and `hive-router-runtime` rows, Hive Gateway over the four
 * benchmark subgraphs, as its documented Node.js integration runs it: `createGatewayRuntime({
 * supergraph })` (the engine the `hive-gateway supergraph` CLI wraps, re-exported by
 * `@graphql-hive/gateway`) served by node:http on a free port of 127.0.0.1, logging off, every other
 * option its default. With BENCH_HIVE_ROUTER_RUNTIME=1 it runs the Hive Router runtime instead of
 * the stitching one (the Rust query planner through a native addon, and its executor), as the
 * documentation configures it: `unifiedGraphHandler` from `@graphql-hive/router-runtime`, loaded
 * only then so that the plain row does not pay for the addon.
 * BENCH_SUPERGRAPH_FILE is the supergraph SDL composed from the subgraphs (see ../compose-supergraph.ts).
 * Prints `{"url":"http://127.0.0.1:<port>/graphql"}`.
 */
import { createServer } from 'node:http';
import { createGatewayRuntime } from '@graphql-hive/gateway';
import { serveUntilAsked } from '../../child-ready.ts';

const supergraph = process.env['BENCH_SUPERGRAPH_FILE'];
if (!supergraph) throw new Error('BENCH_SUPERGRAPH_FILE is not set: start this file through `npm run bench:federation`');
const routerRuntime = process.env['BENCH_HIVE_ROUTER_RUNTIME'] === '1';

const gateway = createGatewayRuntime({
  supergraph,
  logging: false,
  ...(routerRuntime ? { unifiedGraphHandler: (await import('@graphql-hive/router-runtime')).unifiedGraphHandler } : {}),
});
// Load the supergraph now, as the CLI does, so the first measured request does not pay for it.
await gateway.getSchema();
const server = createServer({ keepAliveTimeout: 5_000 }, gateway);
await serveUntilAsked(routerRuntime ? 'hive-router-runtime' : 'hive-gateway', server, gateway.graphqlEndpoint, () => gateway.dispose());
