import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { Client } from 'undici';
import { postGraphQL } from './helpers/graphql-request.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { spawnGatewayProcess, type GatewayProcess } from './helpers/spawn-gateway-process.ts';
import { root } from './helpers/start-shop.ts';
import { waitForOutput } from './helpers/wait-for-output.ts';
import { trackConnections } from '../src/server/track-connections.ts';

/** `concierge start` in its own process, one process, over a `things` REST service at `serviceUrl`. */
async function startGatewayProcess(t: TestContext, serviceUrl: string): Promise<GatewayProcess> {
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-shutdown-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'schemas.graphql'), 'type Thing { id: ID! name: String! }\ntype Query { thing: Thing @http(GET: "/thing") }\n');
  await writeFile(
    path.join(dir, 'gateway.config.json'),
    JSON.stringify({
      host: '127.0.0.1',
      port: 0,
      logging: { level: 'info' },
      sources: { things: { kind: 'rest', url: '${THINGS_URL}', schema: 'schemas.graphql' } },
    }),
  );
  return spawnGatewayProcess(
    t,
    [path.join(root, 'bin/concierge.js'), 'start', '--config', path.join(dir, 'gateway.config.json')],
    { THINGS_URL: serviceUrl, PORT: '0' },
    /serving 1 sources at (http:\/\/\S+)/,
  );
}

test('SIGTERM finishes in-flight requests, refuses new ones, then exits 0', async (t) => {
  // The service tells when the request reached it, and answers when the test says so.
  const arrived = deferred();
  const answer = deferred();
  t.after(answer.resolve);
  const slow = await startFixtureServer(t, async (_request, response) => {
    arrived.resolve();
    await answer.promise;
    json(response, 200, { id: '1', name: 'slow' });
  });
  const gateway = await startGatewayProcess(t, slow.url);
  const endpoint = gateway.url;

  const inFlight = postGraphQL(endpoint, '{ thing { name } }');
  await arrived.promise;
  const exited = once(gateway.child, 'exit');
  gateway.child.kill('SIGTERM');
  // Printed in the same turn as the listener closes, before anything else can run.
  await waitForOutput(gateway, /SIGTERM: finishing in-flight requests/);
  await assert.rejects(fetch(`${new URL(endpoint).origin}/healthz`), 'the port no longer accepts connections');
  answer.resolve();

  const response = await inFlight;
  assert.equal(response.status, 200);
  assert.deepEqual(response.body, { data: { thing: { name: 'slow' } } });
  const [code] = await exited;
  assert.equal(code, 0, gateway.output());
  assert.match(gateway.output(), /SIGTERM: finishing in-flight requests/);
});

/** A promise and its resolve, for a fixture to wait on what the test does. */
function deferred() {
  let resolve = () => {};
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** An answer as a load client saw it. */
interface Answer {
  status: number;
  body: string;
  /** The `Connection` header: `close` once the gateway drains. */
  connection: string | undefined;
}

const query = JSON.stringify({ query: '{ thing { name } }' });

/** Queries through a node:http agent that keeps one connection alive. */
function nodeClient(t: TestContext, endpoint: string): () => Promise<Answer> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => agent.destroy());
  return () =>
    new Promise((resolve, reject) => {
      const sent = request(endpoint, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (response) => {
        let body = '';
        response.on('data', (chunk) => (body += String(chunk)));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body, connection: response.headers.connection }));
      });
      sent.setTimeout(5_000, () => sent.destroy(new Error(`no answer within 5 s from ${endpoint}`)));
      sent.on('error', reject).end(query);
    });
}

/** Queries through an undici client (the one behind `fetch`), which keeps one connection alive. */
function undiciClient(t: TestContext, endpoint: string): () => Promise<Answer> {
  const { origin, pathname } = new URL(endpoint);
  const client = new Client(origin, { headersTimeout: 5_000, bodyTimeout: 5_000 });
  t.after(() => client.destroy());
  return async () => {
    const response = await client.request({ method: 'POST', path: pathname, headers: { 'content-type': 'application/json' }, body: query });
    const connection = response.headers['connection'];
    return { status: response.statusCode, body: await response.body.text(), connection: Array.isArray(connection) ? connection.join(', ') : connection };
  };
}

