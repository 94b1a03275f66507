import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse, print } from 'graphql';
import type { Consumer } from '../src/auth/consumer.ts';
import { ConfigError } from '../src/config/config-error.ts';
import { normalizeConfig } from '../src/config/normalize-config.ts';
import { useResponseCache } from '../src/plugins/use-response-cache.ts';
import { collectCacheHints } from '../src/response-cache/cache-hints.ts';
import { audienceOf, cacheKey, canonicalJson } from '../src/response-cache/cache-key.ts';
import { computeCachePolicy, type CallerRules } from '../src/response-cache/cache-policy.ts';
import { takeEntities, withEntityFields } from '../src/response-cache/entity-fields.ts';
import { matchesIfNoneMatch } from '../src/response-cache/http-caching.ts';
import { parsePurge } from '../src/response-cache/purge-endpoint.ts';
import { buildSourceSchema, compositionDirectives } from '../src/sources/build-source-schema.ts';
import type { LoadedSource } from '../src/sources/loaded-source.ts';

const sources = { users: { kind: 'graphql', url: 'http://users:4001/graphql' } };
const normalize = (responseCache: unknown, extra: Record<string, unknown> = {}) =>
  normalizeConfig({ sources, responseCache, ...extra }, { baseDir: '/srv', env: {} }).responseCache;

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

test('responseCache is off by default, with a 50 MB memory bound and only hinted responses cached', () => {
  assert.deepEqual(normalize(undefined), {
    enabled: false,
    maxBytes: 52_428_800,
    defaultMaxAge: 0,
    ttlPerType: new Map(),
    ttlPerCoordinate: new Map(),
    includeExtensionMetadata: false,
    purge: { path: '/_concierge/cache', scope: 'cache:purge' },
  });
  const set = normalize({
    enabled: true,
    store: 'memory',
    ttlPerType: { Product: 300 },
    ttlPerCoordinate: { 'Query.products': 0 },
    purge: { path: '/admin/cache' },
  });
  assert.deepEqual(
    [set.store, set.ttlPerType.get('Product'), set.ttlPerCoordinate.get('Query.products'), set.purge],
    ['memory', 300, 0, { path: '/admin/cache', scope: 'cache:purge' }],
  );
});

test('every responseCache mistake is reported with the key, the value and what was expected', () => {
  const problems = problemsOf(() =>
    normalize({
      enabled: 'yes',
      store: 'disk',
      maxBytes: 10,
      defaultMaxAge: -1,
      ttl: 5,
      includeExtensionMetadata: 1,
      ttlPerType: { 'Bad-Name': 5, Product: '1m' },
      ttlPerCoordinate: { Query: 3 },
      purge: { path: 'cache', scope: '' },
    }),
  );
  assert.deepEqual(problems, [
    'config.responseCache.ttl: unknown option; expected one of enabled, store, maxBytes, defaultMaxAge, ttlPerType, ttlPerCoordinate, includeExtensionMetadata, purge',
    'config.responseCache.enabled: expected true or false, got "yes"',
    'config.responseCache.store: expected one of "memory", "redis", got "disk"',
    'config.responseCache.maxBytes: expected an integer from 1024 to 17179869184, got 10',
    'config.responseCache.defaultMaxAge: expected an integer from 0 to 31536000, got -1',
    'config.responseCache.ttlPerType.Bad-Name: expected a type name such as "Product", got "Bad-Name"',
    'config.responseCache.ttlPerType.Product: expected an integer from 0 to 31536000, got "1m"',
    'config.responseCache.ttlPerCoordinate.Query: expected a field coordinate such as "Query.products", got "Query"',
    'config.responseCache.includeExtensionMetadata: expected true or false, got 1',
    'config.responseCache.purge.path: expected a path starting with "/", got "cache"',
    'config.responseCache.purge.scope: expected a non-empty string, got ""',
  ]);
  assert.deepEqual(
    problemsOf(() => normalize(true)),
    ['config.responseCache: expected an object such as { enabled: true }, got true'],
  );
});

