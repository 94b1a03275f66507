import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import type { Consumer } from '../src/auth/consumer.ts';
import { mayUseArbitraryDocuments } from '../src/trusted-documents/resolve-document.ts';
import { sendRaw, type GraphQLResponse } from './helpers/graphql-request.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';
import { withoutRequestId } from './helpers/request-id.ts';

const sdl = 'type Query { hello: String @http(GET: "/hello") }';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const persisted = (text: string) => ({ persistedQuery: { version: 1, sha256Hash: sha256(text) } });

const manifestDocument = 'query Hello { hello }';
const relayDocument = 'query RelayHello { relay: hello }';
const arbitrary = '{ other: hello }';
const notFound = { errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] };
const refused = {
  errors: [
    {
      message: 'Only trusted (persisted) documents are accepted; this request sent a document that is not in the manifest.',
      extensions: { code: 'FORBIDDEN' },
    },
  ],
};

/** Writes a manifest to a temporary folder and returns its absolute path. */
async function writeManifest(t: TestContext, manifest: unknown): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-manifest-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'manifest.json');
  await writeFile(file, typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
  return file;
}

async function gatewayWith(t: TestContext, extra: Record<string, unknown>) {
  const service = await startFixtureServer(t, (_request, response) => json(response, 200, 'world'));
  const gateway = await startTestGateway(t, { hello: { kind: 'rest', url: service.url, sdl } }, extra);
  const post = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    sendRaw(gateway.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json;q=0.9', ...headers },
      body: JSON.stringify(body),
    });
  const get = (params: Record<string, unknown>) => {
    const search = new URLSearchParams(Object.entries(params).map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)]));
    return sendRaw(`${gateway.endpoint}?${search}`, { method: 'GET', headers: { accept: 'application/json' } });
  };
  return { service, post, get };
}

function assertData(response: GraphQLResponse, data: unknown) {
  assert.equal(response.status, 200, response.text);
  assert.deepEqual(response.body, { data });
}

test('a plain-map manifest: documents sent by id run over POST and GET, by persistedQuery hash or documentId', async (t) => {
  const manifest = await writeManifest(t, { [sha256(manifestDocument)]: manifestDocument, 'relay-md5-1': relayDocument });
  const { service, post, get } = await gatewayWith(t, { trustedDocuments: { manifest } });

  assertData(await post({ extensions: persisted(manifestDocument) }), { hello: 'world' });
  assertData(await post({ documentId: `sha256:${sha256(manifestDocument)}` }), { hello: 'world' });
  assertData(await post({ documentId: 'relay-md5-1', variables: {} }), { relay: 'world' });
  assertData(await get({ extensions: persisted(manifestDocument), operationName: 'Hello' }), { hello: 'world' });
  assertData(await get({ documentId: sha256(manifestDocument) }), { hello: 'world' });
  assert.equal(service.requests.length, 5, 'each one reached the service');
  assert.ok(service.requests.every((request) => request.url === '/hello'));
});

test("Apollo's persisted query manifest: a document sent by its id runs", async (t) => {
  const manifest = await writeManifest(t, {
    format: 'apollo-persisted-query-manifest',
    version: 1,
    operations: [{ id: sha256(manifestDocument), name: 'Hello', type: 'query', body: manifestDocument }],
  });
  const { service, post } = await gatewayWith(t, { trustedDocuments: { manifest } });
  assertData(await post({ extensions: persisted(manifestDocument), operationName: 'Hello' }), { hello: 'world' });
  assert.equal(service.requests.length, 1);
});

test('an unknown hash: PERSISTED_QUERY_NOT_FOUND, 200 while APQ can register it, 404 when nothing can; never cached, no upstream call', async (t) => {
  const unknown = { extensions: persisted('{ unknown: hello }') };
  const withApq = await gatewayWith(t, {});
  for (const response of [await withApq.post(unknown), await withApq.get(unknown)]) {
    assert.equal(response.status, 200);
    assert.deepEqual(withoutRequestId(response), notFound);
    assert.equal(response.headers.get('cache-control'), 'no-store');
  }
  assert.equal(withApq.service.requests.length, 0);

  const manifest = await writeManifest(t, { [sha256(manifestDocument)]: manifestDocument });
  const manifestOnly = await gatewayWith(t, { trustedDocuments: { manifest, apq: false } });
  for (const response of [await manifestOnly.post(unknown), await manifestOnly.get({ documentId: 'relay-md5-2' })]) {
    assert.equal(response.status, 404);
    assert.deepEqual(withoutRequestId(response), notFound);
    assert.equal(response.headers.get('cache-control'), 'no-store');
  }
  assert.equal(manifestOnly.service.requests.length, 0);
});

test('APQ round trip: hash alone is not found, hash with query runs and is stored, hash alone then runs (POST and GET)', async (t) => {
  const { service, post, get } = await gatewayWith(t, {});
  const document = 'query Apq { apq: hello }';
  assert.deepEqual(withoutRequestId(await post({ extensions: persisted(document) })), notFound);
  assert.equal(service.requests.length, 0);

  assertData(await post({ query: document, extensions: persisted(document) }), { apq: 'world' });
  assertData(await post({ extensions: persisted(document) }), { apq: 'world' });
  assertData(await get({ extensions: persisted(document) }), { apq: 'world' });
  assert.equal(service.requests.length, 3);
});

