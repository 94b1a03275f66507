import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../src/config/config-error.ts';
import { normalizeConfig } from '../src/config/normalize-config.ts';

const valid = { sources: { users: { kind: 'graphql', url: 'http://users:4001/graphql' } } };

function problemsOf(raw: unknown, env: NodeJS.ProcessEnv = {}): readonly string[] {
  try {
    normalizeConfig(raw, { baseDir: '/srv/gateway', env });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

test('defaults are filled in and paths resolve against the config folder', () => {
  const config = normalizeConfig(valid, { baseDir: '/srv/gateway', env: {} });
  assert.equal(config.port, 4000);
  assert.equal(config.graphqlEndpoint, '/graphql');
  assert.deepEqual(config.sources[0], {
    name: 'users',
    kind: 'graphql',
    url: 'http://users:4001/graphql',
    schemaPath: '/srv/gateway/schemas/users.graphql',
    schemaFrom: 'file',
    timeout: 10_000,
    forwardHeaders: [],
    headers: {},
    connections: 64,
    maxResponseBytes: 10_485_760,
    batch: true,
    maxBatchSize: 100,
    httpCache: true,
    dedupeInFlight: true,
    retries: { attempts: 2, budgetPercent: 20, backoff: 50, maxBackoff: 1_000, attemptTimeout: 10_000 },
    breaker: false,
    loadBalancing: 'least-request',
    healthCheck: false,
    outlierDetection: { consecutiveFailures: 5, baseEjectionTime: 30_000, maxEjectionTime: 300_000, maxEjectionPercent: 50 },
  });
});

test('environment variables fill ${NAME} and ${NAME:-default}; PORT wins over port', () => {
  const raw = { port: 8080, sources: { users: { kind: 'graphql', url: '${USERS_URL:-http://localhost:4001/graphql}', headers: { 'x-key': '${KEY}' } } } };
  const config = normalizeConfig(raw, { env: { KEY: 's3cret', PORT: '9000' } });
  assert.equal(config.port, 9000);
  assert.equal(config.sources[0]?.url, 'http://localhost:4001/graphql');
  assert.deepEqual(config.sources[0]?.headers, { 'x-key': 's3cret' });
  assert.equal(normalizeConfig(raw, { env: { KEY: 'k', USERS_URL: 'https://users.internal/graphql' } }).sources[0]?.url, 'https://users.internal/graphql');
});

test('every mistake is reported at once, naming the key, the bad value and what was expected', () => {
  const problems = problemsOf({
    prot: 4000,
    graphqlEndpoint: 'graphql',
    graphiql: { defaultVariables: '{id: 1}' },
    sources: {
      users: { kind: 'grapql', url: 'http://users/graphql', timout: 5 },
      orders: { kind: 'rest', url: 'ftp://orders', timeout: -1, forwardHeaders: 'authorization' },
      '1bad': { kind: 'rest', url: 'http://x' },
    },
  });
  assert.deepEqual(problems, [
    'config.prot: unknown option; expected one of port, host, schemasDir, graphqlEndpoint, graphiql, shutdownTimeout, operationTimeout, maxRequestBytes, headersTimeout, requestTimeout, queryPlanner, sources, supergraph, authentication, consumers, network, authorization, identity, limits, trustedDocuments, tls, redis, rateLimits, responseCache, logging, metrics, tracing, statusPage, admin, registry, clients, defaultClient, routes',
    'config.graphiql.defaultVariables: expected JSON text, got "{id: 1}"',
    'config.sources.users.timout: unknown option; expected one of kind, url, schema, timeout, forwardHeaders, headers, connections, maxResponseBytes, schemaFrom, batch, maxBatchSize, tls, httpCache, dedupeInFlight, retries, breaker, versions, versionOverride, mirror, discovery, urls, loadBalancing, healthCheck, outlierDetection',
    'config.sources.users.kind: expected one of "graphql", "rest", "federation", got "grapql"',
    'config.sources.orders.url: expected an http:// or https:// URL, got "ftp://orders"',
    'config.sources.orders.timeout: expected an integer from 1 to 600000, got -1',
    'config.sources.orders.forwardHeaders: expected a list of non-empty strings, got "authorization"',
    'config.sources.1bad: expected a name of letters, digits, - and _ starting with a letter, got "1bad"',
    'config.graphqlEndpoint: expected a path starting with "/", got "graphql"',
  ]);
});

test('a missing environment variable without a default names the key', () => {
  assert.deepEqual(problemsOf({ sources: { users: { kind: 'graphql', url: '${USERS_URL}' } } }), [
    'config.sources.users.url: environment variable USERS_URL is not set and "${USERS_URL}" gives no default (write ${USERS_URL:-default})',
  ]);
});

test('no sources, a bad PORT, and a rest source set to introspection', () => {
  assert.deepEqual(problemsOf({ sources: {} }), ['config.sources: expected an object with at least one source, got {}']);
  assert.deepEqual(problemsOf(valid, { PORT: 'eighty' }), ['config.port: expected an integer from 0 to 65535, got "eighty" (from PORT)']);
  assert.deepEqual(problemsOf({ sources: { orders: { kind: 'rest', url: 'http://orders', schemaFrom: 'introspection' } } }), [
    'config.sources.orders.schemaFrom: expected "file" for a rest source (its GraphQL face is the registered SDL), got "introspection"',
  ]);
});
