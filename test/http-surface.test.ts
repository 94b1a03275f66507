import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mintDevToken } from '../examples/ecommerce/dev-keys.ts';
import { postGraphQL, sendRaw } from './helpers/graphql-request.ts';
import { startShop } from './helpers/start-shop.ts';

const json = { 'content-type': 'application/json' };
const graphqlResponse = 'application/graphql-response+json';

test('GraphQL over HTTP: POST and GET, both response media types', async (t) => {
  const { endpoint } = await startShop(t);
  const query = '{ user(id: "2") { id name } }';

  const modern = await sendRaw(endpoint, { method: 'POST', headers: { ...json, accept: graphqlResponse }, body: JSON.stringify({ query }) });
  assert.equal(modern.status, 200);
  assert.match(modern.headers.get('content-type') ?? '', /^application\/graphql-response\+json/);
  assert.equal((modern.body.data as { user: { id: string } }).user.id, '2');

  const legacy = await sendRaw(endpoint, { method: 'POST', headers: { ...json, accept: 'application/json' }, body: JSON.stringify({ query }) });
  assert.match(legacy.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(legacy.body, modern.body);

  const viaGet = await sendRaw(
    `${endpoint}?query=${encodeURIComponent('query U($id: ID!) { user(id: $id) { id } }')}&variables=${encodeURIComponent('{"id":"3"}')}`,
    { headers: { accept: graphqlResponse } },
  );
  assert.equal(viaGet.status, 200);
  assert.deepEqual(viaGet.body, { data: { user: { id: '3' } } });

  const named = await postGraphQL(endpoint, 'query A { user(id: "1") { id } } query B { user(id: "2") { id } }', undefined);
  assert.equal(named.status, 400, 'two operations without operationName');
  const picked = await sendRaw(endpoint, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ query: 'query A { user(id: "1") { id } } query B { user(id: "2") { id } }', operationName: 'B' }),
  });
  assert.deepEqual(picked.body, { data: { user: { id: '2' } } });
});

test('the executable directives clients rely on: @include, @skip and @deprecated in introspection', async (t) => {
  const { endpoint } = await startShop(t);
  const asUser2 = { authorization: `Bearer ${await mintDevToken({ sub: '2' })}` };
  const query = 'query ($full: Boolean!) { user(id: "2") { id name @include(if: $full) email @skip(if: $full) } }';
  const full = await postGraphQL(endpoint, query, { full: true }, asUser2);
  assert.deepEqual(full.body, { data: { user: { id: '2', name: (full.body.data as { user: { name: string } }).user.name } } });
  assert.equal(typeof (full.body.data as { user: { name: unknown } }).user.name, 'string');
  const short = await postGraphQL(endpoint, query, { full: false }, asUser2);
  assert.deepEqual(Object.keys((short.body.data as { user: object }).user), ['id', 'email']);
  const directives = await postGraphQL(endpoint, '{ __schema { directives { name } } }');
  assert.deepEqual((directives.body.data as { __schema: { directives: { name: string }[] } }).__schema.directives.map(({ name }) => name).sort(), [
    'deprecated',
    'include',
    'oneOf',
    'skip',
    'specifiedBy',
  ]);
});

