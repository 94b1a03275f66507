import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { listenUntilTestEnds } from './helpers/fixture-server.ts';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { ConfigError } from '../src/config/config-error.ts';
import { normalizeConfig } from '../src/config/normalize-config.ts';
import { createChecker } from '../src/config/config-checker.ts';
import { normalizeUpstreamTlsOptions } from '../src/tls/tls-config.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';
import { makeTestCertificates, opensslMissing, type TestCertificates } from './helpers/test-certificates.ts';
import { withoutRequestId } from './helpers/request-id.ts';

const skip = opensslMissing();
let certs: TestCertificates;
before(() => {
  if (!skip) certs = makeTestCertificates();
});
after(() => certs?.remove());

const sdl = /* GraphQL */ 'type Query { hello: String @http(GET: "/hello", select: "message") }';

/** An HTTPS service that demands a client certificate issued by the test CA; closed when the test ends. */
async function startMutualTlsService(t: TestContext) {
  const clients: string[] = [];
  const server = createServer(
    { cert: certs.read(certs.server.cert), key: certs.read(certs.server.key), ca: certs.read(certs.ca.cert), requestCert: true, rejectUnauthorized: true },
    (request, response) => {
      clients.push(String((request.socket as TLSSocket).getPeerCertificate().subject.CN));
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'hello over mTLS' }));
    },
  );
  return { url: `https://127.0.0.1:${await listenUntilTestEnds(t, server)}`, clients };
}

test('a source with tls reaches an mTLS service with its client certificate', { skip }, async (t) => {
  const service = await startMutualTlsService(t);
  const tls = { ca: certs.ca.cert, cert: certs.client.cert, key: certs.client.key, servername: 'localhost' };
  const gateway = await startTestGateway(t, { things: { kind: 'rest', url: service.url, sdl, tls } });

  const response = await postGraphQL(gateway.endpoint, '{ hello }');

  assert.deepEqual(response.body, { data: { hello: 'hello over mTLS' } });
  assert.deepEqual(service.clients, ['client']);
});

test('without the client certificate the field fails with DOWNSTREAM_SERVICE_ERROR, naming the service only', { skip }, async (t) => {
  const service = await startMutualTlsService(t);
  const gateway = await startTestGateway(t, { things: { kind: 'rest', url: service.url, sdl, tls: { ca: certs.ca.cert } } });

  const response = await postGraphQL(gateway.endpoint, '{ hello }');

  assert.equal(response.status, 200);
  assert.deepEqual(withoutRequestId(response), {
    data: { hello: null },
    errors: [
      {
        message: 'Service "things" could not be reached.',
        locations: [{ line: 1, column: 3 }],
        path: ['hello'],
        extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', service: 'things' },
      },
    ],
  });
  assert.doesNotMatch(response.text, /127\.0\.0\.1|certificate|alert|ECONN|stack/i);
  assert.deepEqual(service.clients, []);
});

test('TLS file mistakes are config problems naming the key and the file', { skip }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'concierge-tls-config-'));
  try {
    writeFileSync(path.join(dir, 'notes.txt'), 'not a certificate\n');
    const problems = problemsOf(
      {
        tls: { cert: 'missing.pem', key: 'notes.txt', http: { port: 80, mode: 'bounce' }, hsts: { maxAge: 600, preload: true } },
        sources: {
          users: { kind: 'graphql', url: 'http://users/graphql', tls: { ca: certs.ca.key, cert: certs.client.cert } },
          orders: { kind: 'rest', url: 'https://orders', tls: { cert: certs.client.cert, key: certs.server.key, rejectUnauthorized: 'no' } },
        },
      },
      dir,
    );
    assert.deepEqual(problems, [
      'config.sources.users.url: expected an https:// URL, since tls is set, got "http://users/graphql"',
      `config.sources.users.tls.ca: expected a PEM certificate file, got ${JSON.stringify(certs.ca.key)} (no "-----BEGIN CERTIFICATE-----" block in ${certs.ca.key})`,
      'config.sources.users.tls.key: expected a PEM file to go with cert for mutual TLS, got nothing',
      `config.sources.orders.tls.key: expected the private key of the certificate in ${JSON.stringify(certs.client.cert)}, got ${JSON.stringify(certs.server.key)}`,
      'config.sources.orders.tls.rejectUnauthorized: expected true or false, got "no"',
      `config.tls.cert: expected a readable PEM certificate file, got "missing.pem" (no such file: ${path.join(dir, 'missing.pem')})`,
      `config.tls.key: expected a PEM private key file, got "notes.txt" (no "-----BEGIN PRIVATE KEY-----" block in ${path.join(dir, 'notes.txt')})`,
      'config.tls.http.mode: expected one of "redirect", "refuse", "allow", got "bounce"',
      'config.tls.hsts.preload: expected maxAge of at least 31536000 (a year) and includeSubDomains: true, as the preload list requires, got maxAge 600 and includeSubDomains true',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a source with tls must be reached over https://', { skip }, () => {
  const problems: string[] = [];
  const context = { check: createChecker(problems), baseDir: certs.dir };
  const tls = normalizeUpstreamTlsOptions({ ca: 'ca.pem' }, 'config.sources.users.tls', context, 'http://users:4001/graphql');
  assert.deepEqual(problems, ['config.sources.users.url: expected an https:// URL, since tls is set, got "http://users:4001/graphql"']);
  assert.deepEqual(tls, { ca: certs.read(certs.ca.cert), rejectUnauthorized: true });
});

test('a valid tls section reads the files and fills in the defaults', { skip }, () => {
  const config = normalizeConfig(
    { tls: { cert: 'server.pem', key: 'server-key.pem' }, sources: { users: { kind: 'graphql', url: 'https://users/graphql' } } },
    { baseDir: certs.dir, env: {} },
  );
  assert.deepEqual(config.tls, {
    cert: certs.read(certs.server.cert),
    key: certs.read(certs.server.key),
    files: { cert: certs.server.cert, key: certs.server.key },
    reload: true,
    hsts: { maxAge: 15_552_000, includeSubDomains: true, preload: false },
  });
});

function problemsOf(raw: unknown, baseDir: string): readonly string[] {
  try {
    normalizeConfig(raw, { baseDir, env: {} });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}