test('SIGTERM under steady load on 20 kept-alive connections answers every request sent, then refuses new connections, and exits 0', {
  timeout: 60_000,
}, async (t) => {
  const things = await startFixtureServer(t, (_request, response) => json(response, 200, { id: '1', name: 'thing' }));
  const gateway = await startGatewayProcess(t, things.url);
  const clients = Array.from({ length: 20 }, (_, index) => (index % 2 === 0 ? nodeClient : undiciClient)(t, gateway.url));

  const answers: Answer[] = [];
  const failures: string[] = [];
  let loadFlowing = () => {};
  const flowing = new Promise<void>((resolve) => (loadFlowing = resolve));
  /** Sends one query after another until a new connection is refused; resolves with the last answer. */
  const untilRefused = async (send: () => Promise<Answer>): Promise<Answer | undefined> => {
    let last: Answer | undefined;
    for (;;) {
      try {
        last = await send();
        answers.push(last);
        if (answers.length === 20 * 10) loadFlowing();
        if (last.status !== 200 || last.body !== '{"data":{"thing":{"name":"thing"}}}') failures.push(`${last.status}: ${last.body}`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED') return last;
        failures.push(`${(error as Error).message} (${(error as NodeJS.ErrnoException).code})`);
      }
    }
  };
  const loads = clients.map(untilRefused);

  await flowing;
  const exited = once(gateway.child, 'exit');
  gateway.child.kill('SIGTERM');
  const lastAnswers = await Promise.all(loads);
  const [code] = await exited;

  assert.deepEqual(failures, [], `every request sent before the port closed is answered:\n${gateway.output()}`);
  assert.deepEqual(
    lastAnswers.map((answer) => answer?.connection),
    clients.map(() => 'close'),
    "each client's last answer told it to close its connection, so its next request opened a new one, which was refused",
  );
  assert.equal(code, 0, gateway.output());
  assert.match(gateway.output(), /SIGTERM: finishing in-flight requests/);
});

/** A GET through `agent` (or on a connection of its own): what the client saw, and on which connection. */
function get(url: string, agent: Agent | false) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; reusedSocket: boolean; socket: Socket }>((resolve, reject) => {
    const sent = request(url, { agent }, (response) => {
      const { socket } = response;
      response.resume().on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, reusedSocket: sent.reusedSocket, socket }));
    });
    sent.on('error', reject).end();
  });
}

test('a draining server answers a request sent on an idle kept-alive connection, with Connection: close, and closes the connections left idle once their announced keep-alive timeout has passed', {
  timeout: 30_000,
}, async (t) => {
  // The keep-alive countdown runs on mocked time (Date and setTimeout), advanced by the test.
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const server = createServer((_request, response) => response.end('ok'));
  server.keepAliveTimeout = 2_000;
  const connections = trackConnections(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    if (server.listening) server.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const reusing = new Agent({ keepAlive: true, maxSockets: 1 });
  const idle = new Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => [reusing, idle].forEach((agent) => agent.destroy()));
  const first = await get(url, reusing);
  assert.equal(first.headers['keep-alive'], 'timeout=2', 'the hint clients keep a connection by');
  const idleSocket = (await get(url, idle)).socket;
  const idleClosed = once(idleSocket, 'close');

  const drained = connections.drain(60_000);
  await assert.rejects(get(url, false), { code: 'ECONNREFUSED' }, 'no new connections');
  const second = await get(url, reusing);
  assert.deepEqual(
    [second.status, second.reusedSocket, second.headers.connection],
    [200, true, 'close'],
    'the kept-alive connection was still open, and is told to close',
  );
  t.mock.timers.tick(1_999);
  assert.equal(idleSocket.destroyed, false, 'the idle connection stays open until its keep-alive timeout has passed');
  // The agent unrefs its idle socket; with no real timer left, only this keeps the process waiting for its close.
  idleSocket.ref();
  t.mock.timers.tick(1);
  await idleClosed;
  await drained;
});
