import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { test, type TestContext } from 'node:test';
import { buildSchema, graphql, type GraphQLSchema } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import { setConsumer, type Consumer } from '../src/auth/consumer.ts';
import { createChecker } from '../src/config/config-checker.ts';
import { introspectionAllowed } from '../src/limits/introspection-policy.ts';
import { batchingOption, normalizeLimitsOptions } from '../src/limits/limits-config.ts';
import { useOperationLimits } from '../src/plugins/use-operation-limits.ts';
import { json, startFixtureServer, type FixtureServer } from './helpers/fixture-server.ts';
import { postGraphQL, sendRaw, type GraphQLResponse } from './helpers/graphql-request.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';

const catalogSdl = /* GraphQL */ `
  type Product {
    id: ID!
    name: String!
    related: [Product!]! @listSize(assumedSize: 50)
    reviews(first: Int = 5): [Review!]! @listSize(slicingArguments: ["first"])
  }
  type Review { id: ID! body: String! }
  enum Order { NAME PRICE }
  type Query {
    product(id: ID!): Product
    products(first: Int, order: Order): [Product!]! @listSize(slicingArguments: ["first"])
    search(term: String!): [Product!]! @cost(weight: 20)
  }
`;

const product = (id: number): Record<string, unknown> => ({
  id: String(id),
  name: `Product ${id}`,
  related: () => [product(id + 1)],
  reviews: ({ first }: { first: number }) => Array.from({ length: first }, (_, index) => ({ id: `${id}-${index}`, body: 'Fine.' })),
});
const rootValue = {
  product: ({ id }: { id: string }) => product(Number(id)),
  products: ({ first }: { first: number }) => Array.from({ length: first }, (_, index) => product(index + 1)),
};

/** A catalog service answering real GraphQL (directives are the gateway's business). */
async function startCatalog(t: TestContext): Promise<FixtureServer> {
  const schema: GraphQLSchema = buildSchema(catalogSdl.replace(/@\w+\([^)]*\)/g, ''));
  return startFixtureServer(t, async (request, response) => {
    const { query, variables } = JSON.parse(request.body) as { query: string; variables?: Record<string, unknown> };
    json(response, 200, await graphql({ schema, source: query, variableValues: variables ?? null, rootValue }));
  });
}

async function startCatalogGateway(t: TestContext, extra: Record<string, unknown> = {}) {
  const catalog = await startCatalog(t);
  const gateway = await startTestGateway(t, { catalog: { kind: 'graphql', url: `${catalog.url}/graphql`, sdl: catalogSdl } }, extra);
  return { catalog, endpoint: gateway.endpoint };
}

/** Asserts a refusal: status, the exact messages and code, no data, and no call to the service. */
function assertRefused(response: GraphQLResponse, catalog: FixtureServer, messages: string[], code = 'GRAPHQL_VALIDATION_FAILED', status = 400): void {
  assert.equal(response.status, status, response.text);
  assert.deepEqual(
    response.body.errors?.map((error) => error.message),
    messages,
  );
  assert.ok(
    response.body.errors?.every((error) => error.extensions?.code === code),
    response.text,
  );
  assert.equal(response.body.data, undefined);
  assert.equal(catalog.requests.length, 0, 'the service received no request');
}

test('limits config: safe defaults, and every mistake names the key and the value', () => {
  const problems: string[] = [];
  const context = { check: createChecker(problems), baseDir: '.' };
  assert.deepEqual(normalizeLimitsOptions(undefined, context), {
    maxDepth: 12,
    maxAliases: 30,
    maxRootFields: 20,
    maxDirectives: 50,
    maxTokens: 5000,
    maxCost: 50000,
    defaultListSize: 10,
    maxBatchedOperations: 1,
    introspection: 'auto',
    fieldSuggestions: 'auto',
  });
  assert.deepEqual(batchingOption(normalizeLimitsOptions({ maxBatchedOperations: 5 }, context)), { limit: 5 });
  assert.equal(batchingOption(normalizeLimitsOptions({}, context)), false);
  assert.deepEqual(problems, []);
  normalizeLimitsOptions({ maxDepth: 0, maxCost: '10k', maxBatchedOperations: 5000, introspection: true, depth: 3 }, context);
  normalizeLimitsOptions(12, context);
  assert.deepEqual(problems, [
    'config.limits.depth: unknown option; expected one of maxDepth, maxAliases, maxRootFields, maxDirectives, maxTokens, maxCost, defaultListSize, maxBatchedOperations, introspection, fieldSuggestions',
    'config.limits.maxDepth: expected an integer from 1 to 1000, got 0',
    'config.limits.maxCost: expected an integer from 1 to 9007199254740991, got "10k"',
    'config.limits.maxBatchedOperations: expected an integer from 1 to 1000, got 5000',
    'config.limits.introspection: expected one of "auto", "on", "off", got true',
    'config.limits: expected an object, got 12',
  ]);
});