test('bad requests get the status and code of the error table, and nothing internal', async (t) => {
  const { endpoint } = await startShop(t);
  const cases: Array<{ name: string; init: RequestInit; url?: string; status: number; code: string }> = [
    { name: 'invalid JSON', init: { method: 'POST', headers: json, body: '{"query": ' }, status: 400, code: 'BAD_REQUEST' },
    { name: 'no query', init: { method: 'POST', headers: { ...json, accept: graphqlResponse }, body: '{}' }, status: 400, code: 'BAD_REQUEST' },
    {
      name: 'syntax error',
      init: { method: 'POST', headers: { ...json, accept: graphqlResponse }, body: JSON.stringify({ query: '{ user(id: ' }) },
      status: 400,
      code: 'GRAPHQL_PARSE_FAILED',
    },
    {
      name: 'unknown field',
      init: { method: 'POST', headers: { ...json, accept: graphqlResponse }, body: JSON.stringify({ query: '{ nope }' }) },
      status: 400,
      code: 'GRAPHQL_VALIDATION_FAILED',
    },
    {
      name: 'missing variable',
      init: { method: 'POST', headers: { ...json, accept: graphqlResponse }, body: JSON.stringify({ query: 'query($id: ID!) { user(id: $id) { id } }' }) },
      status: 400,
      code: 'BAD_USER_INPUT',
    },
    {
      name: 'variable of the wrong type',
      init: {
        method: 'POST',
        headers: { ...json, accept: graphqlResponse },
        body: JSON.stringify({ query: 'query($n: Int!) { users(first: $n) { id } }', variables: { n: 'ten' } }),
      },
      status: 400,
      code: 'BAD_USER_INPUT',
    },
    {
      name: 'mutation over GET',
      url: `${endpoint}?query=${encodeURIComponent('mutation { cancelOrder(id: "1001") { id } }')}`,
      init: { headers: { accept: graphqlResponse } },
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
    },
    { name: 'PUT', init: { method: 'PUT', headers: json, body: JSON.stringify({ query: '{ __typename }' }) }, status: 405, code: 'METHOD_NOT_ALLOWED' },
    {
      name: 'batched operations (not enabled)',
      init: { method: 'POST', headers: json, body: JSON.stringify([{ query: '{ __typename }' }]) },
      status: 400,
      code: 'BAD_REQUEST',
    },
    {
      name: 'body over the limit',
      init: { method: 'POST', headers: json, body: JSON.stringify({ query: `{ __typename }${' '.repeat(1_100_000)}` }) },
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    },
  ];
  for (const { name, init, url, status, code } of cases) {
    const response = await sendRaw(url ?? endpoint, init);
    assert.equal(response.status, status, `${name}: status`);
    assert.equal(response.body.errors?.[0]?.extensions?.code, code, `${name}: code in ${response.text}`);
    assert.equal(response.body.data, undefined, `${name}: no data`);
    assert.doesNotMatch(response.text, /originalError|stack|node_modules|SyntaxError/, `${name}: nothing internal`);
  }
});

test('the mutation fails cleanly on the JSON media type too, and a wrong content type is refused', async (t) => {
  const { endpoint } = await startShop(t);
  const plain = await sendRaw(endpoint, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{ __typename }' });
  assert.equal(plain.status, 415);

  const legacyValidation = await sendRaw(endpoint, {
    method: 'POST',
    headers: { ...json, accept: 'application/json' },
    body: JSON.stringify({ query: '{ nope }' }),
  });
  assert.equal(legacyValidation.status, 200, 'application/json keeps 200 for GraphQL errors, as the spec allows');
  assert.equal(legacyValidation.body.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
});

test('/healthz and /readyz answer outside GraphQL; /readyz turns 503 while draining', async (t) => {
  const shop = await startShop(t);
  const base = shop.gateway.url;

  const live = await fetch(`${base}/healthz`);
  assert.equal(live.status, 200);
  assert.deepEqual(await live.json(), { status: 'ok' });
  const ready = await fetch(`${base}/readyz`);
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { status: 'ready' });

  shop.gateway.gateway.drain();
  const draining = await fetch(`${base}/readyz`);
  assert.equal(draining.status, 503);
  assert.deepEqual(await draining.json(), { status: 'draining' });
  assert.equal((await fetch(`${base}/healthz`)).status, 200);
});

test('GraphiQL is served to browsers from the GraphQL endpoint with no external assets', async (t) => {
  const { endpoint } = await startShop(t);
  const page = await sendRaw(endpoint, { headers: { accept: 'text/html' } });
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  assert.match(page.text, /Concierge: example shop/);
  assert.match(page.text, /query OrderHistory/);
  assert.doesNotMatch(page.text, /<script[^>]+src=["']https?:|<link[^>]+href=["']https?:/, 'no script or stylesheet from another host');

  const { request } = await import('undici');
  const compressed = await request(endpoint, { headers: { accept: 'text/html', 'accept-encoding': 'gzip' } });
  const bytes = (await compressed.body.arrayBuffer()).byteLength;
  assert.equal(compressed.headers['content-encoding'], 'gzip');
  assert.ok(bytes < page.text.length / 2, `gzipped page ${bytes} bytes of ${page.text.length}`);
  const etag = page.headers.get('etag');
  assert.ok(etag);
  const again = await fetch(endpoint, { headers: { accept: 'text/html', 'if-none-match': etag } });
  assert.equal(again.status, 304);
});
