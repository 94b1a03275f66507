/**
 * Child process: the gateway (compiled, from dist/, unless BENCH_GATEWAY_FROM=src) with the project's gateway.config.ts, pointed at the services in
 * BENCH_SERVICE_URLS, on a free port of 127.0.0.1. Prints `{"url":"http://127.0.0.1:<port>/graphql"}`.
 * With BENCH_RESPONSE_CACHE=1 its response cache is on, in memory, with `defaultMaxAge: 60` so that
 * the order-history query is cacheable (its shortest hint, Product.inventory, makes it 5 s).
 * Upstream reuse (in-flight dedupe, REST HTTP cache) is off unless BENCH_UPSTREAM_REUSE=1: every
 * bench request is the same user's, so sharing upstream calls would make the comparison with the
 * hand-written aggregator, which makes all 6 calls each time, unfair.
 * Observability is fully on (access log to a file, metrics, tracing exported to BENCH_OTLP_URL)
 * unless BENCH_OBSERVABILITY=off, which turns all three off to measure what they cost; a list such
 * as BENCH_OBSERVABILITY=log,metrics turns on only those of `log`, `metrics` and `tracing`.
 * With BENCH_LAYERS=1 it also serves the gateway's plans alone and under Yoga alone
 * (plan-only-servers.ts), announced as `plans` and `yogaPlans`.
 */
import os from 'node:os';
import path from 'node:path';
import { SERVICE_NAMES } from '../../examples/ecommerce/start-services.ts';
import { root, shopEnv } from '../helpers/start-shop.ts';
import { announceReady, serviceUrlsFromEnv, stopWhenAsked } from './child-ready.ts';
import { loadGatewayModule } from './gateway-build.ts';
import { startPlanOnlyServer, startYogaPlanServer } from './plan-only-servers.ts';

// As `concierge start` does before it loads the gateway (src/server/disable-pretenuring.ts).
(await loadGatewayModule<typeof import('../../src/server/disable-pretenuring.ts')>('server/disable-pretenuring')).disablePretenuring();
const { createChecker } = await loadGatewayModule<typeof import('../../src/config/config-checker.ts')>('config/config-checker');
const { loadConfig } = await loadGatewayModule<typeof import('../../src/config/load-config.ts')>('config/load-config');
const { normalizeLoggingOptions } = await loadGatewayModule<typeof import('../../src/observability/logging-config.ts')>('observability/logging-config');
const { normalizeMetricsOptions } = await loadGatewayModule<typeof import('../../src/observability/metrics-config.ts')>('observability/metrics-config');
const { normalizeTracingOptions } = await loadGatewayModule<typeof import('../../src/observability/tracing-config.ts')>('observability/tracing-config');
const { normalizeResponseCacheOptions } =
  await loadGatewayModule<typeof import('../../src/response-cache/response-cache-config.ts')>('response-cache/response-cache-config');
const { startGateway } = await loadGatewayModule<typeof import('../../src/server/start-gateway.ts')>('server/start-gateway');

const config = await loadConfig(`${root}gateway.config.ts`, root, shopEnv(serviceUrlsFromEnv(SERVICE_NAMES)));
config.host = '127.0.0.1';
config.shutdownTimeout = 1_000;
if (process.env['BENCH_UPSTREAM_REUSE'] !== '1') {
  for (const source of config.sources) Object.assign(source, { dedupeInFlight: false, httpCache: false });
}
const parts = observabilityParts(process.env['BENCH_OBSERVABILITY']);
const feature = { check: createChecker([]), baseDir: root };
config.logging = normalizeLoggingOptions(
  parts.has('log') ? { level: 'info', destination: path.join(os.tmpdir(), `concierge-bench-${process.pid}.log`) } : { level: 'silent' },
  feature,
);
config.tracing = normalizeTracingOptions(
  parts.has('tracing') && process.env['BENCH_OTLP_URL'] ? { enabled: true, endpoint: process.env['BENCH_OTLP_URL'] } : { enabled: false },
  feature,
);
config.metrics = normalizeMetricsOptions({ enabled: parts.has('metrics') }, undefined, { enabled: parts.has('metrics') }, feature);
if (process.env['BENCH_RESPONSE_CACHE'] === '1') {
  config.responseCache = normalizeResponseCacheOptions({ enabled: true, store: 'memory', defaultMaxAge: 60 }, { check: createChecker([]), baseDir: root });
}
const running = await startGateway(config);
// With BENCH_LAYERS=1, the layers under this gateway too (plan-only-servers.ts): its plans alone, and under Yoga alone.
const layers =
  process.env['BENCH_LAYERS'] === '1'
    ? await (async () => {
        const graph = { schema: running.gateway.schema, planner: running.gateway.planner! };
        return { plans: await startPlanOnlyServer(graph), yogaPlans: await startYogaPlanServer(graph) };
      })()
    : undefined;
stopWhenAsked('gateway', async () => {
  await Promise.all([running.close(), layers?.plans.close(), layers?.yogaPlans.close()]);
});
announceReady({ url: `${running.url}${config.graphqlEndpoint}`, ...(layers ? { plans: layers.plans.url, yogaPlans: layers.yogaPlans.url } : {}) });

/** Which of log, metrics and tracing BENCH_OBSERVABILITY turns on: all when unset or `on`, none for `off`. */
function observabilityParts(value: string | undefined): Set<string> {
  const all = ['log', 'metrics', 'tracing'];
  if (value === undefined || value === '' || value === 'on') return new Set(all);
  if (value === 'off') return new Set();
  const parts = value.split(',').map((part) => part.trim());
  const unknown = parts.filter((part) => !all.includes(part));
  if (unknown.length > 0) throw new Error(`BENCH_OBSERVABILITY: expected "on", "off" or a list of ${all.join(', ')}; got "${unknown.join(', ')}"`);
  return new Set(parts);
}