const sdl = /* GraphQL */ `
  type Catalog @cacheControl(maxAge: 60) { name: String price: Float @cacheControl(maxAge: 10) featured: Product stock: Stock related: Catalog @cacheControl(inheritMaxAge: true) }
  type Product @cacheControl(maxAge: 120) { id: ID! name: String }
  type Stock { count: Int }
  type User @cacheControl(scope: PRIVATE) { id: ID! name: String }
  union Result = Product | Catalog
  type Query { catalog: Catalog version: String me: User @cacheControl(maxAge: 30) search: [Result!]! }
  type Mutation { rename(id: ID!, name: String!): Product }
`;
const schema = buildSourceSchema(sdl, 'catalog.graphql', [compositionDirectives]);
const source = { name: 'catalog', subschema: { schema } } as unknown as LoadedSource;
const noRules: CallerRules = { byStanding: () => false, byPolicy: () => false };

function policyOf(query: string, options: { defaultMaxAge?: number; ttlPerType?: Record<string, number>; operationName?: string; rules?: CallerRules } = {}) {
  const { hints } = collectCacheHints([source], { ttlPerType: new Map(Object.entries(options.ttlPerType ?? {})), ttlPerCoordinate: new Map() });
  return computeCachePolicy(schema, parse(query), options.operationName, hints, options.defaultMaxAge ?? 0, options.rules ?? noRules);
}

test("the policy follows Apollo's rules: objects and root fields take a hint or the default, scalars inherit, the shortest wins", () => {
  const cases: Array<[string, Parameters<typeof policyOf>[1], number, string]> = [
    ['{ catalog { name } }', {}, 60, 'a scalar inherits its parent'],
    ['{ catalog { name price } }', {}, 10, 'a hinted scalar restricts'],
    ['{ catalog { featured { name } } }', {}, 60, 'the shortest of 60 and 120'],
    ['{ catalog { stock { count } } }', {}, 0, 'an object without a hint takes defaultMaxAge'],
    ['{ catalog { stock { count } } }', { defaultMaxAge: 300 }, 60, 'defaultMaxAge is a default, not a floor'],
    ['{ catalog { related { name } } }', {}, 60, 'inheritMaxAge keeps the parent maxAge'],
    ['{ version }', {}, 0, 'a root scalar takes defaultMaxAge'],
    ['{ version }', { defaultMaxAge: 300 }, 300, 'a root scalar takes defaultMaxAge'],
    ['{ search { ... on Product { name } } }', {}, 60, 'a union without a hint takes the shortest of its members'],
    ['query A { version } query B { catalog { name } }', { operationName: 'B' }, 60, 'only the executed operation counts'],
    ['{ ...F } fragment F on Query { catalog { price } }', {}, 10, 'fragments count'],
    ['{ catalog { name } }', { ttlPerType: { Catalog: 5 } }, 5, 'ttlPerType replaces the hint'],
  ];
  for (const [query, options, maxAge, why] of cases) assert.equal(policyOf(query, options).maxAge, maxAge, `${query}: ${why}`);
  assert.deepEqual(policyOf('{ me { name } }'), { maxAge: 30, scope: 'PRIVATE', callerDependent: false });
  assert.equal(policyOf('{ catalog { name } me { id } }').scope, 'PRIVATE', 'one PRIVATE field makes the response PRIVATE');
  const rules: CallerRules = { byStanding: (coordinate) => coordinate === 'Catalog.price', byPolicy: (coordinate) => coordinate === 'Catalog.stock' };
  assert.deepEqual(policyOf('{ catalog { price } }', { rules }), { maxAge: 10, scope: 'PUBLIC', callerDependent: true });
  assert.equal(
    policyOf('{ catalog { stock { count } } }', { rules, defaultMaxAge: 5 }).scope,
    'PRIVATE',
    'a @policy field may answer any two callers differently',
  );
});