const nest = (depth: number): string => (depth === 0 ? 'id' : `related { ${nest(depth - 1)} }`);

test('document limits: depth, aliases, root fields, directives and tokens are refused before any call', async (t) => {
  const { catalog, endpoint } = await startCatalogGateway(t);
  const cases: Array<[string, string, string[]]> = [
    ['depth bomb', `{ product(id: "1") { ${nest(40)} } }`, ['Query depth 42 exceeds the limit of 12.']],
    [
      'alias bomb',
      `{ product(id: "1") { ${Array.from({ length: 1000 }, (_, index) => `a${index}: id`).join(' ')} } }`,
      ['Query alias count 1000 exceeds the limit of 30.'],
    ],
    [
      'root fields',
      `{ ${Array.from({ length: 25 }, (_, index) => `p${index}: product(id: "${index}") { id }`).join(' ')} }`,
      ['Query root field count 25 exceeds the limit of 20.'],
    ],
    ['directive bomb', `{ product(id: "1") { id ${'@a '.repeat(1000)} } }`, ['Query directive count 1000 exceeds the limit of 50.']],
    ['token bomb', `{ ${'__typename '.repeat(6000)} }`, ['Query token count exceeds the limit of 5000.']],
  ];
  for (const [name, query, messages] of cases) {
    await t.test(name, async () => assertRefused(await postGraphQL(endpoint, query), catalog, messages));
  }

  const legacy = await postGraphQL(endpoint, `{ product(id: "1") { ${nest(40)} } }`, undefined, { accept: 'application/json' });
  assert.equal(legacy.status, 200, 'application/json keeps 200 for validation errors, as graphql-js validation errors do');
  assert.equal(legacy.body.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
});

test('fragments: spreads are counted each time, and a cycle is a validation error, not a hang', async (t) => {
  const { catalog, endpoint } = await startCatalogGateway(t);
  const doubling = Array.from({ length: 12 }, (_, index) => `fragment F${index + 1} on Product { ...F${index} x: related { ...F${index} } }`).join('\n');
  const fanOut = await postGraphQL(endpoint, `{ product(id: "1") { ...F12 } } fragment F0 on Product { a: id } ${doubling}`);
  assertRefused(fanOut, catalog, ['Query depth 14 exceeds the limit of 12.', 'Query alias count 8191 exceeds the limit of 30.']);

  const cycle = await postGraphQL(
    endpoint,
    '{ product(id: "1") { ...A } } fragment A on Product { related { ...B } } fragment B on Product { related { ...A } }',
  );
  assertRefused(cycle, catalog, ['Cannot spread fragment "A" within itself via "B".']);
});

test('static cost: @listSize and @cost multiply, slicing arguments read variables, cheap queries pass', async (t) => {
  const { catalog, endpoint } = await startCatalogGateway(t, { limits: { maxCost: 10_000 } });
  const costly = (cost: number) =>
    `Operation cost ${cost} exceeds limits.maxCost (10000). Lists without @listSize or a slicing argument count as defaultListSize elements each.`;
  const bomb = await postGraphQL(endpoint, '{ products(first: 1000) { related { related { id } } } }');
  assertRefused(bomb, catalog, [costly(2551000)], 'COST_ESTIMATED_TOO_EXPENSIVE');
  const { requestId: _, ...extensions } = bomb.body.errors?.[0]?.extensions ?? {};
  assert.deepEqual(extensions, { code: 'COST_ESTIMATED_TOO_EXPENSIVE', 'cost.estimated': 2551000, 'cost.max': 10000 });
  assertRefused(
    await postGraphQL(endpoint, '{ search(term: "x") { related { related { name } } } }'),
    catalog,
    [costly(25700)],
    'COST_ESTIMATED_TOO_EXPENSIVE',
  );
  assertRefused(await postGraphQL(endpoint, '{ products { id } }'), catalog, [
    'Field "Query.products" must be given exactly one of its slicing arguments: first.',
  ]);

  const query = 'query Cheap($n: Int!) { products(first: $n) { id reviews(first: 2) { body } } }';
  const cheap = await postGraphQL(endpoint, query, { n: 3 });
  assert.equal(cheap.status, 200, cheap.text);
  assert.deepEqual(
    cheap.body.data?.products.map((item: { id: string; reviews: unknown[] }) => [item.id, item.reviews.length]),
    [
      ['1', 2],
      ['2', 2],
      ['3', 2],
    ],
  );
  const calls = catalog.requests.length;
  const tooMany = await postGraphQL(endpoint, query, { n: 5000 });
  assert.equal(tooMany.status, 400);
  assert.deepEqual(
    tooMany.body.errors?.map((error) => error.message),
    [costly(15000)],
  );
  assert.equal(catalog.requests.length, calls, 'the same document with costly variables reaches no service');
  assert.equal((await postGraphQL(endpoint, query, { n: 3 })).status, 200, 'and the cheap variables pass again');
});

test('batching: off by default; when on, a batch over the limit is refused without running any operation', async (t) => {
  const batch = (count: number) => JSON.stringify(Array.from({ length: count }, (_, index) => ({ query: `{ product(id: "${index}") { id } }` })));
  const init = (body: string): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body,
  });

  const off = await startCatalogGateway(t);
  assertRefused(await sendRaw(off.endpoint, init(batch(1000))), off.catalog, ['Batching is not supported.'], 'BAD_REQUEST');

  const on = await startCatalogGateway(t, { limits: { maxBatchedOperations: 10 } });
  assertRefused(await sendRaw(on.endpoint, init(batch(1000))), on.catalog, ['Batch of 1000 operations exceeds the limit of 10.'], 'BAD_REQUEST');
  const allowed = await sendRaw<unknown>(on.endpoint, init(batch(2)));
  assert.equal(allowed.status, 200, allowed.text);
  assert.deepEqual(JSON.parse(allowed.text), [{ data: { product: { id: '0' } } }, { data: { product: { id: '1' } } }]);
});

