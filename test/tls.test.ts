import assert from 'node:assert/strict';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, get } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { connect, type TLSSocket } from 'node:tls';
import { Agent, fetch } from 'undici';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { startTestGateway, writeTestConfig } from './helpers/start-test-gateway.ts';
import { makeTestCertificates, opensslMissing, type TestCertificates } from './helpers/test-certificates.ts';
import { withoutRequestId } from './helpers/request-id.ts';
import { startGateway } from '../src/server/start-gateway.ts';
import type { GatewayOptions } from '../src/server/create-gateway.ts';
import { collectLogs, type LoggedLine } from './helpers/collect-logs.ts';

const skip = opensslMissing();
let certs: TestCertificates;
before(() => {
  if (!skip) certs = makeTestCertificates();
});
after(() => certs?.remove());

const sdl = /* GraphQL */ 'type Query { hello: String @http(GET: "/hello", select: "message") }';
const query = '{ hello }';

/** A gateway over one REST fixture, with `tls` around the test certificates; closed when the test ends. */
async function startHttpsGateway(t: TestContext, tls: Record<string, unknown> = {}, options: GatewayOptions = {}) {
  const upstream = await startFixtureServer(t, (_request, response) => json(response, 200, { message: 'hi' }));
  return startTestGateway(
    t,
    { things: { kind: 'rest', url: upstream.url, sdl } },
    { tls: { cert: certs.server.cert, key: certs.server.key, ...tls } },
    options,
  );
}

/** An undici dispatcher that trusts the test CA; closed when the test ends. */
function trustingAgent(t: TestContext): Agent {
  const agent = new Agent({ connect: { ca: certs.read(certs.ca.cert) } });
  t.after(() => agent.close());
  return agent;
}

function postOverHttps(url: string, dispatcher: Agent) {
  return fetch(url, {
    method: 'POST',
    dispatcher,
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query }),
  });
}

