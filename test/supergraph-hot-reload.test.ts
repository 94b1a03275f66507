import assert from 'node:assert/strict';
import { mkdtemp, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { ConfigError } from '../src/config/config-error.ts';
import { normalizeConfig } from '../src/config/normalize-config.ts';
import type { SchemaStatus } from '../src/plugins/use-metrics.ts';
import { schemaVersionHeader } from '../src/registry/use-schema-version-header.ts';
import { supergraphLabel } from '../src/sources/federation/watch-supergraph-file.ts';
import { startGateway, type RunningGateway } from '../src/server/start-gateway.ts';
import { link, serveSubgraph } from './helpers/federation-subgraph.ts';
import { postGraphQL } from './helpers/graphql-request.ts';

const products = [
  { upc: 'p1', name: 'Table', price: 120, weight: 30 },
  { upc: 'p2', name: 'Chair', price: 45, weight: 6 },
];

/** The products subgraph's SDL with the given extra fields of Product: the service always serves all of them. */
const productsSdl = (...fields: string[]) => /* GraphQL */ `
  ${link('key')}
  type Product @key(fields: "upc") { upc: String! name: String! ${fields.map((field) => `${field}: Int`).join(' ')} }
  type Query { topProducts: [Product!]! }
`;

function supergraphOf(url: string, ...fields: string[]): string {
  const composed = composeServices([{ name: 'products', url, typeDefs: parse(productsSdl(...fields)) }]);
  assert.equal(composed.errors, undefined, composed.errors?.map((error) => error.message).join('\n'));
  return composed.supergraphSdl ?? '';
}

interface HotGateway {
  running: RunningGateway;
  endpoint: string;
  url: string;
  file: string;
  logged: string[];
  /** Replaces the file as deploys do: a temporary file renamed into place. */
  replace(text: string): Promise<void>;
}

/** A gateway on a supergraph file of the products subgraph; by default `{ file, hotReload: true }`. */
async function startHot(
  t: TestContext,
  { supergraph = (file: string): unknown => ({ file, hotReload: true }), env = {} as NodeJS.ProcessEnv } = {},
): Promise<HotGateway & { serviceUrl: string }> {
  const service = await serveSubgraph(t, {
    sdl: productsSdl('price', 'weight'),
    resolvers: { Query: { topProducts: () => products } },
    entities: ['Product'],
    resolve: (reference) => products.find((product) => product.upc === reference['upc']),
  });
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-hot-reload-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'supergraph.graphql');
  await writeFile(file, supergraphOf(service.url));
  const config = normalizeConfig(
    { port: 0, host: '127.0.0.1', logging: { level: 'silent' }, shutdownTimeout: 5_000, supergraph: supergraph('supergraph.graphql') },
    { baseDir: dir, env },
  );
  const logged: string[] = [];
  const running = await startGateway(config, { log: (message) => logged.push(message) });
  t.after(() => running.close());
  let temporary = 0;
  const replace = async (text: string) => {
    const next = path.join(dir, `.supergraph-${++temporary}.tmp`);
    await writeFile(next, text);
    await rename(next, file);
  };
  return { running, endpoint: `${running.url}/graphql`, url: running.url, file, logged, replace, serviceUrl: service.url };
}

test('a changed supergraph file is served without a restart; the header names the content by its hash prefix', { timeout: 180_000 }, async (t) => {
  const hot = await startHot(t);
  const first = await postGraphQL(hot.endpoint, '{ topProducts { name } }');
  assert.deepEqual([first.status, first.body.data], [200, { topProducts: [{ name: 'Table' }, { name: 'Chair' }] }]);
  const before = first.headers.get(schemaVersionHeader);
  assert.match(before ?? '', /^[0-9a-f]{12}$/);

  const added = supergraphOf(hot.serviceUrl, 'price');
  await hot.replace(added);
  assert.equal(await hot.running.gateway.supergraphFile?.follower.reached(2), undefined, 'revision 2 is served (no failed attempt)');
  const served = await postGraphQL(hot.endpoint, '{ topProducts { price } }');
  assert.deepEqual(served.body.data, { topProducts: [{ price: 120 }, { price: 45 }] });
  assert.equal(served.headers.get(schemaVersionHeader), supergraphLabel(added));
  assert.deepEqual(
    hot.running.gateway.supergraphFile?.follower.attempts.map(({ version, label, result }) => [version, label, result]),
    [[2, supergraphLabel(added), 'applied']],
  );
  assert.match(await (await fetch(`${hot.url}/metrics`)).text(), /concierge_schema_swaps_total\{result="applied"\} 1/);
});