test('a body over maxRequestBytes is 413 whether it declares its length or is chunked; a chunked body under it works', async (t) => {
  const { catalog, endpoint } = await startCatalogGateway(t);
  const tenMegabytes = JSON.stringify({ query: `{ __typename }${' '.repeat(10 * 1024 * 1024)}` });
  const expected = (requestId: string | null) => ({
    errors: [{ message: 'Request body is larger than the limit of 1048576 bytes (maxRequestBytes).', extensions: { code: 'PAYLOAD_TOO_LARGE', requestId } }],
  });

  const declared = await sendRaw(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: tenMegabytes });
  assert.equal(declared.status, 413);
  assert.deepEqual(declared.body, expected(declared.headers.get('x-request-id')));

  const chunked = await postChunked(endpoint, tenMegabytes);
  assert.equal(chunked.status, 413);
  assert.deepEqual(JSON.parse(chunked.text), expected(chunked.headers.get('x-request-id')));
  assert.equal(catalog.requests.length, 0);

  const small = await postChunked(endpoint, JSON.stringify({ query: '{ product(id: "7") { name } }' }));
  assert.equal(small.status, 200, small.text);
  assert.deepEqual(JSON.parse(small.text), { data: { product: { name: 'Product 7' } } });
});

test('introspection off: __schema and __type are refused, __typename is not', async (t) => {
  const { catalog, endpoint } = await startCatalogGateway(t, { limits: { introspection: 'off' } });
  assertRefused(await postGraphQL(endpoint, '{ __schema { queryType { name } } }'), catalog, ['Introspection is disabled: the query selects "__schema".']);
  assertRefused(await postGraphQL(endpoint, '{ __type(name: "Product") { name } }'), catalog, ['Introspection is disabled: the query selects "__type".']);
  assert.deepEqual((await postGraphQL(endpoint, '{ __typename }')).body, { data: { __typename: 'Query' } });

  const on = await startCatalogGateway(t, { limits: { introspection: 'on' } });
  assert.deepEqual((await postGraphQL(on.endpoint, '{ __schema { queryType { name } } }')).body, { data: { __schema: { queryType: { name: 'Query' } } } });
});

