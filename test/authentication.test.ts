import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import type { Plugin } from 'graphql-yoga';
import { base64url, exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { createApiKey, createApiKeyLookup, hashApiKey } from '../src/auth/api-keys.ts';
import { consumerOf } from '../src/auth/consumer.ts';
import { createJwtVerifier } from '../src/auth/create-jwt-verifier.ts';
import { normalizeConfig } from '../src/config/normalize-config.ts';
import { useAuthentication } from '../src/plugins/use-authentication.ts';
import { json, startFixtureServer, type FixtureServer } from './helpers/fixture-server.ts';
import { postGraphQL, type GraphQLResponse } from './helpers/graphql-request.ts';
import { root } from './helpers/start-shop.ts';
import { createManualClock, type ManualClock } from './helpers/manual-clock.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';
import { withoutRequestId } from './helpers/request-id.ts';

const issuer = 'https://idp.test';
const audience = 'concierge';
const shopKey = 'ck_shop-key-for-tests';
const revokedKey = 'ck_revoked-key-for-tests';
const helloSdl = /* GraphQL */ `type Query { hello: String @http(GET: "/hello", select: "message") }`;

/** An RSA signing key with its public JWK (kid included) and SPKI PEM. */
async function signingKey(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } as JWK, pem: await exportSPKI(publicKey) };
}

/** A token for `sub` "user-1", valid for an hour unless `claims` says otherwise. */
function sign(key: { privateKey: CryptoKey | Uint8Array; kid?: string }, claims: JWTPayload = {}, alg = 'RS256'): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: 'user-1', iss: issuer, aud: audience, iat: now, exp: now + 3600, scope: 'orders:read profile', ...claims })
    .setProtectedHeader({ alg, ...(key.kid ? { kid: key.kid } : {}) })
    .sign(key.privateKey);
}

/** An identity provider's JWKS endpoint: its keys, whether it is down, and the requests it got. */
async function startIdentityProvider(t: TestContext, keys: JWK[], state = { down: false }): Promise<FixtureServer & { state: typeof state }> {
  const server = await startFixtureServer(t, (_request, response) => (state.down ? json(response, 503, { message: 'down' }) : json(response, 200, { keys })));
  return Object.assign(server, { state });
}

/** The JWKS `refreshInterval` of {@link startSecuredGateway}, in seconds. */
const refreshInterval = 300;

/** A REST service with one field, behind a gateway with JWT (JWKS) and API-key authentication; its time is `clock`'s, when given. */
async function startSecuredGateway(t: TestContext, idp: FixtureServer, clock?: ManualClock) {
  const upstream = await startFixtureServer(t, (_request, response) => json(response, 200, { message: 'world' }));
  const gateway = await startTestGateway(
    t,
    { hello: { kind: 'rest', url: upstream.url, sdl: helloSdl } },
    {
      authentication: { jwt: { jwks: { url: `${idp.url}/jwks.json`, algorithms: ['RS256'], refreshInterval }, issuer, audience, cookie: 'session' } },
      consumers: {
        shop: { keyHash: hashApiKey(shopKey), scopes: ['orders:read', 'products:read'], plan: 'gold' },
        legacy: { keyHash: hashApiKey(revokedKey), disabled: true },
      },
    },
    clock ? { clock } : {},
  );
  const hello = (headers: Record<string, string>) => postGraphQL(gateway.endpoint, '{ hello }', undefined, headers);
  return { upstream, hello };
}

function assertRefused(response: GraphQLResponse, message: string, label: string): void {
  assert.equal(response.status, 401, `${label}: status of ${response.text}`);
  assert.deepEqual(withoutRequestId(response), { errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] }, label);
  assert.equal(response.headers.get('www-authenticate'), 'Bearer error="invalid_token"', label);
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

