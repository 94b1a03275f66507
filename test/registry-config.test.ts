import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../src/config/config-error.ts';
import { normalizeConfig } from '../src/config/normalize-config.ts';

const sources = { users: { kind: 'graphql', url: 'http://users:4001/graphql' } };

function problemsOf(registry: unknown): readonly string[] {
  try {
    normalizeConfig({ sources, registry }, { baseDir: '/srv/gateway', env: {} });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

test('registry: the embedded store beside the config file by default, a week of usage; postgres by URL', () => {
  const registryOf = (registry: unknown, env: NodeJS.ProcessEnv = {}) => normalizeConfig({ sources, registry }, { baseDir: '/srv/gateway', env }).registry;
  const following = { follow: true, pollInterval: 2_000, usageFlushInterval: 60_000, publishTokens: {} };
  assert.deepEqual(registryOf(undefined), {
    store: 'embedded',
    directory: '/srv/gateway/.concierge/registry',
    usageWindow: 604_800_000,
    ...following,
    follow: false,
  });
  assert.deepEqual(registryOf({ directory: 'data/registry', usageWindow: '36h' }), {
    store: 'embedded',
    directory: '/srv/gateway/data/registry',
    usageWindow: 129_600_000,
    ...following,
  });
  assert.deepEqual(
    registryOf({ store: 'postgres', url: '${DATABASE_URL}', usageWindow: 86_400_000 }, { DATABASE_URL: 'postgres://registry@db:5432/concierge' }),
    {
      store: 'postgres',
      url: 'postgres://registry@db:5432/concierge',
      usageWindow: 86_400_000,
      ...following,
    },
  );
});

test('registry mistakes stop start-up naming the key, the value and what was expected', () => {
  assert.deepEqual(problemsOf('postgres://db'), [
    "config.registry: expected an object such as { store: 'embedded' } or { store: 'postgres', url: '${DATABASE_URL}' }, got \"postgres://db\"",
  ]);
  assert.deepEqual(problemsOf({ store: 'sqlite', dir: 'x' }), [
    'config.registry.dir: unknown option; expected one of store, url, directory, usageWindow, follow, pollInterval, usageFlushInterval, adminTokenHash, publishTokens',
    'config.registry.store: expected one of "embedded", "postgres", got "sqlite"',
  ]);
  assert.deepEqual(problemsOf({ store: 'postgres', url: 'mysql://db', directory: 'data', usageWindow: '2y' }), [
    'config.registry.usageWindow: expected a duration such as "7d" or "36h", or a number of milliseconds (at most a year), got "2y"',
    'config.registry.directory: expected no directory with store "postgres" (the server keeps the data), got "data"',
    'config.registry.url: expected a postgres:// or postgresql:// URL with store "postgres", got "mysql://db"',
  ]);
  assert.deepEqual(problemsOf({ store: 'postgres' }), ['config.registry.url: expected a postgres:// or postgresql:// URL with store "postgres", got nothing']);
  assert.deepEqual(problemsOf({ url: 'postgres://db/x', directory: '' }), [
    'config.registry.url: expected no url with store "embedded" (set store: "postgres" to use a server), got "postgres://db/x"',
    'config.registry.directory: expected a non-empty string, got ""',
  ]);
});

test('registry: the gateway options (follow, intervals, API tokens) are checked and defaulted; a following gateway needs no config source', () => {
  const digest = 'A'.repeat(64);
  const registry = normalizeConfig(
    { registry: { follow: true, pollInterval: '500ms', usageFlushInterval: 1_000, adminTokenHash: digest, publishTokens: { products: digest } } },
    { baseDir: '/srv/gateway', env: {} },
  ).registry;
  assert.deepEqual(
    [registry.follow, registry.pollInterval, registry.usageFlushInterval, registry.adminTokenHash, registry.publishTokens],
    [true, 500, 1_000, 'a'.repeat(64), { products: 'a'.repeat(64) }],
  );
  assert.deepEqual(problemsOf({ follow: 'yes', pollInterval: '10ms', usageFlushInterval: '2h', adminTokenHash: 'secret', publishTokens: { products: 42 } }), [
    'config.registry.publishTokens.products: expected the SHA-256 of a token as 64 hex digits (echo -n "$TOKEN" | sha256sum), got 42',
    'config.registry.adminTokenHash: expected the SHA-256 of a token as 64 hex digits (echo -n "$TOKEN" | sha256sum), got "secret"',
    'config.registry.follow: expected true or false, got "yes"',
    'config.registry.pollInterval: expected a duration such as "2s" or "1m", or a number of milliseconds, from 100 ms to an hour, got "10ms"',
    'config.registry.usageFlushInterval: expected a duration such as "2s" or "1m", or a number of milliseconds, from 100 ms to an hour, got "2h"',
  ]);
  assert.throws(
    () => normalizeConfig({ registry: { follow: false } }, { env: {} }),
    /config\.sources: expected an object with at least one source, got nothing/,
  );
});