test('introspection policy: auto is off in production, and a consumer allowed to introspect may where it is off', () => {
  const allowed: Consumer = { id: 'tools', via: 'api-key', scopes: [], introspection: true };
  const plain: Consumer = { ...allowed, id: 'app', introspection: false };
  assert.equal(introspectionAllowed('auto', undefined, false), true);
  assert.equal(introspectionAllowed('auto', undefined, true), false);
  assert.equal(introspectionAllowed('auto', plain, true), false);
  assert.equal(introspectionAllowed('auto', allowed, true), true);
  assert.equal(introspectionAllowed('off', allowed, false), true);
  assert.equal(introspectionAllowed('off', plain, false), false);
  assert.equal(introspectionAllowed('on', undefined, true), true);
});

test('introspection policy is decided per request: a cached validation result is never shared across consumers', async () => {
  const schema = buildSchema('type Query { hello: String }');
  const limits = normalizeLimitsOptions({ introspection: 'off' }, { check: createChecker([]), baseDir: '.' });
  const asConsumer: Plugin = {
    onRequest({ request }) {
      const name = request.headers.get('x-consumer');
      if (name) setConsumer(request, { id: name, via: 'api-key', scopes: [], introspection: name === 'tools' });
    },
  };
  const yoga = createYoga({ schema, logging: false, plugins: [asConsumer, useOperationLimits(limits, schema, [])] });
  const ask = async (consumer?: string) => {
    const response = await yoga.fetch('http://gateway/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(consumer ? { 'x-consumer': consumer } : {}) },
      body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
    });
    return (await response.json()) as { data?: unknown; errors?: Array<{ message: string }> };
  };
  assert.deepEqual(await ask('tools'), { data: { __schema: { queryType: { name: 'Query' } } } });
  assert.deepEqual(
    (await ask())?.errors?.map((error) => error.message),
    ['Introspection is disabled: the query selects "__schema".'],
  );
  assert.deepEqual(
    (await ask('app'))?.errors?.map((error) => error.message),
    ['Introspection is disabled: the query selects "__schema".'],
  );
  assert.deepEqual(await ask('tools'), { data: { __schema: { queryType: { name: 'Query' } } } });
});

test('field suggestions: hidden when off, shown when on', async (t) => {
  const hidden = await startCatalogGateway(t, { limits: { fieldSuggestions: 'off' } });
  const typo = '{ produts(first: 1) { id } }';
  assertRefused(await postGraphQL(hidden.endpoint, typo), hidden.catalog, ['Cannot query field "produts" on type "Query".']);
  const badArgument = await postGraphQL(hidden.endpoint, '{ product(ids: "1") { id } }');
  assert.deepEqual(
    badArgument.body.errors?.map((error) => error.message),
    ['Unknown argument "ids" on field "Query.product".', 'Field "product" argument "id" of type "ID!" is required, but it was not provided.'],
  );
  const badEnum = await postGraphQL(hidden.endpoint, 'query($o: Order) { products(first: 1, order: $o) { id } }', { o: 'NAMEE' });
  assertRefused(badEnum, hidden.catalog, ['Variable "$o" got invalid value "NAMEE"; Value "NAMEE" does not exist in "Order" enum.'], 'BAD_USER_INPUT');

  const shown = await startCatalogGateway(t, { limits: { fieldSuggestions: 'on' } });
  assert.deepEqual(
    (await postGraphQL(shown.endpoint, typo)).body.errors?.map((error) => error.message),
    ['Cannot query field "produts" on type "Query". Did you mean "products" or "product"?'],
  );
});

/**
 * POSTs `body` with chunked transfer encoding (no Content-Length), in 64 KiB pieces. A server that
 * refuses early closes the connection while the body is still being written: once the answer has
 * come, the failed write is expected.
 */
function postChunked(url: string, body: string): Promise<{ status: number; text: string; headers: Headers }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const request = httpRequest(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' } },
      (response) => {
        answered = true;
        let text = '';
        response.on('data', (chunk) => (text += String(chunk)));
        response.on('close', () => resolve({ status: response.statusCode ?? 0, text, headers: new Headers(response.headers as Record<string, string>) }));
      },
    );
    request.on('error', (error) => answered || reject(error));
    const bytes = Buffer.from(body);
    let offset = 0;
    const writeMore = () => {
      while (offset < bytes.length) {
        const piece = bytes.subarray(offset, (offset += 65_536));
        if (!request.write(piece)) return void request.once('drain', writeMore);
      }
      request.end();
    };
    writeMore();
  });
}
