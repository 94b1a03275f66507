import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { test, type TestContext } from 'node:test';
import type { GraphFeed } from '../src/registry/follow-registry.ts';
import { startGateway } from '../src/server/start-gateway.ts';
import type { SourcesRevision } from '../src/sources/watch-source-files.ts';
import { refusal, send, startUpstream } from './helpers/route-traffic.ts';
import { startTestGateway, writeTestConfig } from './helpers/start-test-gateway.ts';

const filesSdl = /* GraphQL */ `
  type Query { file(id: ID!): String @http(GET: "/files/{args.id}") }
`;

const chunk = Buffer.alloc(64 * 1024, 'x');
const megabytes = 4;

/** A promise and the function that settles it: the tests wait on events, never on a clock. */
function signal<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

/** Resolves once `stream` closes, whether it ended or broke off (an `error` event is expected then). */
function closed(stream: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => stream.once('error', () => undefined).once('close', () => resolve()));
}

/** Writes `count` chunks, waiting for `drain` whenever the stream asks to. */
async function writeChunks(stream: NodeJS.WritableStream, count: number): Promise<void> {
  for (let index = 0; index < count; index += 1) if (!stream.write(chunk)) await once(stream, 'drain');
}

/** A chunked upload (no Content-Length) whose answer is read whole. */
function upload(url: string): { outgoing: ClientRequest; answer: Promise<{ status: number; body: string }> } {
  const outgoing = httpRequest(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/octet-stream' } });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    outgoing.once('response', (response) => {
      let body = '';
      response
        .setEncoding('utf8')
        .on('data', (text: string) => (body += text))
        .once('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    outgoing.once('error', reject);
  });
  return { outgoing, answer };
}

function startFiles(t: TestContext, upstream: string, route: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return startTestGateway(
    t,
    { files: { kind: 'rest', url: upstream, sdl: filesSdl } },
    { maxRequestBytes: 1024, routes: { '/files/*': { source: 'files', methods: ['GET', 'POST'], ...route } }, ...extra },
  );
}

test('an upload of several MB streams through, past maxRequestBytes: the service reads the first chunk while the client still holds the rest', async (t) => {
  const firstChunk = signal();
  const upstream = await startUpstream(t, async (request, response) => {
    let bytes = 0;
    request.on('data', (data: Buffer) => {
      if (bytes === 0) firstChunk.resolve();
      bytes += data.length;
    });
    await once(request, 'end');
    response.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ bytes }));
  });
  const gateway = await startFiles(t, upstream.url);

  const { outgoing, answer } = upload(`${gateway.url}/files/big`);
  outgoing.write(chunk);
  await firstChunk.promise;
  await writeChunks(outgoing, megabytes * 16 - 1);
  outgoing.end();

  assert.deepEqual(await answer, { status: 201, body: JSON.stringify({ bytes: megabytes * 1024 * 1024 }) });
  assert.equal(upstream.requests[0]?.headers['transfer-encoding'], 'chunked');
});

test("a body over the route's maxBodyBytes: 413 PAYLOAD_TOO_LARGE, before any call when declared, mid-stream when chunked", async (t) => {
  const upstream = await startUpstream(t, async (request, response) => {
    request.resume();
    await once(request, 'end');
    response.end('{}');
  });
  const gateway = await startFiles(t, upstream.url, { maxBodyBytes: 100_000 });

  const declared = await send(`${gateway.url}/files/a`, { method: 'POST', body: 'x'.repeat(100_001) });
  const { outgoing, answer } = upload(`${gateway.url}/files/b`);
  await writeChunks(outgoing, 2);
  outgoing.end();
  const chunked = await answer;

  const message = 'The request body is larger than the limit of 100000 bytes of route /files/* (maxBodyBytes).';
  assert.deepEqual([declared.status, refusal(declared)], [413, { code: 'PAYLOAD_TOO_LARGE', message }]);
  assert.deepEqual([chunked.status, JSON.parse(chunked.body).errors[0].extensions.code], [413, 'PAYLOAD_TOO_LARGE']);
  // The declared one never reached the service; the chunked one may have, and was cut off.
  assert.equal(
    upstream.requests.some((request) => request.url === '/files/a'),
    false,
  );
});

