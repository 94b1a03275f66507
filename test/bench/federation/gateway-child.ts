/**
 * Child process: Concierge (compiled, from dist/, unless BENCH_GATEWAY_FROM=src) over the four benchmark subgraphs, one `federation` source each (SDL read
 * through `_service { sdl }` at start-up), on a free port of 127.0.0.1, with logging silent,
 * tracing and metrics off and limits.maxCost raised for the query. Source options are the
 * defaults (in-flight dedupe and HTTP cache on) unless BENCH_UPSTREAM_REUSE=0.
 * BENCH_SERVICE_URLS (JSON, base URLs, as in ../child-ready.ts) says where the subgraphs are. Prints `{"url":".../graphql"}`.
 */
import { tmpdir } from 'node:os';
import { announceReady, serviceUrlsFromEnv, stopWhenAsked } from '../child-ready.ts';
import { loadGatewayModule } from '../gateway-build.ts';

// As `concierge start` does before it loads the gateway (src/server/disable-pretenuring.ts).
(await loadGatewayModule<typeof import('../../../src/server/disable-pretenuring.ts')>('server/disable-pretenuring')).disablePretenuring();
const { normalizeConfig } = await loadGatewayModule<typeof import('../../../src/config/normalize-config.ts')>('config/normalize-config');
const { startGateway } = await loadGatewayModule<typeof import('../../../src/server/start-gateway.ts')>('server/start-gateway');

const SUBGRAPH_NAMES = ['accounts', 'inventory', 'products', 'reviews'] as const;

const urls = serviceUrlsFromEnv(SUBGRAPH_NAMES);
/** BENCH_UPSTREAM_REUSE=0 turns in-flight dedupe and the HTTP cache off: every request then makes its own upstream calls. */
const reuse = process.env['BENCH_UPSTREAM_REUSE'] !== '0';
const config = normalizeConfig(
  {
    port: 0,
    host: '127.0.0.1',
    shutdownTimeout: 1_000,
    logging: { level: 'silent' },
    tracing: { enabled: false },
    metrics: { enabled: false },
    // The benchmark query's static cost (about 22,000 with the default list size) is over the
    // default limit of 10,000; the peers have no cost limit, so it is raised here, not turned off.
    limits: { maxCost: 1_000_000 },
    sources: Object.fromEntries(
      SUBGRAPH_NAMES.map((name) => [name, { kind: 'federation', url: `${urls[name]}/graphql`, ...(reuse ? {} : { dedupeInFlight: false, httpCache: false }) }]),
    ),
  },
  { baseDir: tmpdir(), env: {} },
);
const running = await startGateway(config);
stopWhenAsked('gateway', () => running.close());
announceReady({ url: `${running.url}${config.graphqlEndpoint}` });
