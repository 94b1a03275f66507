/**
 * `node --import tsx test/bench/client-views.bench.ts`: what client profiles add to a request, at one
 * connection. The same query is sent, one request at a time on one kept-alive connection, to a
 * gateway without profiles and to one with them (as the default, unfiltered profile; as a filtered
 * view; and with a computed field). Rounds alternate between the scenarios so drift of the machine
 * spreads evenly; the table gives each scenario's p50 and p90 and the p50 added over no profiles.
 *
 * Everything runs in this process (the upstream service too), so absolute numbers include the
 * service's time; the differences are what profiles cost. Environment: BENCH_REQUESTS (per scenario
 * and round, 500), BENCH_ROUNDS (6).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSchema, graphql } from 'graphql';
import { Agent, request } from 'undici';
import { normalizeConfig } from '../../src/config/normalize-config.ts';
import { startGateway, type RunningGateway } from '../../src/server/start-gateway.ts';
import { clientsConfig, shopSdl } from '../helpers/client-shop.ts';

const requests = Number(process.env['BENCH_REQUESTS'] ?? 500);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 6);
const query = JSON.stringify({ query: '{ products { id name price } }' });
const withThumbnail = JSON.stringify({ query: '{ products { id name price thumbnail } }' });

const schema = buildSchema(shopSdl.replace(/@tag\(name: "\w+"\)/g, ''));
const products = [{ id: '1', name: 'Kettle', price: 30, images: [{ url: 'https://img/1.jpg', width: 160 }] }];
const service = createServer((incoming, outgoing) => {
  let body = '';
  incoming.on('data', (chunk) => (body += String(chunk)));
  incoming.on('end', async () => {
    const { query: source } = JSON.parse(body) as { query: string };
    const result = await graphql({ schema, source, rootValue: { products: () => products } });
    outgoing.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
  });
});
await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
const serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}/graphql`;
const dir = await mkdtemp(path.join(tmpdir(), 'concierge-bench-clients-'));
await writeFile(path.join(dir, 'shop.graphql'), shopSdl);

async function gatewayWith(extra: Record<string, unknown>): Promise<RunningGateway> {
  const config = normalizeConfig(
    {
      port: 0,
      host: '127.0.0.1',
      logging: { level: 'silent' },
      shutdownTimeout: 0,
      sources: { shop: { kind: 'graphql', url: serviceUrl, schema: 'shop.graphql' } },
      ...extra,
    },
    { baseDir: dir, env: {} },
  );
  return startGateway(config);
}

const plain = await gatewayWith({});
const profiled = await gatewayWith({ ...clientsConfig(), clients: { ...clientsConfig().clients, web: { default: true, names: ['web'] } } });
const scenarios = [
  { name: 'no profiles', gateway: plain, headers: {}, body: query },
  { name: 'profiles, default profile (no filter)', gateway: profiled, headers: {}, body: query },
  { name: 'profiles, mobile view (filtered)', gateway: profiled, headers: { 'graphql-client-name': 'shop-ios' }, body: query },
  { name: 'profiles, mobile view + computed field', gateway: profiled, headers: { 'graphql-client-name': 'shop-ios' }, body: withThumbnail },
  // Every request switches the schema Yoga serves (and envelop tells every plugin so).
  {
    name: 'profiles, web and mobile alternating',
    gateway: profiled,
    headers: (index: number) => ({ 'graphql-client-name': index % 2 === 0 ? 'web' : 'shop-ios' }),
    body: query,
  },
];
const agent = new Agent({ connections: 1, pipelining: 1 });
const samples = new Map<string, number[]>(scenarios.map(({ name }) => [name, []]));

for (let round = 0; round <= rounds; round++) {
  for (const scenario of scenarios) {
    const times = samples.get(scenario.name) as number[];
    for (let index = 0; index < requests; index++) {
      const started = performance.now();
      const headers = typeof scenario.headers === 'function' ? scenario.headers(index) : scenario.headers;
      const answer = await request(`${scenario.gateway.url}/graphql`, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json', ...headers },
        body: scenario.body,
      });
      const text = await answer.body.text();
      if (answer.statusCode !== 200 || text.includes('"errors"')) throw new Error(`${scenario.name}: ${answer.statusCode} ${text}`);
      // Round 0 warms up (JIT, plan and validation caches): not measured.
      if (round > 0) times.push(performance.now() - started);
    }
  }
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const baseline = percentile(samples.get('no profiles') as number[], 50);
console.log(`client views at one connection: ${rounds} rounds x ${requests} requests per scenario, node ${process.version}\n`);
console.log(`${'scenario'.padEnd(42)} ${'p50 ms'.padStart(8)} ${'p90 ms'.padStart(8)} ${'p50 added'.padStart(10)}`);
for (const { name } of scenarios) {
  const times = samples.get(name) as number[];
  const p50 = percentile(times, 50);
  const added = `${p50 >= baseline ? '+' : ''}${(p50 - baseline).toFixed(3)}`;
  console.log(`${name.padEnd(42)} ${p50.toFixed(3).padStart(8)} ${percentile(times, 90).toFixed(3).padStart(8)} ${added.padStart(10)}`);
}

await agent.close();
await plain.close();
await profiled.close();
service.closeAllConnections();
service.close();
await rm(dir, { recursive: true, force: true });
