import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '../src/config/config-error.ts';
import { normalizeConfig } from '../src/config/normalize-config.ts';
import { registeredSources } from '../src/registry/registered-sources.ts';

/** The problems of a config that must not start. */
function problemsOf(config: Record<string, unknown>): readonly string[] {
  try {
    normalizeConfig(config, { env: {} });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  assert.fail('the config was accepted');
}

test('urls: each entry a URL or { url, weight }, one protocol and one path, never beside url', () => {
  const problems = problemsOf({
    sources: {
      products: {
        kind: 'rest',
        urls: [
          'http://a:4003',
          'products-2:4003',
          { url: 'http://c:4003', weight: 0 },
          'https://d:4003',
          'http://e:4003/v2',
          { url: 'http://f:4003', wait: 1 },
        ],
      },
      users: { kind: 'graphql', url: 'http://users:4001/graphql', urls: ['http://users:4001/graphql'] },
      orders: { kind: 'rest', urls: [] },
    },
  });
  assert.deepEqual(problems, [
    'config.sources.products.urls[1]: expected an http:// or https:// URL, got "products-2:4003"',
    'config.sources.products.urls[2].weight: expected an integer from 1 to 1000, got 0',
    'config.sources.products.urls[5].wait: unknown option; expected one of url, weight',
    'config.sources.products.urls[3]: expected a http:// URL like config.sources.products.urls[0] (all instances share the source\'s TLS options), got "https://d:4003"',
    'config.sources.products.urls[4]: expected a URL with the path "/" of config.sources.products.urls[0] (all instances serve the same paths), got "http://e:4003/v2"',
    'config.sources.users.urls: expected no urls beside url (one or the other), got ["http://users:4001/graphql"]',
    "config.sources.orders.urls: expected a non-empty list of URLs or { url, weight } objects, such as ['http://a:4001', 'http://b:4001'], got []",
  ]);
});

test('loadBalancing, healthCheck and outlierDetection mistakes name the key, the value and what is expected', () => {
  const problems = problemsOf({
    sources: {
      products: {
        kind: 'rest',
        urls: ['http://a:4003', 'http://b:4003'],
        loadBalancing: 'random',
        healthCheck: { path: 'health', interval: '1ms', unhealthyThreshold: 0, every: '1s' },
        outlierDetection: { consecutiveFailures: 0, baseEjectionTime: '10s', maxEjectionTime: '5s', maxEjectionPercent: 150 },
      },
      orders: { kind: 'rest', url: 'http://orders', outlierDetection: 'yes', healthCheck: 'often' },
    },
  });
  assert.deepEqual(problems, [
    'config.sources.products.loadBalancing: expected one of "least-request", "round-robin", "p2c-ewma", got "random"',
    'config.sources.products.healthCheck.every: unknown option; expected one of path, interval, timeout, healthyThreshold, unhealthyThreshold',
    'config.sources.products.healthCheck.interval: expected a duration such as "500ms" or "10s", or a number of milliseconds, from 100 to 3600000 ms, got "1ms"',
    'config.sources.products.healthCheck.path: expected a path starting with "/", got "health"',
    'config.sources.products.healthCheck.unhealthyThreshold: expected an integer from 1 to 100, got 0',
    'config.sources.products.outlierDetection.consecutiveFailures: expected an integer from 1 to 1000, got 0',
    'config.sources.products.outlierDetection.maxEjectionTime: expected a duration such as "500ms" or "10s", or a number of milliseconds, from 10000 to 86400000 ms, got "5s"',
    'config.sources.products.outlierDetection.maxEjectionPercent: expected an integer from 0 to 100, got 150',
    "config.sources.orders.healthCheck: expected false, true or an object such as { path: '/health', interval: '10s' }, got \"often\"",
    'config.sources.orders.outlierDetection: expected false or an object such as { consecutiveFailures: 5, baseEjectionTime: \'30s\' }, got "yes"',
  ]);
});

test('with tls, urls must be https://', () => {
  const problems = problemsOf({ sources: { products: { kind: 'rest', urls: ['http://a:4003'], tls: { rejectUnauthorized: false } } } });
  assert.deepEqual(problems, ['config.sources.products.urls[0]: expected https:// URLs, since tls is set, got "http://a:4003"']);
});

test('defaults: one instance from url; urls merged by URL with weights added; least-request, ejection on, no checks', () => {
  const { sources } = normalizeConfig(
    {
      sources: {
        users: { kind: 'graphql', url: 'http://users:4001/graphql' },
        products: {
          kind: 'rest',
          urls: ['http://a:4003/', { url: 'http://b:4003', weight: 3 }, 'http://a:4003'],
          loadBalancing: 'p2c-ewma',
          healthCheck: true,
        },
      },
    },
    { env: {} },
  );
  const [users, products] = sources;
  assert.deepEqual([users?.url, users?.urls, users?.loadBalancing, users?.healthCheck], ['http://users:4001/graphql', undefined, 'least-request', false]);
  assert.deepEqual(users?.outlierDetection, { consecutiveFailures: 5, baseEjectionTime: 30_000, maxEjectionTime: 300_000, maxEjectionPercent: 50 });
  assert.deepEqual(products?.urls, [
    { url: 'http://a:4003', weight: 2 },
    { url: 'http://b:4003', weight: 3 },
  ]);
  assert.equal(products?.url, 'http://a:4003');
  assert.equal(products?.loadBalancing, 'p2c-ewma');
  assert.deepEqual(products?.healthCheck, { path: '/health', interval: 10_000, timeout: 2_000, healthyThreshold: 2, unhealthyThreshold: 3 });
});

test('a supergraph subgraph takes urls, and its defaults take the instance options', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-instances-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const supergraph = /* GraphQL */ `
    schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION) { query: Query }
    directive @join__graph(name: String!, url: String!) on ENUM_VALUE
    directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
    directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
    directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
    scalar join__FieldSet
    scalar link__Import
    enum link__Purpose { SECURITY EXECUTION }
    enum join__Graph { REVIEWS @join__graph(name: "reviews", url: "http://reviews:4002/graphql") }
    type Query @join__type(graph: REVIEWS) { top: Int @join__field(graph: REVIEWS) }
  `;
  await writeFile(path.join(dir, 'supergraph.graphql'), supergraph);
  const config = normalizeConfig(
    {
      supergraph: {
        file: 'supergraph.graphql',
        defaults: { loadBalancing: 'round-robin' },
        subgraphs: { reviews: { urls: ['http://r1:4002/graphql', 'http://r2:4002/graphql'] } },
      },
    },
    { baseDir: dir, env: {} },
  );
  const [reviews] = config.sources;
  assert.deepEqual(
    reviews?.urls?.map((instance) => instance.url),
    ['http://r1:4002/graphql', 'http://r2:4002/graphql'],
  );
  assert.equal(reviews?.loadBalancing, 'round-robin');
  assert.throws(
    () => normalizeConfig({ supergraph: { file: 'supergraph.graphql', defaults: { urls: ['http://r1:4002/graphql'] } } }, { baseDir: dir, env: {} }),
    (error: Error) =>
      error instanceof ConfigError &&
      error.problems.includes(
        'config.supergraph.defaults.urls: unknown option; expected one of timeout, forwardHeaders, headers, connections, maxResponseBytes, tls, httpCache, dedupeInFlight, batch, retries, breaker, loadBalancing, healthCheck, outlierDetection',
      ),
  );
});

test('a registered service with several URLs is a source with those instances, and carries retries, breaker and instance options', () => {
  const [products] = registeredSources([
    {
      service: 'products',
      kind: 'rest',
      urls: ['http://a:4003', 'http://b:4003'],
      sdl: 'type Query { a: Int }',
      options: { loadBalancing: 'round-robin', outlierDetection: { consecutiveFailures: 2 }, retries: { attempts: 1 }, breaker: { threshold: 3 } },
      name: 'products@v1',
    },
  ]);
  assert.deepEqual(products?.urls, [
    { url: 'http://a:4003', weight: 1 },
    { url: 'http://b:4003', weight: 1 },
  ]);
  assert.equal(products?.loadBalancing, 'round-robin');
  assert.equal(products?.outlierDetection && products.outlierDetection.consecutiveFailures, 2);
  assert.equal(products?.retries.attempts, 1);
  assert.deepEqual(products?.breaker, { halfOpenAfter: 10_000, threshold: 3 });
});