test('the key separates callers exactly as far as the answer may differ', () => {
  const consumer = (id: string, scopes: string[], sub?: string): Consumer => ({
    id,
    via: sub ? 'jwt+api-key' : 'api-key',
    scopes,
    introspection: false,
    ...(sub ? { claims: { sub } } : {}),
  });
  const privatePolicy = { maxAge: 30, scope: 'PRIVATE', callerDependent: false } as const;
  assert.equal(audienceOf(privatePolicy, undefined), undefined, 'no PRIVATE entry for anonymous callers');
  assert.notEqual(audienceOf(privatePolicy, consumer('app', [], 'user-1')), audienceOf(privatePolicy, consumer('app', [], 'user-2')), 'one API key, two users');
  const publicPolicy = { maxAge: 30, scope: 'PUBLIC', callerDependent: false } as const;
  assert.equal(audienceOf(publicPolicy, consumer('a', ['x'])), audienceOf(publicPolicy, undefined));
  const governed = { ...publicPolicy, callerDependent: true };
  assert.equal(audienceOf(governed, consumer('a', ['x', 'y'])), audienceOf(governed, consumer('b', ['y', 'x'])), 'same scopes, same fields allowed');
  assert.notEqual(audienceOf(governed, consumer('a', ['x'])), audienceOf(governed, consumer('b', [])));
  assert.notEqual(audienceOf(governed, consumer('a', [])), audienceOf(governed, undefined), 'authenticated or not');

  assert.equal(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 1 }], c: null, u: undefined } }), '{"a":{"c":null,"d":[1,{"e":1,"f":2}]},"b":1}');
  const key = (variables: unknown) => cacheKey({ document: '{ a }', operationName: undefined, variables, audience: 'public', headers: [] });
  assert.equal(key({ x: 1, y: 2 }), key({ y: 2, x: 1 }));
  assert.notEqual(key({ x: 1 }), key({ x: 2 }));
  assert.match(key({}), /^[0-9a-f]{64}$/);
});

test('the gateway asks for __typename and id where the client did not, and takes them out of the result', () => {
  const document = withEntityFields(schema, parse('mutation { rename(id: "1", name: "x") { name } }'));
  assert.equal(print(document), 'mutation {\n  rename(id: "1", name: "x") {\n    name\n    concierge__typename: __typename\n    concierge__id: id\n  }\n}');
  assert.match(
    print(withEntityFields(schema, parse('{ search { ... on Catalog { name } } }'))),
    /concierge__typename: __typename\s+\.\.\. on Product \{\s+concierge__id: id/,
  );
  const data = {
    catalog: { name: 'c', concierge__typename: 'Catalog', featured: { id: '7', concierge__typename: 'Product' } },
    list: [{ concierge__typename: 'Product', concierge__id: 8 }],
  };
  assert.deepEqual(takeEntities(schema, data), { entities: new Set(['Product:7', 'Product:8']), types: new Set(['Catalog', 'Product']) });
  assert.deepEqual(data, { catalog: { name: 'c', featured: { id: '7' } }, list: [{}] });
});

test('If-None-Match, purge bodies, and the store needing a redis', () => {
  assert.equal(matchesIfNoneMatch('W/"abc", "def"', '"abc"'), true, 'weak comparison');
  assert.equal(matchesIfNoneMatch('*', '"abc"'), true);
  assert.equal(matchesIfNoneMatch('"abd"', '"abc"'), false);
  assert.deepEqual(
    ['{"all":true}', '{"type":"Product"}', '{"type":"Product","id":7}', '{"all":false}', '{"id":"7"}', '{"type":"Pro duct"}', 'nope'].map(parsePurge),
    [{ all: true }, { type: 'Product' }, { type: 'Product', id: '7' }, undefined, undefined, undefined, undefined],
  );
  assert.deepEqual(
    problemsOf(() =>
      useResponseCache(normalize({ enabled: true, store: 'redis', ttlPerType: { Prodcut: 5 }, ttlPerCoordinate: { 'Query.nope': 5 } }), undefined, [source]),
    ),
    [
      'config.responseCache.store: expected a top-level redis: { url } for the "redis" store, found none',
      'config.responseCache.ttlPerType.Prodcut: expected a type of the registered schemas, found none',
      'config.responseCache.ttlPerCoordinate.Query.nope: expected a field of the registered schemas, found none',
    ],
  );
});
