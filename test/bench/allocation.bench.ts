/**
 * `npm run bench:alloc`: how much memory the gateway allocates to answer one order-history request,
 * against the hand-written aggregator answering the same bytes. Unlike CPU time, allocation does not
 * depend on what else the machine runs: the numbers repeat within a few percent, so a change of a
 * few percent shows, where the throughput bench needs many rounds to show one.
 *
 * The example services run in a child process (their work is not counted); the gateway (compiled,
 * unless BENCH_GATEWAY_FROM=src) and the hand-written aggregator run in this process, one after
 * the other, with a young generation large enough (the npm script's `--min-semi-space-size`) that
 * no collection runs while a round of requests is measured: the growth of the heap over a round is
 * what the round allocated. Requests are sent one at a time over one keep-alive connection; the
 * client's own allocations (about the same for both, the answers being equal) are counted too.
 *
 * Gateways: observability off (no access log, no metrics, no tracing), and the example config as
 * `npm start` runs it (access log, to a file here, and metrics). Upstream reuse (in-flight dedupe,
 * REST HTTP cache) and the response cache are off: every request makes the same 6 calls. Then the
 * layers under the first one (plan-only-servers.ts): its planner under graphql-yoga with no other
 * plugin, and with no Yoga at all; the differences show what Yoga, and the gateway's plugins, add.
 * Environment: BENCH_ALLOC_ROUNDS (7 rounds of) BENCH_ALLOC_REQUESTS (100), after 600 warm-up requests.
 * Never fails on a number; exits 1 on a wrong answer.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { mintDevToken } from '../../examples/ecommerce/dev-keys.ts';
import { SERVICE_NAMES } from '../../examples/ecommerce/start-services.ts';
import { shopEnv } from '../helpers/start-shop.ts';
import { loadGatewayModule, prepareGatewayBuild } from './gateway-build.ts';
import { startHandWrittenAggregator, type ServiceUrls } from './hand-written-aggregator.ts';
import { startPlanOnlyServer, startYogaPlanServer } from './plan-only-servers.ts';
import { Children } from './processes.ts';
import { readSettings, root } from './settings.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('Run through `npm run bench:alloc` (node --expose-gc with a large young generation): it measures heap growth between collections.');
  process.exit(1);
}
const rounds = Number(process.env['BENCH_ALLOC_ROUNDS'] ?? 7);
const perRound = Number(process.env['BENCH_ALLOC_REQUESTS'] ?? 100);
const warmup = 600;

const settings = readSettings(process.env);
prepareGatewayBuild(settings);
const { loadConfig } = await loadGatewayModule<typeof import('../../src/config/load-config.ts')>('config/load-config');
const { startGateway } = await loadGatewayModule<typeof import('../../src/server/start-gateway.ts')>('server/start-gateway');

const children = new Children();
const { urls } = await children.start<{ urls: ServiceUrls }>({ name: 'services', file: 'test/bench/services-child.ts' });
const query = readFileSync(path.join(root, 'examples/ecommerce/order-history.graphql'), 'utf8');
const token = await mintDevToken({ sub: '1', scopes: ['orders:read'] });

/** A gateway over the services with the example config; `observability` keeps its access log (to a file) and metrics. */
async function startShopGateway(observability: boolean) {
  const config = await loadConfig(`${root}gateway.config.ts`, root, shopEnv(urls as Parameters<typeof shopEnv>[0]));
  Object.assign(config, { host: '127.0.0.1', shutdownTimeout: 0 });
  config.logging = observability
    ? { ...config.logging, level: 'info', destination: path.join(os.tmpdir(), `concierge-bench-alloc-${process.pid}.log`) }
    : { ...config.logging, level: 'silent' };
  config.metrics = { ...config.metrics, enabled: observability };
  config.tracing = { ...config.tracing, enabled: false };
  config.responseCache = { ...config.responseCache, enabled: false };
  for (const source of config.sources) Object.assign(source, { dedupeInFlight: false, httpCache: false });
  const running = await startGateway(config);
  return { url: `${running.url}${config.graphqlEndpoint}`, close: () => running.close(), gateway: running.gateway };
}

interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

const post = async (target: Target): Promise<string> => {
  const response = await request(target.url, { method: 'POST', headers: { 'content-type': 'application/json', ...target.headers }, body: target.body });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`${target.name} answered ${response.statusCode}: ${text.slice(0, 200)}`);
  return text;
};

/** KB allocated per request in each round (median, min, max). */
async function measure(target: Target): Promise<{ median: number; min: number; max: number }> {
  for (let index = 0; index < warmup; index++) await post(target);
  const perRequest: number[] = [];
  for (let round = 0; round < rounds; round++) {
    gc!();
    const before = process.memoryUsage().heapUsed;
    for (let index = 0; index < perRound; index++) await post(target);
    perRequest.push((process.memoryUsage().heapUsed - before) / perRound / 1024);
  }
  perRequest.sort((a, b) => a - b);
  return { median: perRequest[Math.floor(perRequest.length / 2)] as number, min: perRequest[0] as number, max: perRequest.at(-1) as number };
}

try {
  const graphql = { headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables: { id: '1' } }) };
  const bare = await startShopGateway(false);
  const observed = await startShopGateway(true);
  const handWritten = await startHandWrittenAggregator(urls);
  // The layers under the first gateway: its planner under Yoga alone, and with no Yoga at all.
  const graph = { schema: bare.gateway.schema, planner: bare.gateway.planner! };
  const yogaPlan = await startYogaPlanServer(graph);
  const planOnly = await startPlanOnlyServer(graph);
  const targets: Target[] = [
    { name: 'gateway, observability off', url: bare.url, ...graphql },
    { name: 'gateway, access log + metrics', url: observed.url, ...graphql },
    { name: 'its plans under Yoga alone', url: yogaPlan.url, ...graphql },
    { name: 'its plans, no Yoga', url: planOnly.url, ...graphql },
    { name: 'hand-written aggregator', url: handWritten.url, headers: {}, body: JSON.stringify({ id: '1' }) },
  ];
  // The same answer from each, or the comparison means nothing.
  const answers = await Promise.all(targets.map(post));
  for (const answer of answers.slice(1))
    assert.deepEqual(JSON.parse(answer), JSON.parse(answers[0] as string), 'the gateways and the hand-written aggregator answer alike');
  const results = [];
  for (const target of targets) results.push({ target, ...(await measure(target)) });
  console.log(
    `\nKB allocated per order-history request (${rounds} rounds of ${perRound} requests after ${warmup} warm-up, gateway from ${settings.gatewayFrom}; ${SERVICE_NAMES.length} services in a child process, not counted):\n`,
  );
  console.log(`${'scenario'.padEnd(32)}  ${'median'.padStart(7)}  ${'min'.padStart(7)}  ${'max'.padStart(7)}`);
  for (const { target, median, min, max } of results) {
    console.log(`${target.name.padEnd(32)}  ${median.toFixed(1).padStart(7)}  ${min.toFixed(1).padStart(7)}  ${max.toFixed(1).padStart(7)}`);
  }
  const handMedian = results.at(-1)?.median ?? Number.NaN;
  console.log(`\ngateway (observability off) / hand-written: ${((results[0]?.median ?? Number.NaN) / handMedian).toFixed(2)}x`);
  await Promise.all([bare.close(), observed.close(), handWritten.close(), yogaPlan.close(), planOnly.close()]);
} finally {
  await children.stopAll();
}
process.exit(0);
