import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SignJWT, generateKeyPair, exportSPKI, type JWTPayload } from 'jose';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createJwtVerifier } from '../src/auth/create-jwt-verifier.ts';
import { normalizeConfig } from '../src/config/normalize-config.ts';
import { ConfigError } from '../src/config/config-error.ts';

/**
 * The verified-token cache: a token's next request skips the signature check (counted on
 * `crypto.subtle.verify`, which jose calls), but never outlives the token's `exp`, never admits a
 * token that has not passed once, and is off with `cacheSize: 0`. Time is an injected clock.
 */

const start = Date.UTC(2026, 0, 1, 12) / 1000;

async function setup(t: import('node:test').TestContext, jwt: Record<string, unknown> = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-jwt-cache-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  await writeFile(path.join(dir, 'es.pem'), await exportSPKI(publicKey));
  const { authentication } = normalizeConfig(
    {
      sources: { hello: { kind: 'rest', url: 'http://hello' } },
      authentication: { jwt: { keys: [{ file: 'es.pem', algorithms: ['ES256'] }], clockTolerance: 30, ...jwt } },
    },
    { baseDir: dir, env: {} },
  );
  assert.ok(authentication.jwt);
  const clock = { now: start * 1000 };
  const verifier = createJwtVerifier(authentication.jwt, { clock: { now: () => clock.now } });
  const verifications = t.mock.method(crypto.subtle, 'verify');
  const sign = (claims: JWTPayload = {}) =>
    new SignJWT({ sub: 'user-1', iat: start, exp: start + 600, scope: 'a b', ...claims }).setProtectedHeader({ alg: 'ES256' }).sign(privateKey);
  return { verifier, clock, sign, verifications };
}

test('a verified token skips the signature check on its next uses, until its exp (plus tolerance) passes', async (t) => {
  const { verifier, clock, sign, verifications } = await setup(t);
  const token = await sign();
  for (let index = 0; index < 5; index += 1) {
    const result = await verifier.verify(token);
    assert.deepEqual(result.ok && [result.jwt.subject, result.jwt.scopes], ['user-1', ['a', 'b']]);
  }
  assert.equal(verifications.mock.callCount(), 1, 'one signature check for five uses');

  clock.now = (start + 600 + 29) * 1000;
  assert.equal((await verifier.verify(token)).ok, true, 'within the clock tolerance after exp');
  clock.now = (start + 600 + 30) * 1000;
  assert.deepEqual(await verifier.verify(token), { ok: false, message: 'The token has expired.' });
  assert.deepEqual(await verifier.verify(token), { ok: false, message: 'The token has expired.' }, 'an expired token is not cached back');
});

test('the cache admits nothing unverified: a tampered token, a not-yet-valid one, and a token with a changed signature are checked and refused', async (t) => {
  const { verifier, clock, sign, verifications } = await setup(t);
  const token = await sign();
  assert.equal((await verifier.verify(token)).ok, true);
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const other = Buffer.from(JSON.stringify({ sub: 'admin', exp: start + 600, scope: 'admin' })).toString('base64url');
  assert.deepEqual(await verifier.verify(`${header}.${other}.${signature}`), { ok: false, message: "The token's signature is invalid." });
  const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
  assert.equal((await verifier.verify(`${header}.${payload}.${flipped}`)).ok, false);
  const later = await sign({ nbf: start + 300 });
  assert.deepEqual(await verifier.verify(later), { ok: false, message: 'The token is not valid yet (nbf).' });
  clock.now = (start + 300) * 1000;
  assert.equal((await verifier.verify(later)).ok, true, 'valid once nbf has come');
  assert.equal(verifications.mock.callCount(), 5, 'every token not seen valid before was checked');
});

test('cacheSize: 0 checks every use; a bad cacheSize stops start-up naming the key', async (t) => {
  const { verifier, sign, verifications } = await setup(t, { cacheSize: 0 });
  const token = await sign();
  for (let index = 0; index < 3; index += 1) assert.equal((await verifier.verify(token)).ok, true);
  assert.equal(verifications.mock.callCount(), 3);
  assert.throws(
    () =>
      normalizeConfig(
        {
          sources: { hello: { kind: 'rest', url: 'http://hello' } },
          authentication: { jwt: { keys: [{ secret: 'x'.repeat(32), algorithms: ['HS256'] }], cacheSize: -1 } },
        },
        { baseDir: '.', env: {} },
      ),
    (error: unknown) => error instanceof ConfigError && /config\.authentication\.jwt\.cacheSize/.test(error.message) && /-1/.test(error.message),
  );
});