test('HTTPS serves GraphQL with HSTS on every answer; the plain listener in allow mode serves it without', { skip }, async (t) => {
  const gateway = await startHttpsGateway(t, { http: { port: 0, mode: 'allow' } });
  const dispatcher = trustingAgent(t);
  assert.match(gateway.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.match(gateway.httpUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);

  const secure = await postOverHttps(gateway.endpoint, dispatcher);
  assert.equal(secure.status, 200);
  assert.deepEqual(await secure.json(), { data: { hello: 'hi' } });
  assert.equal(secure.headers.get('strict-transport-security'), 'max-age=15552000; includeSubDomains');
  const probe = await fetch(`${gateway.url}/healthz`, { dispatcher });
  assert.equal(probe.headers.get('strict-transport-security'), 'max-age=15552000; includeSubDomains', 'probes too');
  const refused = await fetch(`${gateway.endpoint}?query=%7B`, { dispatcher, headers: { accept: 'application/graphql-response+json' } });
  assert.equal(refused.status, 400);
  assert.equal(refused.headers.get('strict-transport-security'), 'max-age=15552000; includeSubDomains', 'refusals too');

  const plain = await postGraphQL(`${gateway.httpUrl}/graphql`, query);
  assert.equal(plain.status, 200);
  assert.deepEqual(plain.body, { data: { hello: 'hi' } });
  assert.equal(plain.headers.get('strict-transport-security'), null);
});

test('hsts options shape the header, and hsts: false sends none', { skip }, async (t) => {
  const dispatcher = trustingAgent(t);
  const preloaded = await startHttpsGateway(t, { hsts: { maxAge: 63_072_000, preload: true } });
  const response = await postOverHttps(preloaded.endpoint, dispatcher);
  assert.equal(response.headers.get('strict-transport-security'), 'max-age=63072000; includeSubDomains; preload');
  const off = await startHttpsGateway(t, { hsts: false });
  assert.equal((await postOverHttps(off.endpoint, dispatcher)).headers.get('strict-transport-security'), null);
});

test('plain HTTP in redirect mode answers 308 to the same URL over HTTPS; probes still answer', { skip }, async (t) => {
  const gateway = await startHttpsGateway(t, { http: { port: 0, mode: 'redirect' } });
  const target = `/graphql?query=${encodeURIComponent(query)}`;

  const redirect = await fetch(`${gateway.httpUrl}${target}`, { redirect: 'manual' });
  assert.equal(redirect.status, 308);
  assert.equal(redirect.headers.get('location'), `${gateway.url}${target}`);
  assert.equal(redirect.headers.get('strict-transport-security'), null);
  const followed = await fetch(`${gateway.httpUrl}${target}`, { dispatcher: trustingAgent(t), headers: { accept: 'application/json' } });
  assert.equal(followed.url, `${gateway.url}${target}`);
  assert.deepEqual(await followed.json(), { data: { hello: 'hi' } });
  assert.equal((await fetch(`${gateway.httpUrl}/readyz`)).status, 200);
});

test('plain HTTP in refuse mode answers 403 FORBIDDEN naming the HTTPS URL', { skip }, async (t) => {
  const gateway = await startHttpsGateway(t, { http: { port: 0, mode: 'refuse' } });

  const response = await postGraphQL(`${gateway.httpUrl}/graphql`, query);

  assert.equal(response.status, 403);
  assert.equal(response.headers.get('content-type'), 'application/graphql-response+json; charset=utf-8');
  assert.deepEqual(withoutRequestId(response), {
    errors: [{ message: `This gateway answers over HTTPS only: use ${gateway.url}/graphql`, extensions: { code: 'FORBIDDEN' } }],
  });
  assert.equal(response.headers.get('strict-transport-security'), null);
});

test('a renewed pair is served to new connections while an open keep-alive connection keeps working', { skip }, async (t) => {
  // What the gateway logs is also an event the test waits for.
  const logs = collectLogs();
  const logged = (level: LoggedLine['level']) =>
    new Promise<string>((resolve) => logs.events.on('line', (line: LoggedLine) => line.level === level && resolve(line.message)));
  const dir = mkdtempSync(path.join(tmpdir(), 'concierge-reload-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cert = path.join(dir, 'gateway.pem');
  const key = path.join(dir, 'gateway-key.pem');
  copyFileSync(certs.server.cert, cert);
  copyFileSync(certs.server.key, key);
  const gateway = await startHttpsGateway(t, { cert, key }, { logger: logs.logger });
  const { port } = new URL(gateway.url);
  const ca = certs.read(certs.ca.cert);
  const keepAlive = new HttpsAgent({ keepAlive: true, maxSockets: 1, ca });
  t.after(() => keepAlive.destroy());

  const first = await getWith(keepAlive, `${gateway.url}/healthz`);
  assert.deepEqual([first.status, first.serial, first.reused], [200, certs.server.serial, false]);

  // Renewals replace files by renaming over them; the certificate lands before its key.
  const replace = (from: string, to: string) => {
    copyFileSync(from, `${to}.tmp`);
    renameSync(`${to}.tmp`, to);
  };
  const refused = logged('error');
  replace(certs.renewed.cert, cert);
  assert.match(
    await refused,
    /^TLS files changed but were not loaded, the current certificate stays: config\.tls\.key: expected the private key of the certificate in ".*gateway\.pem", got ".*gateway-key\.pem"$/,
  );
  assert.equal(await serialOfNewConnection(Number(port), ca), certs.server.serial, 'a mismatched pair keeps the current certificate');

  const reloaded = logged('info');
  replace(certs.renewed.key, key);
  assert.match(await reloaded, /^TLS certificate reloaded from .*gateway\.pem \(serial 1002, valid until /);
  assert.equal(await serialOfNewConnection(Number(port), ca), certs.renewed.serial, 'new connections get the renewed certificate');

  const second = await getWith(keepAlive, `${gateway.url}/healthz`);
  assert.deepEqual([second.status, second.serial, second.reused], [200, certs.server.serial, true], 'the open connection keeps its certificate');
});

test('close() lets an in-flight HTTPS request finish, then both listeners refuse connections', { skip }, async (t) => {
  // The service tells when the request reached it, and answers once the gateway is closing.
  let arrived = () => {};
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  let answer = () => {};
  const answered = new Promise<void>((resolve) => (answer = resolve));
  t.after(() => answer());
  const slow = await startFixtureServer(t, async (_request, response) => {
    arrived();
    await answered;
    json(response, 200, { message: 'slow' });
  });
  const { config } = await writeTestConfig(
    t,
    { things: { kind: 'rest', url: slow.url, sdl } },
    { tls: { cert: certs.server.cert, key: certs.server.key, http: { port: 0, mode: 'allow' } }, shutdownTimeout: 10_000 },
  );
  const running = await startGateway(config);
  const dispatcher = trustingAgent(t);
  const inFlight = postOverHttps(`${running.url}/graphql`, dispatcher);
  await reached;

  const closed = running.close();
  answer();
  await closed;

  const response = await inFlight;
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { data: { hello: 'slow' } });
  await assert.rejects(fetch(`${running.httpUrl}/healthz`));
  await assert.rejects(fetch(`${running.url}/healthz`, { dispatcher }));
});

/** A GET through a node:https agent: status, the server certificate's serial, and whether the socket was reused. */
async function getWith(agent: HttpsAgent, url: string) {
  const request = get(url, { agent });
  const [response] = (await once(request, 'response')) as [IncomingMessage];
  const serial = (response.socket as TLSSocket).getPeerCertificate().serialNumber;
  response.resume();
  await once(response, 'end');
  return { status: response.statusCode, serial, reused: request.reusedSocket };
}

/** The serial number of the certificate a fresh TLS connection is offered. */
async function serialOfNewConnection(port: number, ca: string): Promise<string> {
  const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' });
  await once(socket, 'secureConnect');
  const serial = socket.getPeerCertificate().serialNumber;
  socket.destroy();
  return serial;
}