test('every bad credential is 401 UNAUTHENTICATED with its own message, and the service is never called', async (t) => {
  const key = await signingKey('k1');
  const { upstream, hello } = await startSecuredGateway(t, await startIdentityProvider(t, [key.jwk]));
  assert.deepEqual((await hello(bearer(await sign(key)))).body, { data: { hello: 'world' } }, 'a valid token (fetches the JWKS)');
  const calls = upstream.requests.length;

  const now = Math.floor(Date.now() / 1000);
  const impostor = await signingKey('k1');
  const unsigned = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url.encode(JSON.stringify({ sub: 'admin', iss: issuer, aud: audience, exp: now + 3600 }))}.`;
  const confused = await sign({ privateKey: new TextEncoder().encode(key.pem), kid: 'k1' }, {}, 'HS256');
  const cases: Array<[string, Record<string, string>, string]> = [
    ['expired', bearer(await sign(key, { iat: now - 7200, exp: now - 3600 })), 'The token has expired.'],
    ['not yet valid', bearer(await sign(key, { nbf: now + 600 })), 'The token is not valid yet (nbf).'],
    ['wrong audience', bearer(await sign(key, { aud: 'someone-else' })), "The token's audience (aud) is not accepted."],
    ['wrong issuer', bearer(await sign(key, { iss: 'https://evil.test' })), "The token's issuer (iss) is not accepted."],
    ['no expiry', bearer(await sign(key, { exp: undefined })), 'The token has no expiry claim (exp).'],
    ['garbled', bearer('not-a.jwt'), 'The token is malformed: expected a signed JWT (header.payload.signature).'],
    ['empty bearer', { authorization: 'Bearer' }, 'The token is malformed: expected a signed JWT (header.payload.signature).'],
    ['alg none', bearer(unsigned), 'The token\'s algorithm "none" is not allowed.'],
    ['HS256 signed with the public key (algorithm confusion)', bearer(confused), 'The token\'s algorithm "HS256" is not allowed.'],
    ['another key under a known kid', bearer(await sign(impostor)), "The token's signature is invalid."],
    ['unknown kid', bearer(await sign({ ...impostor, kid: 'k9' })), "The token's signing key (kid) is not known."],
    ['bad token in the cookie', { cookie: 'theme=dark; session=garbage' }, 'The token is malformed: expected a signed JWT (header.payload.signature).'],
    ['wrong API key', { 'x-api-key': 'ck_guess' }, 'The API key is not valid.'],
    ['revoked API key', { 'x-api-key': revokedKey }, 'The API key of consumer "legacy" has been revoked.'],
    ['good token, wrong API key', { ...bearer(await sign(key)), 'x-api-key': 'ck_guess' }, 'The API key is not valid.'],
    ['good API key, expired token', { ...bearer(await sign(key, { exp: now - 3600 })), 'x-api-key': shopKey }, 'The token has expired.'],
  ];
  for (const [label, headers, message] of cases) {
    const response = await hello(headers);
    assertRefused(response, message, label);
    assert.doesNotMatch(response.text, /eyJ/, `${label}: the token is not echoed`);
  }
  assert.equal(upstream.requests.length, calls, 'no refused request reached the service');
});

test('anonymous, a JWT (header or cookie), an API key, or both reach the service', async (t) => {
  const key = await signingKey('k1');
  const { upstream, hello } = await startSecuredGateway(t, await startIdentityProvider(t, [key.jwk]));
  const token = await sign(key);
  const ways: Array<[string, Record<string, string>]> = [
    ['anonymous', {}],
    ['bearer token', bearer(token)],
    ['cookie', { cookie: `theme=dark; session=${token}` }],
    ['another Authorization scheme is not ours to judge', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['API key', { 'x-api-key': shopKey }],
    ['both', { ...bearer(token), 'x-api-key': shopKey }],
  ];
  for (const [label, headers] of ways) {
    const response = await hello(headers);
    assert.deepEqual([response.status, response.body], [200, { data: { hello: 'world' } }], `${label}: ${response.text}`);
  }
  assert.equal(upstream.requests.length, ways.length);
});

test('unknown kids refetch the JWKS at most once per refreshInterval; known keys outlive an outage', async (t) => {
  const [k1, k2] = [await signingKey('k1'), await signingKey('k2')];
  const keys = [k1.jwk];
  const idp = await startIdentityProvider(t, keys);
  const clock = createManualClock(Date.now());
  const { upstream, hello } = await startSecuredGateway(t, idp, clock);
  const unknown = bearer(await sign({ ...k2, kid: 'nobody' }));
  const interval = refreshInterval * 1000;
  const unknownKid = "The token's signing key (kid) is not known.";

  assert.equal((await hello(bearer(await sign(k1)))).status, 200);
  assert.equal(idp.requests.length, 1, 'first token fetches the JWKS');
  for (let index = 0; index < 10; index += 1) assertRefused(await hello(unknown), unknownKid, `unknown kid ${index} within the interval`);
  clock.advance(interval - 1);
  assertRefused(await hello(unknown), unknownKid, 'unknown kid 1 ms before the interval ends');
  assert.equal(idp.requests.length, 1, 'no refetch within refreshInterval');

  clock.advance(1);
  await Promise.all(Array.from({ length: 10 }, async () => assertRefused(await hello(unknown), unknownKid, 'unknown kid after the interval')));
  assert.equal(idp.requests.length, 2, 'one refetch for ten concurrent unknown kids');

  keys.push(k2.jwk);
  clock.advance(interval);
  assert.equal((await hello(bearer(await sign(k2)))).status, 200, 'a rotated-in key is picked up');
  assert.equal(idp.requests.length, 3);

  idp.state.down = true;
  clock.advance(interval);
  for (let index = 0; index < 5; index += 1) assert.equal((await hello(bearer(await sign(k1)))).status, 200, 'cached key while the JWKS is down');
  assert.equal(idp.requests.length, 3, 'known kids need no fetch');
  for (let index = 0; index < 5; index += 1)
    assertRefused(await hello(unknown), 'The signing keys (JWKS) could not be fetched; try again later.', 'unknown kid while down');
  assert.equal(idp.requests.length, 4, 'one failed attempt, then none until the interval has passed');
  clock.advance(interval);
  assertRefused(await hello(unknown), 'The signing keys (JWKS) could not be fetched; try again later.', 'unknown kid, one interval after the failed attempt');
  assert.equal(idp.requests.length, 5, 'tried again once the interval has passed');
  assert.equal(upstream.requests.length, 7);
});

test('with no keys ever fetched, tokens are refused (fail closed) and the JWKS is tried once per interval', async (t) => {
  const key = await signingKey('k1');
  const idp = await startIdentityProvider(t, [key.jwk], { down: true });
  const clock = createManualClock(Date.now());
  const { upstream, hello } = await startSecuredGateway(t, idp, clock);
  const token = bearer(await sign(key));
  for (let index = 0; index < 5; index += 1)
    assertRefused(await hello(token), 'The signing keys (JWKS) could not be fetched; try again later.', `attempt ${index}`);
  assert.equal(idp.requests.length, 1);
  assert.equal(upstream.requests.length, 0);
  idp.state.down = false;
  clock.advance(refreshInterval * 1000 - 1);
  assertRefused(await hello(token), 'The signing keys (JWKS) could not be fetched; try again later.', 'not retried within the interval');
  assert.equal(idp.requests.length, 1);
  clock.advance(1);
  assert.equal((await hello(token)).status, 200, 'recovers once the JWKS answers');
  assert.equal(idp.requests.length, 2);
});

test('the recorded consumer: JWT alone, API key alone, and both (scopes both grant)', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-auth-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const key = await signingKey('local');
  await writeFile(path.join(dir, 'rsa.pem'), key.pem);
  const { authentication } = normalizeConfig(
    {
      sources: { hello: { kind: 'rest', url: 'http://hello' } },
      authentication: { jwt: { keys: [{ file: 'rsa.pem', kid: 'local', algorithms: ['RS256'] }], issuer, audience } },
      consumers: {
        shop: {
          keyHash: hashApiKey(shopKey),
          scopes: ['orders:read', 'products:read'],
          plan: 'gold',
          ipAllow: ['10.0.0.0/8'],
          origins: ['https://shop.example.com'],
          introspection: true,
          arbitraryDocuments: false,
        },
      },
    },
    { baseDir: dir, env: {} },
  );
  const onRequest = useAuthentication(authentication).onRequest as NonNullable<Plugin['onRequest']>;
  const consumerFor = async (headers: Record<string, string>) => {
    const request = new Request('http://gateway/graphql', { headers });
    let ended: Response | undefined;
    await onRequest({ request, endResponse: (response: Response) => void (ended = response) } as unknown as Parameters<typeof onRequest>[0]);
    assert.equal(ended, undefined);
    return consumerOf(request);
  };
  const token = await sign(key);

  assert.equal(await consumerFor({}), undefined, 'anonymous');
  const viaJwt = await consumerFor(bearer(token));
  assert.deepEqual(
    { ...viaJwt, claims: viaJwt?.claims?.['sub'] },
    { id: 'user-1', via: 'jwt', scopes: ['orders:read', 'profile'], claims: 'user-1', introspection: false },
  );
  const viaKey = await consumerFor({ 'x-api-key': shopKey });
  assert.deepEqual(
    { ...viaKey, ipAllow: viaKey?.ipAllow?.check('10.9.9.9') },
    {
      id: 'shop',
      via: 'api-key',
      name: 'shop',
      scopes: ['orders:read', 'products:read'],
      plan: 'gold',
      introspection: true,
      arbitraryDocuments: false,
      ipAllow: true,
      origins: ['https://shop.example.com'],
    },
  );
  const viaBoth = await consumerFor({ ...bearer(token), 'x-api-key': shopKey });
  assert.deepEqual(
    [viaBoth?.id, viaBoth?.via, viaBoth?.scopes, viaBoth?.plan, viaBoth?.claims?.['sub']],
    ['shop', 'jwt+api-key', ['orders:read'], 'gold', 'user-1'],
  );
});

test('required: anonymous requests are refused at the door with a plain Bearer challenge', async () => {
  const { authentication } = normalizeConfig(
    { sources: { hello: { kind: 'rest', url: 'http://hello' } }, authentication: { required: true }, consumers: { shop: { keyHash: hashApiKey(shopKey) } } },
    { env: {} },
  );
  const onRequest = useAuthentication(authentication).onRequest as NonNullable<Plugin['onRequest']>;
  const respond = async (headers: Record<string, string>) => {
    let ended: Response | undefined;
    await onRequest({
      request: new Request('http://gateway/graphql', { headers }),
      endResponse: (response: Response) => void (ended = response),
    } as unknown as Parameters<typeof onRequest>[0]);
    return ended;
  };
  const refused = await respond({ accept: 'application/json' });
  assert.equal(refused?.status, 401);
  assert.equal(refused?.headers.get('www-authenticate'), 'Bearer');
  assert.deepEqual(await refused?.json(), {
    errors: [{ message: 'Authentication is required: send a bearer token or an API key.', extensions: { code: 'UNAUTHENTICATED' } }],
  });
  assert.equal(await respond({ 'x-api-key': shopKey }), undefined);
});

test('JWT verifier with local keys: a PEM and a secret, scopes from "scope" or "scp", algorithm confusion', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-auth-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const key = await signingKey('rsa');
  await writeFile(path.join(dir, 'rsa.pem'), key.pem);
  const secret = 'a shared secret of at least 32 bytes!';
  const { authentication } = normalizeConfig(
    {
      sources: { hello: { kind: 'rest', url: 'http://hello' } },
      authentication: {
        jwt: {
          keys: [
            { file: 'rsa.pem', algorithms: ['RS256'] },
            { secret, algorithms: ['HS256'] },
          ],
          clockTolerance: 0,
        },
      },
    },
    { baseDir: dir, env: {} },
  );
  assert.ok(authentication.jwt);
  const verifier = createJwtVerifier(authentication.jwt);
  const hmac = { privateKey: new TextEncoder().encode(secret) };

  const viaList = await verifier.verify(await sign({ ...key, kid: undefined }, { scope: undefined, scp: ['a', 'b'] }));
  assert.deepEqual(viaList.ok && viaList.jwt.scopes, ['a', 'b']);
  const viaSecret = await verifier.verify(await sign(hmac, { scope: 'x  y' }, 'HS256'));
  assert.deepEqual(viaSecret.ok && [viaSecret.jwt.subject, viaSecret.jwt.scopes], ['user-1', ['x', 'y']]);
  const confused = await sign({ privateKey: new TextEncoder().encode(key.pem) }, {}, 'HS256');
  assert.deepEqual(
    await verifier.verify(confused),
    { ok: false, message: "The token's signature is invalid." },
    'HS256 is checked against the secret only, never the PEM',
  );
  assert.deepEqual(await verifier.verify(await sign(hmac, { sub: undefined }, 'HS256')), { ok: false, message: 'The token has no subject claim (sub).' });
  assert.deepEqual(await verifier.verify(await sign(hmac, {}, 'HS512')), { ok: false, message: 'The token\'s algorithm "HS512" is not allowed.' });
  assert.deepEqual(await verifier.verify(await sign(hmac, { exp: Math.floor(Date.now() / 1000) - 1 }, 'HS256')), {
    ok: false,
    message: 'The token has expired.',
  });
});

test('API keys: created keys hash to their keyHash; lookup finds the consumer or nothing', () => {
  const { key, keyHash } = createApiKey();
  assert.match(key, /^ck_[A-Za-z0-9_-]{43}$/);
  assert.equal(hashApiKey(key), keyHash);
  assert.notEqual(createApiKey().key, key);
  const find = createApiKeyLookup([
    { name: 'a', keyHash: hashApiKey('one') },
    { name: 'b', keyHash },
  ]);
  assert.equal(find(key)?.name, 'b');
  assert.equal(find('one')?.name, 'a');
  assert.equal(find('two'), undefined);
  assert.equal(find(''), undefined);
});

test('concierge keys create <consumer> prints a new key once and the config line with its hash', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(root, 'bin/concierge.js'), 'keys', 'create', 'shop'], { cwd: tmpdir() });
  const match =
    /^API key for consumer "shop" \(shown only now; the gateway keeps only its hash\):\n\n {2}(ck_[A-Za-z0-9_-]{43})\n\nDeclare it in the gateway config:\n\n {2}consumers: \{ shop: \{ keyHash: '([0-9a-f]{64})' \} \}\n$/.exec(
      stdout,
    );
  assert.ok(match, stdout);
  assert.equal(hashApiKey(match[1] ?? ''), match[2]);
});

test('a JWKS answer over 1 MiB is refused as it arrives, declared or chunked: tokens fail closed until a normal answer', async (t) => {
  const key = await signingKey('k1');
  const padding = 'a'.repeat(1_100_000);
  const state = { mode: 'declared' as 'declared' | 'chunked' | 'normal' };
  const idp = await startFixtureServer(t, (_request, response) => {
    if (state.mode === 'normal') return json(response, 200, { keys: [key.jwk] });
    // The right key, inside an answer too long to read: refused all the same.
    const text = JSON.stringify({ keys: [key.jwk], padding });
    if (state.mode === 'declared') return json(response, 200, JSON.parse(text));
    response.writeHead(200, { 'content-type': 'application/json' });
    for (let at = 0; at < text.length; at += 65_536) response.write(text.slice(at, at + 65_536));
    response.end();
  });
  const clock = createManualClock(Date.now());
  const { upstream, hello } = await startSecuredGateway(t, idp, clock);
  const token = bearer(await sign(key));
  assertRefused(await hello(token), 'The signing keys (JWKS) could not be fetched; try again later.', 'declared length over the limit');
  state.mode = 'chunked';
  clock.advance(refreshInterval * 1000);
  assertRefused(await hello(token), 'The signing keys (JWKS) could not be fetched; try again later.', 'chunked answer over the limit');
  state.mode = 'normal';
  clock.advance(refreshInterval * 1000);
  assert.equal((await hello(token)).status, 200, 'a normal answer is read');
  assert.deepEqual([idp.requests.length, upstream.requests.length], [3, 1]);
});
