import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { ConfigError } from '../src/config/config-error.ts';
import { normalizeConfig } from '../src/config/normalize-config.ts';
import { startGateway } from '../src/server/start-gateway.ts';
import { link, serveSubgraph } from './helpers/federation-subgraph.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { postGraphQL } from './helpers/graphql-request.ts';

const products = [
  { upc: 'p1', name: 'Table' },
  { upc: 'p2', name: 'Chair' },
];
const reviews = [
  { id: 'r1', body: 'Sturdy', product: { upc: 'p1' } },
  { id: 'r2', body: 'Wobbly', product: { upc: 'p2' } },
  { id: 'r3', body: 'Fine', product: { upc: 'p1' } },
];

const productsSdl = /* GraphQL */ `
  ${link('key')}
  type Product @key(fields: "upc") { upc: String! name: String! }
  type Query { topProducts: [Product!]! }
`;
const reviewsSdl = /* GraphQL */ `
  ${link('key')}
  type Product @key(fields: "upc") { upc: String! reviews: [Review!]! }
  type Review { body: String! product: Product! }
`;

function startProducts(t: TestContext) {
  return serveSubgraph(t, {
    sdl: productsSdl,
    resolvers: { Query: { topProducts: () => products } },
    entities: ['Product'],
    resolve: (reference) => products.find((product) => product.upc === reference['upc']),
  });
}

function startReviews(t: TestContext) {
  return serveSubgraph(t, {
    sdl: reviewsSdl,
    resolvers: { Product: { reviews: (product: { upc: string }) => reviews.filter((review) => review.product.upc === product.upc) } },
    entities: ['Product'],
    resolve: (reference) => ({ upc: reference['upc'] }),
  });
}

/** The supergraph SDL of the subgraphs, as `rover supergraph compose` would write it (an empty URL when none is given). */
function supergraphOf(urls: { products?: string; reviews?: string }): string {
  const composed = composeServices([
    { name: 'products', url: urls.products ?? '', typeDefs: parse(productsSdl) },
    { name: 'reviews', url: urls.reviews ?? '', typeDefs: parse(reviewsSdl) },
  ]);
  assert.equal(composed.errors, undefined, composed.errors?.map((error) => error.message).join('\n'));
  return composed.supergraphSdl ?? '';
}

/** A folder holding the given files, like the one of a config file. */
async function folderWith(t: TestContext, files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-supergraph-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

function configIn(dir: string, raw: Record<string, unknown>) {
  return normalizeConfig({ port: 0, host: '127.0.0.1', logging: { level: 'silent' }, shutdownTimeout: 0, ...raw }, { baseDir: dir, env: {} });
}

async function startIn(t: TestContext, dir: string, raw: Record<string, unknown>): Promise<string> {
  const config = configIn(dir, raw);
  const running = await startGateway(config);
  t.after(() => running.close());
  return `${running.url}${config.graphqlEndpoint}`;
}

const query = '{ topProducts { name reviews { body product { name } } } }';
const answer = {
  topProducts: [
    {
      name: 'Table',
      reviews: [
        { body: 'Sturdy', product: { name: 'Table' } },
        { body: 'Fine', product: { name: 'Table' } },
      ],
    },
    { name: 'Chair', reviews: [{ body: 'Wobbly', product: { name: 'Chair' } }] },
  ],
};

test('a supergraph file: its subgraphs answer one query together, one call per subgraph and level, and none is asked for _service', async (t) => {
  const [productsService, reviewsService] = await Promise.all([startProducts(t), startReviews(t)]);
  const dir = await folderWith(t, { 'supergraph.graphql': supergraphOf({ products: productsService.url, reviews: reviewsService.url }) });
  const endpoint = await startIn(t, dir, { supergraph: 'supergraph.graphql' });
  const response = await postGraphQL(endpoint, query);
  assert.equal(response.body.errors, undefined);
  assert.deepEqual(response.body.data, answer);
  assert.equal(productsService.queries().length, 2, 'topProducts, then the names of the reviewed products in one _entities call');
  assert.equal(reviewsService.queries().length, 1, 'the reviews of both products in one _entities call');
  assert.deepEqual(
    [...productsService.queries(), ...reviewsService.queries()].filter((sent) => sent.includes('_service')),
    [],
  );
});

test('subgraph options: defaults for all, a URL where the supergraph has none or another, and a REST source beside them', async (t) => {
  const [productsService, reviewsService] = await Promise.all([startProducts(t), startReviews(t)]);
  const rest = await startFixtureServer(t, (_request, response) => json(response, 200, { message: 'open' }));
  const dir = await folderWith(t, {
    'supergraph.graphql': supergraphOf({ products: 'http://products.internal:4001/graphql' }),
    'status.graphql': 'type Status { message: String! } type Query { status: Status @http(GET: "/status") }',
  });
  const raw = {
    supergraph: {
      file: 'supergraph.graphql',
      defaults: { forwardHeaders: ['X-Tenant'], timeout: 2000 },
      subgraphs: { products: { url: productsService.url, headers: { 'x-gateway': 'concierge' } }, reviews: { url: reviewsService.url, timeout: 500 } },
    },
    sources: { status: { kind: 'rest', url: rest.url, schema: 'status.graphql' } },
  };
  assert.deepEqual(
    configIn(dir, raw).sources.map(({ name, kind, url, timeout, forwardHeaders, headers }) => ({ name, kind, url, timeout, forwardHeaders, headers })),
    [
      { name: 'status', kind: 'rest', url: rest.url, timeout: 10_000, forwardHeaders: [], headers: {} },
      { name: 'products', kind: 'federation', url: productsService.url, timeout: 2000, forwardHeaders: ['x-tenant'], headers: { 'x-gateway': 'concierge' } },
      { name: 'reviews', kind: 'federation', url: reviewsService.url, timeout: 500, forwardHeaders: ['x-tenant'], headers: {} },
    ],
  );
  const endpoint = await startIn(t, dir, raw);
  const response = await postGraphQL(endpoint, `{ status { message } ${query.slice(1)}`, {}, { 'x-tenant': 'acme' });
  assert.equal(response.body.errors, undefined);
  assert.deepEqual(response.body.data, { status: { message: 'open' }, ...answer });
  assert.deepEqual(
    rest.requests.map((request) => request.url),
    ['/status'],
  );
  assert.deepEqual(
    productsService.requests.map((request) => [request.headers['x-tenant'], request.headers['x-gateway']]),
    [
      ['acme', 'concierge'],
      ['acme', 'concierge'],
    ],
  );
  assert.deepEqual(
    reviewsService.requests.map((request) => [request.headers['x-tenant'], request.headers['x-gateway']]),
    [['acme', undefined]],
  );
});

test('the gateway starts while the subgraphs are down; a query then fails naming the subgraph', async (t) => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise((resolve) => closed.close(resolve));
  const dir = await folderWith(t, {
    'supergraph.graphql': supergraphOf({ products: `http://127.0.0.1:${port}/graphql`, reviews: `http://127.0.0.1:${port}/graphql` }),
  });
  const endpoint = await startIn(t, dir, { supergraph: { file: 'supergraph.graphql', subgraphs: { products: { timeout: 1000 } } } });
  const response = await postGraphQL(endpoint, '{ topProducts { name } }');
  assert.equal(response.body.data, null);
  assert.equal(response.body.errors?.[0]?.extensions?.service, 'products', JSON.stringify(response.body.errors));
});

