import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../src/config/config-error.ts';
import { normalizeConfig } from '../src/config/normalize-config.ts';
import { createMinuteWindow, quantile } from '../src/observability/metrics-window.ts';
import { upstreamOutcome } from '../src/observability/metrics-labels.ts';
import { gatewayError } from '../src/errors.ts';

const sources = { users: { kind: 'graphql', url: 'http://users:4001/graphql' } };

function problemsOf(raw: Record<string, unknown>): readonly string[] {
  try {
    normalizeConfig({ sources, ...raw }, { baseDir: '/srv/gateway', env: {} });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

test('metrics, the status page, and admin surfaces for loopback callers only by default', () => {
  const { admin, ...metrics } = normalizeConfig({ sources }, { env: {} }).metrics;
  assert.deepEqual(metrics, {
    enabled: true,
    path: '/metrics',
    prefix: 'concierge_',
    collectProcessMetrics: true,
    operationNames: 'persisted',
    statusPage: { enabled: true, path: '/_concierge' },
  });
  assert.equal(admin.key, undefined);
  assert.equal(admin.loopbackOnly, true, 'no admin key: loopback callers only');
  assert.deepEqual(
    ['127.0.0.1', '127.8.9.10', '10.0.0.1', '0.0.0.0'].map((address) => admin.ipAllow?.check(address, 'ipv4')),
    [true, true, false, false],
  );
  assert.equal(admin.ipAllow?.check('::1', 'ipv6'), true);
  const hash = 'AB'.repeat(32);
  const config = normalizeConfig(
    { sources, metrics: { port: 9464, operationNames: ['OrderHistory'], prefix: '' }, admin: { keyHash: hash, header: 'X-Ops-Key' } },
    { env: {} },
  );
  assert.equal(config.metrics.port, 9464);
  assert.deepEqual(config.metrics.operationNames, ['OrderHistory']);
  assert.equal(config.metrics.prefix, '');
  assert.deepEqual(
    config.metrics.admin,
    { key: { keyHash: hash.toLowerCase(), header: 'x-ops-key' }, loopbackOnly: false },
    'with a key, any address that the network rules admit',
  );
  const scraper = normalizeConfig({ sources, admin: { ipAllow: ['10.0.0.0/8'] } }, { env: {} }).metrics.admin;
  assert.equal(scraper.loopbackOnly, false);
  assert.equal(scraper.key, undefined);
  assert.equal(scraper.ipAllow?.check('10.1.2.3', 'ipv4'), true);
  assert.equal(scraper.ipAllow?.check('127.0.0.1', 'ipv4'), false);
});

test('every mistake in metrics, statusPage and admin is reported, the admin key never shown', () => {
  assert.deepEqual(
    problemsOf({
      metrics: { enabled: 'yes', path: 'metrics', port: 70000, prefix: '9x', operationNames: ['Order History'], extra: 1 },
      statusPage: { path: '/status', enabled: 1 },
      admin: { keyHash: 'my-secret-admin-key', header: 'x admin', ipAllow: ['10.0.0.0/33'] },
    }),
    [
      'config.metrics.extra: unknown option; expected one of enabled, path, port, prefix, collectProcessMetrics, operationNames',
      'config.metrics.enabled: expected true or false, got "yes"',
      'config.metrics.path: expected a path starting with "/", got "metrics"',
      'config.metrics.port: expected an integer from 1 to 65535, got 70000',
      'config.metrics.prefix: expected letters, digits, _ and : not starting with a digit (a Prometheus metric name prefix), got "9x"',
      'config.metrics.operationNames: expected "persisted", "none" or a list of operation names, got ["Order History"]',
      'config.statusPage.enabled: expected true or false, got 1',
      'config.admin.keyHash: expected the hex SHA-256 of the admin key (64 hex digits, e.g. printf %s "$KEY" | sha256sum), got 19 characters (not shown: it may be the key itself)',
      'config.admin.header: expected a header name of letters, digits and !#$%&\'*+.^_`|~-, got "x admin"',
      'config.admin.ipAllow[0]: expected an IPv4 or IPv6 address, or a CIDR range such as "10.0.0.0/8", got "10.0.0.0/33"',
    ],
  );
  assert.deepEqual(problemsOf({ metrics: { path: '/_concierge' } }), [
    'config.metrics.path: expected a path the status page does not use, got "/_concierge" (config.statusPage.path is "/_concierge")',
  ]);
  assert.deepEqual(problemsOf({ admin: 'secret' }), ['config.admin: expected an object with keyHash, header or ipAllow, got "secret"']);
});

test("the window's p95 is Prometheus's histogram_quantile, over the last five minutes only", () => {
  const bounds = [0.01, 0.1, 1];
  // 100 observations: 90 in (0, 0.01], 10 in (0.01, 0.1]; the 95th is halfway through the second bucket.
  assert.ok(Math.abs(quantile(0.95, [90, 10, 0, 0], bounds) - 0.055) < 1e-9);
  assert.equal(quantile(0.95, [0, 0, 0, 3], bounds), 1, 'past the last bound: the last bound');
  const start = Date.UTC(2030, 0, 1, 12, 0, 0);
  const window = createMinuteWindow(bounds, 5, start);
  window.record('users', 0.005, false, start);
  window.record('users', 0.05, true, start + 30_000);
  let summary = window.summarize(start + 60_000);
  assert.deepEqual(
    { ...summary.byKey.get('users'), p95Seconds: undefined },
    { count: 2, failed: 1, ratePerSecond: 2 / 60, errorRate: 0.5, p95Seconds: undefined },
  );
  window.record('orders', 0.5, false, start + 5 * 60_000);
  summary = window.summarize(start + 5 * 60_000);
  assert.equal(summary.byKey.get('users'), undefined, 'minute 0 left the window');
  assert.equal(summary.total.count, 1);
});

test('upstream outcomes: the status class, else timeout, unreachable or error', () => {
  assert.equal(upstreamOutcome({ status: 204, durationMs: 1 }), '2xx');
  assert.equal(upstreamOutcome({ status: 503, durationMs: 1 }), '5xx');
  assert.equal(upstreamOutcome({ error: gatewayError('GATEWAY_TIMEOUT', 'late', { rejectsRequest: false }), durationMs: 1 }), 'timeout');
  assert.equal(upstreamOutcome({ error: gatewayError('DOWNSTREAM_SERVICE_ERROR', 'down', { rejectsRequest: false }), durationMs: 1 }), 'unreachable');
  assert.equal(
    upstreamOutcome({
      error: gatewayError('DOWNSTREAM_SERVICE_ERROR', 'not JSON', { rejectsRequest: false, extensions: { upstreamStatus: 200 } }),
      durationMs: 1,
    }),
    'error',
  );
  assert.equal(upstreamOutcome({ error: new Error('socket hang up'), durationMs: 1 }), 'error');
});
