import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../src/config/config-error.ts';
import { normalizeConfig } from '../src/config/normalize-config.ts';

const orders = (extra: Record<string, unknown>) => ({ sources: { orders: { kind: 'graphql', url: 'http://orders:4002/graphql', ...extra } } });
const normalized = (extra: Record<string, unknown>) => normalizeConfig(orders(extra), { baseDir: '/srv/gateway', env: {} }).sources[0];

function problemsOf(extra: Record<string, unknown>): readonly string[] {
  try {
    normalizeConfig(orders(extra), { baseDir: '/srv/gateway', env: {} });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

test('a source without versions or mirror has neither', () => {
  const source = normalized({});
  assert.equal(source?.versions, undefined);
  assert.equal(source?.mirror, undefined);
});

test('versions: url or urls, weight, headers and timeout; overrides by scope by default', () => {
  const source = normalized({
    versions: {
      v2: { url: 'http://orders-v2:4002/graphql/', weight: 10, headers: { 'x-canary': '1' } },
      v3: { urls: ['http://a:1/graphql', { url: 'http://b:1/graphql', weight: 3 }], weight: 5, timeout: 500 },
    },
  });
  assert.deepEqual(source?.versions, {
    versions: [
      { name: 'v2', weight: 10, instances: [{ url: 'http://orders-v2:4002/graphql', weight: 1 }], headers: { 'x-canary': '1' } },
      {
        name: 'v3',
        weight: 5,
        instances: [
          { url: 'http://a:1/graphql', weight: 1 },
          { url: 'http://b:1/graphql', weight: 3 },
        ],
        headers: {},
        timeout: 500,
      },
    ],
    override: { header: 'concierge-version', cookie: 'concierge-version', scope: 'version:override' },
  });
});

test('versionOverride: true for anyone, false for nobody, or its own header, cookie and scope', () => {
  assert.deepEqual(normalized({ versions: { v2: { url: 'http://v2:1', weight: 1 } }, versionOverride: true })?.versions?.override, {
    header: 'concierge-version',
    cookie: 'concierge-version',
  });
  assert.equal(normalized({ versions: { v2: { url: 'http://v2:1', weight: 1 } }, versionOverride: false })?.versions?.override, false);
  assert.deepEqual(
    normalized({ versions: { v2: { url: 'http://v2:1', weight: 1 } }, versionOverride: { header: 'X-Version', cookie: false, scope: 'qa' } })?.versions
      ?.override,
    { header: 'x-version', scope: 'qa' },
  );
  assert.deepEqual(normalized({ versions: { v2: { url: 'http://v2:1', weight: 1 } }, versionOverride: { scope: false } })?.versions?.override, {
    header: 'concierge-version',
    cookie: 'concierge-version',
  });
});

test('version mistakes name the key, the value and what is expected', () => {
  assert.deepEqual(problemsOf({ versions: { v2: { url: 'http://v2:1', weight: 60 }, v3: { url: 'http://v3:1', weight: 50 } } }), [
    'config.sources.orders.versions: expected weights adding up to at most 100 (percent of the callers; the "stable" version gets the rest), got 110 (the sum of v2 60, v3 50)',
  ]);
  assert.deepEqual(problemsOf({ versions: { v2: { url: 'http://v2:1', weight: 10.5 } } }), [
    'config.sources.orders.versions.v2.weight: expected an integer from 0 to 100, got 10.5 (percent of the callers)',
  ]);
  assert.deepEqual(problemsOf({ versions: { v2: { url: 'http://v2:1' } } }), [
    'config.sources.orders.versions.v2.weight: expected an integer from 0 to 100, got nothing (percent of the callers)',
  ]);
  assert.deepEqual(problemsOf({ versions: { stable: { url: 'http://v2:1', weight: 1 } } }), [
    'config.sources.orders.versions.stable: expected a name other than "stable" (the source\'s own url is the stable version), got "stable"',
  ]);
  assert.deepEqual(problemsOf({ versions: { v2: { url: 'http://v2:1', urls: ['http://v2:2'], weight: 1 } } }), [
    'config.sources.orders.versions.v2.urls: expected no urls beside url (one or the other), got ["http://v2:2"]',
  ]);
  assert.deepEqual(problemsOf({ versions: { v2: { url: 'ftp://v2', weight: 1, tiemout: 3 } } }), [
    'config.sources.orders.versions.v2.tiemout: unknown option; expected one of url, urls, weight, headers, timeout',
    'config.sources.orders.versions.v2.url: expected an http:// or https:// URL, got "ftp://v2"',
  ]);
  assert.deepEqual(problemsOf({ versions: {} }), [
    "config.sources.orders.versions: expected an object of versions by name, such as { v2: { url: 'http://orders-v2:4002', weight: 10 } }, got {}",
  ]);
  assert.deepEqual(problemsOf({ versionOverride: true }), ['config.sources.orders.versionOverride: expected no versionOverride without versions, got true']);
  assert.deepEqual(problemsOf({ versions: { v2: { url: 'http://v2:1', weight: 1 } }, versionOverride: { header: '' } }), [
    'config.sources.orders.versionOverride.header: expected a non-empty string, got ""',
  ]);
});

test('mirror: defaults, and every option', () => {
  assert.deepEqual(normalized({ timeout: 3000, mirror: { url: 'http://next:4002/graphql' } })?.mirror, {
    instances: [{ url: 'http://next:4002/graphql', weight: 1 }],
    percent: 100,
    mutations: false,
    timeout: 3000,
    maxInFlight: 100,
    compare: true,
    ignore: [['extensions']],
    logEvery: 100,
    headers: {},
  });
  assert.deepEqual(
    normalized({
      mirror: {
        urls: ['http://next:1'],
        percent: 10,
        mutations: true,
        timeout: '5s',
        maxInFlight: 5,
        compare: false,
        ignore: ['data.orders.*.at'],
        logEvery: 1,
        headers: { 'x-shadow': '1' },
      },
    })?.mirror,
    {
      instances: [{ url: 'http://next:1', weight: 1 }],
      percent: 10,
      mutations: true,
      timeout: 5000,
      maxInFlight: 5,
      compare: false,
      ignore: [['data', 'orders', '*', 'at']],
      logEvery: 1,
      headers: { 'x-shadow': '1' },
    },
  );
  assert.equal(normalized({ mirror: false })?.mirror, undefined);
});

test('mirror mistakes name the key', () => {
  assert.deepEqual(problemsOf({ mirror: { url: 'http://next:1', percent: 101, maxInFlight: 0, timeout: 'soon', mutatoins: true } }), [
    'config.sources.orders.mirror.mutatoins: unknown option; expected one of url, urls, percent, mutations, timeout, maxInFlight, compare, ignore, logEvery, headers',
    'config.sources.orders.mirror.percent: expected an integer from 0 to 100, got 101 (percent of the reading calls)',
    'config.sources.orders.mirror.timeout: expected a duration such as "500ms" or "10s", or a number of milliseconds, from 1 to 600000 ms, got "soon"',
    'config.sources.orders.mirror.maxInFlight: expected an integer from 1 to 100000, got 0',
  ]);
  assert.deepEqual(problemsOf({ mirror: 'http://next:1' }), [
    'config.sources.orders.mirror: expected false or an object such as { url: \'http://orders-next:4002\', percent: 10 }, got "http://next:1"',
  ]);
  assert.deepEqual(problemsOf({ mirror: {} }), ['config.sources.orders.mirror.url: expected an http:// or https:// URL, got nothing']);
});