test('a download streams: the client reads the first chunk while the service still holds the rest', async (t) => {
  const firstRead = signal();
  const upstream = await startUpstream(t, async (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/octet-stream' });
    response.write('first');
    await firstRead.promise;
    await writeChunks(response, megabytes * 16);
    response.end();
  });
  const gateway = await startFiles(t, upstream.url);

  const response = await new Promise<IncomingMessage>((resolve) => httpRequest(`${gateway.url}/files/big`, { agent: false }, resolve).end());
  let bytes = 0;
  response.on('data', (data: Buffer) => {
    if (bytes === 0) firstRead.resolve();
    bytes += data.length;
  });
  await once(response, 'end');

  assert.deepEqual([response.statusCode, response.headers['transfer-encoding'], bytes], [200, 'chunked', 5 + megabytes * 1024 * 1024]);
});

test('a client that goes away aborts the service call, mid-upload and mid-download', async (t) => {
  const uploading = signal<IncomingMessage>();
  const downloading = signal<{ request: IncomingMessage; response: import('node:http').ServerResponse }>();
  const upstream = await startUpstream(t, (request, response) => {
    if (request.method === 'POST') return request.once('data', () => uploading.resolve(request));
    response.writeHead(200).write('first');
    downloading.resolve({ request, response });
  });
  const gateway = await startFiles(t, upstream.url);

  const { outgoing, answer } = upload(`${gateway.url}/files/up`);
  answer.catch(() => undefined);
  outgoing.write(chunk);
  const upstreamUpload = await uploading.promise;
  const uploadClosed = closed(upstreamUpload);
  outgoing.destroy();
  await uploadClosed;

  const download = await new Promise<IncomingMessage>((resolve) => httpRequest(`${gateway.url}/files/down`, { agent: false }, resolve).end());
  await once(download, 'data');
  const served = await downloading.promise;
  const downloadClosed = closed(served.response);
  download.destroy();
  await downloadClosed;

  assert.deepEqual([upstreamUpload.complete, served.response.writableFinished], [false, false]);
});

test("a service that breaks off mid-body breaks off the client's answer", async (t) => {
  const upstream = await startUpstream(t, async (_request, response) => {
    response.writeHead(200, { 'content-length': '1000' });
    response.write('partial');
    await new Promise((resolve) => response.write('', resolve));
    response.socket?.destroy();
  });
  const gateway = await startFiles(t, upstream.url);

  const response = await new Promise<IncomingMessage>((resolve) => httpRequest(`${gateway.url}/files/1`, { agent: false }, resolve).end());
  let received = '';
  response.setEncoding('utf8').on('data', (text: string) => (received += text));
  await closed(response);

  assert.deepEqual([response.statusCode, response.complete, received], [200, false, 'partial']);
});

test('a graph swapped in mid-stream does not cut the stream: the old graph closes once its answer is finished', async (t) => {
  const firstRead = signal();
  const upstream = await startUpstream(t, async (_request, response) => {
    response.writeHead(200);
    response.write('first');
    await firstRead.promise;
    await writeChunks(response, 16);
    response.end();
  });
  const { config } = await writeTestConfig(t, { files: { kind: 'rest', url: upstream.url, sdl: filesSdl } }, { routes: { '/files/*': { source: 'files' } } });
  let latest: SourcesRevision = { version: 1, sources: config.sources, cause: 'start-up' };
  const listeners: Array<(version: number) => void> = [];
  const feed: GraphFeed<SourcesRevision> = { latestGraph: async () => latest, subscribe: (onChange) => (listeners.push(onChange), { close: async () => {} }) };
  const running = await startGateway(config, { sourcesFeed: feed });
  t.after(() => running.close());
  const before = running.gateway.graphs.current;
  const oldClosed = signal();
  const closeOld = before.close;
  before.close = () => closeOld().then(oldClosed.resolve);

  const response = await new Promise<IncomingMessage>((resolve) => httpRequest(`${running.url}/files/1`, { agent: false }, resolve).end());
  let bytes = 0;
  response.on('data', (data: Buffer) => (bytes += data.length));
  await once(response, 'data');
  latest = { version: 2, sources: config.sources, cause: 'test' };
  listeners.forEach((listener) => listener(2));
  await running.gateway.sourceFiles?.reached(2);
  assert.notEqual(running.gateway.graphs.current, before);
  assert.equal(running.gateway.graphs.inFlight().get(before), 1);
  firstRead.resolve();
  await once(response, 'end');
  await oldClosed.promise;

  assert.deepEqual([response.statusCode, bytes], [200, 5 + 16 * chunk.length]);
  assert.equal(running.gateway.graphs.inFlight().has(before), false);
  assert.equal((await send(`${running.url}/files/2`)).status, 200);
});
