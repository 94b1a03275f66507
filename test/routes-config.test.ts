import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../src/config/config-error.ts';
import { normalizeConfig } from '../src/config/normalize-config.ts';
import { upstreamPathOf } from '../src/routes/route-pattern.ts';
import { matchRoute } from '../src/routes/use-routes.ts';

const sources = {
  orders: { kind: 'rest', url: 'http://orders:4002' },
  users: { kind: 'graphql', url: 'http://users:4001/graphql' },
  reviews: { kind: 'federation', url: 'http://reviews:4007/graphql' },
};

function configWith(routes: unknown, extra: Record<string, unknown> = {}) {
  return normalizeConfig({ sources, routes, ...extra }, { env: {} });
}

function problemsOf(routes: unknown, extra: Record<string, unknown> = {}): readonly string[] {
  try {
    configWith(routes, extra);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

test('routes: defaults filled in, most specific pattern first', () => {
  const { routes } = configWith({
    '/api/orders/*': { source: 'orders' },
    '/api/orders/:id': { source: 'orders', methods: ['get', 'DELETE'], timeout: '2s', rateLimit: { max: 5 } },
    '/api/orders/export': { source: 'users', authentication: 'optional', scopes: ['orders:export'], maxBodyBytes: 0 },
  });

  assert.deepEqual(
    routes.map((route) => route.pattern.text),
    ['/api/orders/export', '/api/orders/:id', '/api/orders/*'],
  );
  const [exported, byId, prefix] = routes;
  assert.deepEqual(
    { ...prefix, pattern: undefined },
    { pattern: undefined, source: 'orders', methods: ['GET', 'HEAD'], stripPrefix: false, scopes: [], maxBodyBytes: 10_485_760 },
  );
  assert.deepEqual([byId?.methods, byId?.timeout, byId?.rateLimit], [['GET', 'DELETE', 'HEAD'], 2000, { max: 5, windowMs: 60_000 }]);
  assert.deepEqual([exported?.authentication, exported?.scopes, exported?.maxBodyBytes], ['optional', ['orders:export'], 0]);
  assert.deepEqual(configWith(undefined).routes, []);
});

test('routes: a path finds its most specific route; the path sent follows stripPrefix and rewrite', () => {
  const { routes } = configWith({
    '/api/orders/*': { source: 'orders' },
    '/api/users/:id/orders/*': { source: 'orders', rewrite: '/users/:id/orders/*' },
    '/api/status': { source: 'users' },
  });

  const matched = (pathname: string) => matchRoute(routes, pathname);
  assert.deepEqual(
    [
      matched('/api/orders')?.rest,
      matched('/api/orders/7/items')?.rest,
      matched('/api/ordersx'),
      matched('/api/status/')?.route.source,
      matched('/api/status/x'),
    ],
    ['', '/7/items', undefined, 'users', undefined],
  );
  const nested = matched('/api/users/u1/orders/7');
  assert.deepEqual([nested?.route.pattern.text, nested?.params], ['/api/users/:id/orders/*', { id: 'u1' }]);
  assert.ok(nested);
  assert.equal(upstreamPathOf('/api/users/u1/orders/7', nested, { rewrite: '/users/:id/orders/*', stripPrefix: false }), '/users/u1/orders/7');
  const prefix = matched('/api/orders/7');
  assert.ok(prefix);
  assert.deepEqual(
    [
      upstreamPathOf('/api/orders/7', prefix, { stripPrefix: false }),
      upstreamPathOf('/api/orders/7', prefix, { stripPrefix: true }),
      upstreamPathOf('/api/orders', { params: {}, rest: '' }, { stripPrefix: true }),
    ],
    ['/api/orders/7', '/7', '/'],
  );
  // A client's dot segments are resolved before matching (by the URL parser), so they cannot climb out of a prefix.
  assert.equal(matched(new URL('http://gateway/api/orders/../status').pathname)?.route.source, 'users');
});

test('routes: every mistake is a start-up error naming the key, the bad value and what is expected', () => {
  assert.deepEqual(problemsOf('/api/*'), [
    "config.routes: expected an object of path patterns, e.g. { '/api/orders/*': { source: 'orders' } }, got \"/api/*\"",
  ]);
  assert.deepEqual(
    problemsOf({
      'api/orders': { source: 'orders' },
      '/api/a/*': { source: 'payments' },
      '/api/b/*': { source: 'reviews', methods: ['GET', 'FETCH'] },
      '/api/c/*': { source: 'orders', stripPrefix: true, rewrite: '/c/*', authentication: 'sometimes', timeout: '2 weeks' },
      '/api/d/*': { source: 'orders', rateLimit: { max: 0, window: 'soon' }, maxBodyBytes: -1, cache: true },
      '/api/e/*': 'orders',
    }),
    [
      'config.routes.api/orders: expected a path pattern such as "/api/orders/*", "/api/users/:id" or "/api/status" (segments, :name parameters, an optional final /*), got "api/orders"',
      'config.routes./api/a/*.source: expected the name of a rest or graphql source (orders, users, reviews), got "payments"',
      'config.routes./api/b/*.source: expected a rest or graphql source, not a federation one, got "reviews"',
      'config.routes./api/b/*.methods: expected methods among GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, got ["GET","FETCH"]',
      'config.routes./api/c/*.stripPrefix: expected no stripPrefix beside rewrite (rewrite already says the whole path), got true',
      'config.routes./api/c/*.authentication: expected one of "required", "optional", got "sometimes"',
      'config.routes./api/c/*.timeout: expected a duration such as "500ms" or "10s", or a number of milliseconds, from 1 to 600000 ms, got "2 weeks"',
      'config.routes./api/d/*.cache: unknown option; expected one of source, methods, stripPrefix, rewrite, authentication, scopes, timeout, maxBodyBytes, rateLimit',
      'config.routes./api/d/*.maxBodyBytes: expected an integer from 0 to 9007199254740991, got -1',
      'config.routes./api/d/*.rateLimit.max: expected an integer from 1 to 1000000000, got 0',
      'config.routes./api/d/*.rateLimit.window: expected a window such as "30s", "1m", "1h" or a number of milliseconds (at most 31 days), got "soon"',
      'config.routes./api/e/*: expected an object { source, methods, ... }, got "orders"',
    ],
  );
});

test("routes: a pattern that would take the gateway's own paths is refused at start-up", () => {
  assert.deepEqual(
    problemsOf(
      {
        '/*': { source: 'orders' },
        '/graphql': { source: 'orders' },
        '/:any': { source: 'orders' },
        '/_concierge/*': { source: 'orders' },
        '/ops/metrics': { source: 'orders' },
        '/readyz': { source: 'orders' },
      },
      { metrics: { path: '/ops/metrics' } },
    ),
    [
      "config.routes./*: expected a pattern that leaves the gateway's own paths alone, got one that matches /graphql",
      "config.routes./graphql: expected a pattern that leaves the gateway's own paths alone, got one that matches /graphql",
      "config.routes./:any: expected a pattern that leaves the gateway's own paths alone, got one that matches /graphql",
      "config.routes./_concierge/*: expected a pattern that leaves the gateway's own paths alone, got one that matches /_concierge",
      "config.routes./ops/metrics: expected a pattern that leaves the gateway's own paths alone, got one that matches /ops/metrics",
      "config.routes./readyz: expected a pattern that leaves the gateway's own paths alone, got one that matches /readyz",
    ],
  );
  // With sources from the registry, a route may name a service registered later.
  assert.equal(configWith({ '/api/later/*': { source: 'later' } }, { registry: { follow: true } }).routes[0]?.source, 'later');
});