function problemsOf(dir: string, raw: Record<string, unknown>): readonly string[] {
  try {
    configIn(dir, raw);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

test('a supergraph file that is missing, does not parse or is no supergraph stops start-up naming the key and the file', async (t) => {
  const dir = await folderWith(t, { 'broken.graphql': 'type Query {\n  topProducts: [Product!\n}\n', 'subgraph.graphql': productsSdl });
  assert.deepEqual(problemsOf(dir, { supergraph: 'missing.graphql' }), [
    `config.supergraph: expected a readable supergraph SDL file, got "missing.graphql" (no such file: ${path.join(dir, 'missing.graphql')})`,
  ]);
  assert.deepEqual(problemsOf(dir, { supergraph: { file: 'broken.graphql' } }), [
    `config.supergraph.file: ${path.join(dir, 'broken.graphql')}:3:1: Syntax Error: Expected "]", found "}".`,
  ]);
  assert.deepEqual(problemsOf(dir, { supergraph: 'subgraph.graphql' }), [
    'config.supergraph: expected a supergraph SDL whose join__Graph enum lists its subgraphs (as `rover supergraph compose` writes it), got "subgraph.graphql", which has no join__Graph enum',
  ]);
  assert.deepEqual(problemsOf(dir, { supergraph: { path: 'supergraph.graphql' } }), [
    'config.supergraph.path: unknown option; expected one of file, hotReload, defaults, subgraphs',
    'config.supergraph.file: expected a non-empty string, got nothing',
  ]);
});

test('supergraph subgraph options are checked against the supergraph and the sources, each problem naming its key', async (t) => {
  const dir = await folderWith(t, { 'supergraph.graphql': supergraphOf({ products: 'products:4001' }) });
  const shown = path.join(dir, 'supergraph.graphql');
  assert.deepEqual(
    problemsOf(dir, {
      supergraph: { file: 'supergraph.graphql', defaults: { timeout: '5s', url: 'http://all' }, subgraphs: { review: { timeout: 500 } } },
      sources: { reviews: { kind: 'graphql', url: 'http://reviews/graphql' }, accounts: { kind: 'federation', url: 'http://accounts/graphql' } },
    }),
    [
      'config.supergraph.defaults.url: unknown option; expected one of timeout, forwardHeaders, headers, connections, maxResponseBytes, tls, httpCache, dedupeInFlight, batch, retries, breaker, loadBalancing, healthCheck, outlierDetection',
      `config.supergraph.subgraphs.review: expected the name of a subgraph of ${shown} (products, reviews), got "review"`,
      `config.sources.reviews: expected a name that no subgraph of ${shown} has (each subgraph is a source of its name), got "reviews"`,
      'config.sources.accounts.kind: expected "graphql" or "rest" beside config.supergraph, whose subgraphs are the federation sources (their options go in config.supergraph.subgraphs), got "federation"',
      `config.supergraph.subgraphs.products.url: expected an http:// or https:// URL, got nothing (${shown} gives subgraph "products" the URL "products:4001", which is not one)`,
      `config.supergraph.subgraphs.reviews.url: expected an http:// or https:// URL, got nothing (${shown} gives subgraph "reviews" no URL: join__graph(url: ""))`,
      'config.supergraph.defaults.timeout: expected an integer from 1 to 600000, got "5s"',
    ],
  );
});