test('a broken file keeps the running graph: logged once, counted as a failed swap and listed on the status page; a touch does nothing', {
  timeout: 30_000,
}, async (t) => {
  const plain = await startHot(t, { supergraph: (file) => file });
  assert.equal(plain.running.gateway.supergraphFile, undefined, 'the string form alone does not watch');
  await plain.running.close();
  const hotEnv = await startHot(t, { supergraph: (file) => file, env: { CONCIERGE_HOT_RELOAD: 'true' } });
  const label = (await postGraphQL(hotEnv.endpoint, '{ topProducts { name } }')).headers.get(schemaVersionHeader);
  const now = new Date();
  await utimes(hotEnv.file, now, now);
  await hotEnv.replace(await readFile(hotEnv.file, 'utf8'));
  await hotEnv.replace('type Query {\n  topProducts: [Product!\n}\n');
  const refused = await hotEnv.running.gateway.supergraphFile?.follower.reached(2);
  assert.equal(refused?.result, 'failed', 'the touch and the same content made no revision: the broken content is revision 2');
  assert.match(refused?.reason ?? '', /supergraph\.graphql:3:1: Syntax Error: Expected "]", found "}"/);

  const still = await postGraphQL(hotEnv.endpoint, '{ topProducts { name } }');
  assert.deepEqual(
    [still.status, still.headers.get(schemaVersionHeader), still.body.data],
    [200, label, { topProducts: [{ name: 'Table' }, { name: 'Chair' }] }],
  );
  assert.equal(hotEnv.logged.length, 1, hotEnv.logged.join('\n'));
  assert.match(
    hotEnv.logged[0] ?? '',
    new RegExp(`supergraph file .*supergraph\\.graphql: its content [0-9a-f]{12} is not served, ${label} stays: .*Syntax Error`),
  );
  assert.match(await (await fetch(`${hotEnv.url}/metrics`)).text(), /concierge_schema_swaps_total\{result="failed"\} 1/);
  const schema = ((await (await fetch(`${hotEnv.url}/_concierge/data.json`)).json()) as { schema: SchemaStatus }).schema;
  assert.deepEqual(schema.file, { path: hotEnv.file, label });
  assert.deepEqual(
    schema.swaps.map(({ version, result }) => [version, result]),
    [[2, 'failed']],
  );

  const unknownSubgraph = supergraphOf('http://127.0.0.1:9/graphql').replace(/products/g, 'Products Service');
  await hotEnv.replace(unknownSubgraph);
  const misnamed = await hotEnv.running.gateway.supergraphFile?.follower.reached(3);
  assert.match(misnamed?.reason ?? '', /config\.supergraph: /);
  assert.equal((await postGraphQL(hotEnv.endpoint, '{ topProducts { name } }')).headers.get(schemaVersionHeader), label);
});

test('requests in flight during swaps all succeed, each answered by one content', { timeout: 180_000 }, async (t) => {
  const hot = await startHot(t);
  const contents = [
    supergraphOf(hot.serviceUrl),
    supergraphOf(hot.serviceUrl, 'price'),
    supergraphOf(hot.serviceUrl, 'weight'),
    supergraphOf(hot.serviceUrl, 'price', 'weight'),
  ];
  const labels = new Set(contents.map(supergraphLabel));
  let done = false;
  let answered = 0;
  const failures: string[] = [];
  const client = async () => {
    while (!done) {
      const response = await postGraphQL(hot.endpoint, '{ topProducts { upc name } }');
      answered++;
      if (response.status !== 200 || response.body.errors || !labels.has(response.headers.get(schemaVersionHeader) ?? ''))
        failures.push(`${response.status} ${response.headers.get(schemaVersionHeader)} ${JSON.stringify(response.body)}`);
    }
  };
  const clients = Array.from({ length: 8 }, client);
  for (let round = 1; round <= 6; round++) {
    const content = contents[round % contents.length] as string;
    await hot.replace(content);
    assert.equal(await hot.running.gateway.supergraphFile?.follower.reached(round + 1), undefined, `revision ${round + 1} is served (no failed attempt)`);
    assert.equal((await postGraphQL(hot.endpoint, '{ __typename }')).headers.get(schemaVersionHeader), supergraphLabel(content), `content ${round} is served`);
  }
  done = true;
  await Promise.all(clients);
  t.diagnostic(`${answered} requests during 6 swaps, ${failures.length} failed`);
  assert.deepEqual(failures, []);
  assert.equal(hot.running.gateway.supergraphFile?.follower.attempts.filter((attempt) => attempt.result === 'applied').length, 6);
  assert.equal(hot.running.gateway.graphs.inFlight().size, 1, 'every replaced graph was closed once its requests were answered');
});

test('hot reload config mistakes stop start-up naming the key, the value and the expectation', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-hot-reload-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'x.graphql'), supergraphOf('http://products.internal/graphql'));
  const problems = (raw: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => {
    try {
      normalizeConfig({ supergraph: 'x.graphql', ...raw }, { baseDir: dir, env });
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.problems.filter((problem) => problem.includes('hotReload') || problem.startsWith('config.supergraph: expected a supergraph file to watch'));
    }
    return [];
  };
  assert.deepEqual(problems({ supergraph: { file: 'x.graphql', hotReload: 'yes' } }), ['config.supergraph.hotReload: expected true or false, got "yes"']);
  assert.deepEqual(problems({}, { CONCIERGE_HOT_RELOAD: 'on' }), [
    'config.supergraph.hotReload: expected true, false, 1 or 0, got "on" (from CONCIERGE_HOT_RELOAD)',
  ]);
  assert.deepEqual(problems({ supergraph: { file: 'x.graphql', hotReload: true }, registry: { follow: true } }), [
    'config.supergraph.hotReload: expected false beside registry.follow (the registry decides which graph is served), got true',
  ]);
  assert.deepEqual(problems({ supergraph: undefined, sources: {} }, { CONCIERGE_HOT_RELOAD: 'true' }), [
    'config.supergraph: expected a supergraph file to watch (CONCIERGE_HOT_RELOAD is "true", as --hot-reload sets it), got nothing',
  ]);
});
