import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { jwtVerify } from 'jose';
import { postGraphQL } from './helpers/graphql-request.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';

const sdl = 'type Query { whoami: String @http(GET: "/whoami") }';
const secret = 'a-shared-secret-of-at-least-32-bytes!!';
const apiKey = 'ck_identity-test-key-0123456789';

async function setUp(t: import('node:test').TestContext, identity: Record<string, unknown>, forwardHeaders: string[] = []) {
  const service = await startFixtureServer(t, (_request, response) => json(response, 200, 'ok'));
  const gateway = await startTestGateway(
    t,
    { profile: { kind: 'rest', url: service.url, sdl, forwardHeaders } },
    {
      identity,
      consumers: { shop: { keyHash: createHash('sha256').update(apiKey).digest('hex'), scopes: ['orders:read', 'profile:read'], plan: 'gold' } },
    },
  );
  return { service, gateway };
}

test('identity headers come from the verified consumer; client-sent copies are dropped', async (t) => {
  const { service, gateway } = await setUp(t, { headers: { 'X-Consumer': 'consumer', 'x-scopes': 'scopes', 'x-plan': 'plan' } }, [
    'x-consumer',
    'accept-language',
  ]);

  await postGraphQL(gateway.endpoint, '{ whoami }', undefined, { 'x-api-key': apiKey, 'x-consumer': 'admin', 'accept-language': 'fr' });
  await postGraphQL(gateway.endpoint, '{ whoami }', undefined, { 'x-consumer': 'admin', 'x-scopes': 'everything' });

  const [known, anonymous] = service.requests;
  assert.equal(known?.headers['x-consumer'], 'shop');
  assert.equal(known?.headers['x-scopes'], 'orders:read profile:read');
  assert.equal(known?.headers['x-plan'], 'gold');
  assert.equal(known?.headers['accept-language'], 'fr');
  assert.equal(anonymous?.headers['x-consumer'], undefined, 'an anonymous client cannot claim an identity, even through forwardHeaders');
  assert.equal(anonymous?.headers['x-scopes'], undefined);
});

test("the client's own token is not passed on unless forwardClientToken is set", async (t) => {
  const strict = await setUp(t, {}, ['authorization']);
  await postGraphQL(strict.gateway.endpoint, '{ whoami }', undefined, { authorization: 'Basic c2VjcmV0' });
  assert.equal(strict.service.requests[0]?.headers['authorization'], undefined);

  const passing = await setUp(t, { forwardClientToken: true });
  await postGraphQL(passing.gateway.endpoint, '{ whoami }', undefined, { authorization: 'Basic c2VjcmV0' });
  assert.equal(passing.service.requests[0]?.headers['authorization'], 'Basic c2VjcmV0');
});

test('a gateway-signed JWT names the consumer, is short-lived, and is addressed to the service', async (t) => {
  const { service, gateway } = await setUp(t, { signedToken: { algorithm: 'HS256', secret, ttl: 30, header: 'x-identity' } });

  await postGraphQL(gateway.endpoint, '{ whoami }', undefined, { 'x-api-key': apiKey });
  await postGraphQL(gateway.endpoint, '{ whoami }', undefined, { 'x-identity': 'forged' });

  const token = service.requests[0]?.headers['x-identity'];
  assert.equal(typeof token, 'string');
  const { payload, protectedHeader } = await jwtVerify(token as string, new TextEncoder().encode(secret), { issuer: 'concierge', audience: 'profile' });
  assert.equal(protectedHeader.alg, 'HS256');
  assert.equal(payload.sub, 'shop');
  assert.equal(payload['scope'], 'orders:read profile:read');
  assert.equal(payload['plan'], 'gold');
  assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 30);
  assert.equal(service.requests[1]?.headers['x-identity'], undefined, 'a forged copy from the client is dropped');
});

test('identity config mistakes name the key', async () => {
  const { normalizeConfig } = await import('../src/config/normalize-config.ts');
  assert.throws(
    () =>
      normalizeConfig({ sources: { a: { kind: 'rest', url: 'http://a' } }, identity: { signedToken: { algorithm: 'HS256', secret: 'short' } } }, { env: {} }),
    (error: Error & { problems?: string[] }) => {
      assert.deepEqual(error.problems, ['config.identity.signedToken.secret: expected a secret of at least 32 bytes, got "5 bytes"']);
      return true;
    },
  );
  assert.throws(
    () =>
      normalizeConfig(
        { sources: { a: { kind: 'rest', url: 'http://a' } }, identity: { signedToken: { algorithm: 'RS256', keyFile: 'missing.pem' } } },
        { env: {}, baseDir: '/nonexistent' },
      ),
    /config\.identity\.signedToken\.keyFile: expected a readable PKCS#8 PEM or JWK file, got "missing\.pem"/,
  );
});