test("APQ with a hash that is not the query's SHA-256: 400 BAD_REQUEST, nothing run or stored", async (t) => {
  const { service, post } = await gatewayWith(t, {});
  const document = '{ wrong: hello }';
  const forged = { extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ other: hello }') } } };
  const response = await post({ query: document, ...forged });
  assert.equal(response.status, 400);
  assert.deepEqual(withoutRequestId(response), { errors: [{ message: 'provided sha does not match query', extensions: { code: 'BAD_REQUEST' } }] });
  assert.deepEqual(withoutRequestId(await post(forged)), notFound, 'the forged hash was not stored');
  assert.equal(service.requests.length, 0);
});

test('an APQ document is stored only once it validated', async (t) => {
  const { post } = await gatewayWith(t, {});
  const invalid = '{ nope }';
  assert.equal((await post({ query: invalid, extensions: persisted(invalid) })).body.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
  assert.deepEqual(withoutRequestId(await post({ extensions: persisted(invalid) })), notFound);
});

test('malformed ids are 400 BAD_REQUEST', async (t) => {
  const { post } = await gatewayWith(t, {});
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ extensions: { persistedQuery: { version: 1 } } }, 'extensions.persistedQuery must be {"version":1,"sha256Hash":"<sha256 of the query, in hex>"}.'],
    [{ extensions: { persistedQuery: { version: 2, sha256Hash: sha256(arbitrary) } } }, 'Unsupported persisted query version'],
    [{ documentId: 42 }, 'documentId must be a non-empty string.'],
  ];
  for (const [body, message] of cases) {
    const response = await post(body);
    assert.equal(response.status, 400);
    assert.deepEqual(withoutRequestId(response), { errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
  }
});

test('allowArbitraryDocuments: false runs only manifest documents, however they are sent; everything else is 403 with no upstream call', async (t) => {
  const manifest = await writeManifest(t, { [sha256(manifestDocument)]: manifestDocument });
  const { service, post, get } = await gatewayWith(t, { trustedDocuments: { manifest, allowArbitraryDocuments: false } });

  assertData(await post({ extensions: persisted(manifestDocument) }), { hello: 'world' });
  assertData(await post({ query: manifestDocument }), { hello: 'world' });
  assertData(await post({ query: manifestDocument, extensions: persisted(manifestDocument) }), { hello: 'world' });
  assert.equal(service.requests.length, 3);

  for (const response of [
    await post({ query: arbitrary }),
    await get({ query: arbitrary }),
    await post({ query: arbitrary, extensions: persisted(arbitrary) }),
  ]) {
    assert.equal(response.status, 403);
    assert.deepEqual(withoutRequestId(response), refused);
  }
  const unknownHash = await post({ extensions: persisted(arbitrary) });
  assert.equal(unknownHash.status, 404, 'resending the query could not help');
  assert.deepEqual(withoutRequestId(unknownHash), notFound);
  assert.equal(service.requests.length, 3);
});

test('APQ cache bound: with apqCacheSize 2, a third registration evicts the least recently used', async (t) => {
  const { post } = await gatewayWith(t, { trustedDocuments: { apqCacheSize: 2 } });
  const [first, second, third] = ['{ first: hello }', '{ second: hello }', '{ third: hello }'] as const;
  for (const document of [first, second, third]) assert.equal((await post({ query: document, extensions: persisted(document) })).status, 200);

  assert.deepEqual(withoutRequestId(await post({ extensions: persisted(first) })), notFound);
  assertData(await post({ extensions: persisted(second) }), { second: 'world' });
  assertData(await post({ extensions: persisted(third) }), { third: 'world' });
});

test("the arbitrary-documents decision: a consumer's own setting wins in both directions, else the global one", () => {
  const consumer = (arbitraryDocuments?: boolean): Consumer => ({
    id: 'app',
    via: 'api-key',
    scopes: [],
    introspection: false,
    ...(arbitraryDocuments === undefined ? {} : { arbitraryDocuments }),
  });
  assert.equal(mayUseArbitraryDocuments(undefined, true), true);
  assert.equal(mayUseArbitraryDocuments(undefined, false), false);
  assert.equal(mayUseArbitraryDocuments(consumer(), false), false);
  assert.equal(mayUseArbitraryDocuments(consumer(), true), true);
  assert.equal(mayUseArbitraryDocuments(consumer(true), false), true);
  assert.equal(mayUseArbitraryDocuments(consumer(false), true), false);
});

// Needs API-key authentication (src/plugins/use-authentication.ts) to name the consumer.
test('consumers identified by API key override the global setting in both directions', async (t) => {
  const keys = { trusted: 'ck_trusted-app-key', locked: 'ck_locked-app-key' };
  const consumers = {
    trusted: { keyHash: sha256(keys.trusted), arbitraryDocuments: true },
    locked: { keyHash: sha256(keys.locked), arbitraryDocuments: false },
  };
  const strict = await gatewayWith(t, { consumers, trustedDocuments: { allowArbitraryDocuments: false } });
  assert.equal((await strict.post({ query: arbitrary })).status, 403);
  assertData(await strict.post({ query: arbitrary }, { 'x-api-key': keys.trusted }), { other: 'world' });
  const registration = { query: '{ registered: hello }', extensions: persisted('{ registered: hello }') };
  assertData(await strict.post(registration, { 'x-api-key': keys.trusted }), { registered: 'world' });
  assert.equal((await strict.post({ extensions: registration.extensions })).status, 403, 'another caller cannot run what a trusted consumer registered');

  const lenient = await gatewayWith(t, { consumers });
  assertData(await lenient.post({ query: arbitrary }), { other: 'world' });
  const locked = await lenient.post({ query: arbitrary }, { 'x-api-key': keys.locked });
  assert.equal(locked.status, 403);
  assert.deepEqual(withoutRequestId(locked), refused);
});
