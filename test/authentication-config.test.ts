import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { ConfigError } from '../src/config/config-error.ts';
import { normalizeConfig } from '../src/config/normalize-config.ts';

const sources = { users: { kind: 'graphql', url: 'http://users:4001/graphql' } };
const hash = 'a'.repeat(64);

/** A folder with an RSA public key (rsa.pem), its private key (private.pem) and an EC JWK (ec.json). */
async function keyFolder(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-auth-config-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await writeFile(path.join(dir, 'rsa.pem'), rsa.publicKey.export({ type: 'spki', format: 'pem' }));
  await writeFile(path.join(dir, 'private.pem'), rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  await writeFile(path.join(dir, 'ec.json'), JSON.stringify({ keys: [{ ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1' }] }));
  return dir;
}

function problemsOf(extra: Record<string, unknown>, baseDir = '/srv/gateway'): readonly string[] {
  try {
    normalizeConfig({ sources, ...extra }, { baseDir, env: {} });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

test('defaults: anonymous only without authentication; keys are read and consumers parsed', async (t) => {
  assert.deepEqual(normalizeConfig({ sources }, { env: {} }).authentication, { required: false });
  const dir = await keyFolder(t);
  const { authentication } = normalizeConfig(
    {
      sources,
      authentication: {
        jwt: {
          jwks: { url: 'https://idp.example.com/jwks.json', algorithms: ['RS256'] },
          keys: [
            { file: 'rsa.pem', kid: 'r1', algorithms: ['RS256', 'PS256'] },
            { file: 'ec.json', algorithms: ['ES256'] },
          ],
          issuer: 'https://idp.example.com',
          audience: ['a', 'b'],
        },
      },
      consumers: {
        shop: { keyHash: hash.toUpperCase(), scopes: ['orders:read'], plan: 'gold', ipAllow: ['10.0.0.0/8'], origins: ['https://shop.example.com'] },
      },
    },
    { baseDir: dir, env: {} },
  );
  const { jwt, apiKeys } = authentication;
  assert.deepEqual(jwt?.jwks, { url: 'https://idp.example.com/jwks.json', algorithms: ['RS256'], refreshInterval: 30, timeout: 5000 });
  assert.deepEqual(
    jwt?.keys.map(({ kid, algorithms, material }) => ({ kid, algorithms, material: Object.keys(material)[0] })),
    [
      { kid: 'r1', algorithms: ['RS256', 'PS256'], material: 'spki' },
      { kid: 'ec-1', algorithms: ['ES256'], material: 'jwk' },
    ],
  );
  assert.deepEqual(
    [jwt?.issuer, jwt?.audience, jwt?.clockTolerance, jwt?.scopesClaim, jwt?.cookie],
    [['https://idp.example.com'], ['a', 'b'], 30, 'scope', undefined],
  );
  assert.equal(apiKeys?.header, 'x-api-key');
  const [shop] = apiKeys?.consumers ?? [];
  assert.deepEqual(
    { ...shop, ipAllow: undefined },
    {
      name: 'shop',
      keyHash: hash,
      scopes: ['orders:read'],
      plan: 'gold',
      ipAllow: undefined,
      origins: ['https://shop.example.com'],
      introspection: false,
      disabled: false,
    },
  );
  assert.equal(shop?.ipAllow?.check('10.1.2.3'), true);
});

test('algorithms: unknown, "none", HS on a public key or a JWKS, and one that does not fit the key', async (t) => {
  const dir = await keyFolder(t);
  const jwt = {
    jwks: { url: 'https://idp.example.com/jwks.json', algorithms: ['HS256', 'RS257'] },
    keys: [
      { file: 'rsa.pem', algorithms: ['HS256', 'none'] },
      { file: 'ec.json', algorithms: ['RS256'] },
      { secret: 'x'.repeat(40), algorithms: ['RS256', 'HS512'] },
    ],
  };
  assert.deepEqual(problemsOf({ authentication: { jwt } }, dir), [
    'config.authentication.jwt.jwks.algorithms[0]: expected an asymmetric algorithm for the public keys of a JWKS (RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519), got "HS256" (HS algorithms verify with a shared secret: accepting one with a public key would let anyone holding that key sign tokens)',
    'config.authentication.jwt.jwks.algorithms[1]: expected one of HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519, got "RS257"',
    'config.authentication.jwt.keys[0].algorithms[0]: expected an algorithm for the RSA public key in rsa.pem (RS256, RS384, RS512, PS256, PS384, PS512), got "HS256" (HS algorithms verify with a shared secret: accepting one with a public key would let anyone holding that key sign tokens)',
    'config.authentication.jwt.keys[0].algorithms[1]: expected a signature algorithm ("none" would accept unsigned tokens and is never allowed), got "none"',
    'config.authentication.jwt.keys[1].algorithms[0]: expected an algorithm for the EC P-256 public key in ec.json (ES256), got "RS256"',
    'config.authentication.jwt.keys[2].algorithms[0]: expected an HS algorithm (HS256, HS384, HS512) for a shared secret, got "RS256"',
    'config.authentication.jwt.keys[2].secret: expected a string of at least 64 bytes for HS512, got 40 bytes',
  ]);
});

test('key files: unreadable, a private key, neither or both of file and secret; secrets are never shown', async (t) => {
  const dir = await keyFolder(t);
  const keys = [
    { file: 'missing.pem', algorithms: ['RS256'] },
    { file: 'private.pem', algorithms: ['RS256'] },
    { algorithms: ['RS256'] },
    { file: 'rsa.pem', secret: 'hunter2', algorithms: ['HS256'] },
    { secret: 'hunter2', algorithms: ['HS256'] },
    'hunter2',
  ];
  const problems = problemsOf({ authentication: { jwt: { keys } } }, dir);
  assert.doesNotMatch(problems.join('\n'), /hunter2/);
  assert.deepEqual(problems, [
    `config.authentication.jwt.keys[0].file: expected a readable key file, got "missing.pem" (no such file: ${path.join(dir, 'missing.pem')})`,
    'config.authentication.jwt.keys[1].file: expected a PEM public key ("-----BEGIN PUBLIC KEY-----") or a JWK or JWKS JSON file of public keys, got "private.pem" (a private key)',
    'config.authentication.jwt.keys[2]: expected an object with exactly one of file and secret, got neither',
    'config.authentication.jwt.keys[3]: expected an object with exactly one of file and secret, got both',
    'config.authentication.jwt.keys[4].secret: expected a string of at least 32 bytes for HS256, got 7 bytes',
    'config.authentication.jwt.keys[5]: expected an object with exactly one of file and secret, got a string',
  ]);
  assert.deepEqual(problemsOf({ authentication: { jwt: { keys: 'hunter2' } } }), [
    'config.authentication.jwt.keys: expected a list of keys, got a string (not shown: it may hold a secret)',
  ]);
  assert.deepEqual(problemsOf({ authentication: { jwt: { secret: 'hunter2' } } }), [
    'config.authentication.jwt.secret: unknown option; expected one of jwks, keys, issuer, audience, clockTolerance, cookie, scopesClaim, cacheSize',
    'config.authentication.jwt: expected jwks or keys (where the signing keys come from), got neither',
  ]);
});

test('a JWKS file may mix key types: each key verifies the listed algorithms that fit it', async (t) => {
  const dir = await keyFolder(t);
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
  await writeFile(
    path.join(dir, 'mixed.json'),
    JSON.stringify({
      keys: [
        { ...rsa, kid: 'r' },
        { ...ec, kid: 'e' },
      ],
    }),
  );
  const keys = normalizeConfig(
    { sources, authentication: { jwt: { keys: [{ file: 'mixed.json', algorithms: ['RS256', 'ES256'] }] } } },
    { baseDir: dir, env: {} },
  ).authentication.jwt?.keys;
  assert.deepEqual(
    keys?.map(({ kid, algorithms }) => [kid, algorithms]),
    [
      ['r', ['RS256']],
      ['e', ['ES256']],
    ],
  );
  assert.deepEqual(problemsOf({ authentication: { jwt: { keys: [{ file: 'mixed.json', algorithms: ['ES384'] }] } } }, dir), [
    'config.authentication.jwt.keys[0].algorithms[0]: expected an algorithm for the RSA and EC P-256 public keys in mixed.json (RS256, RS384, RS512, PS256, PS384, PS512, ES256), got "ES384"',
  ]);
  await writeFile(path.join(dir, 'broken.pem'), '-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n');
  assert.deepEqual(problemsOf({ authentication: { jwt: { keys: [{ file: 'broken.pem', algorithms: ['RS256'] }] } } }, dir), [
    `config.authentication.jwt.keys[0].file: expected a PEM public key ("-----BEGIN PUBLIC KEY-----") or a JWK or JWKS JSON file of public keys, got "broken.pem" (a key in ${path.join(dir, 'broken.pem')} does not parse)`,
  ]);
});

test('consumers: keyHash, duplicates, names, addresses, origins and unknown options', () => {
  assert.deepEqual(
    problemsOf({
      consumers: {
        shop: { keyHash: 'abc123' },
        app: { keyHash: hash, ipAllow: ['10.0.0.300'], origins: ['https://a.example.com/path'], scope: ['x'] },
        twin: { keyHash: hash, disabled: 'yes' },
        '9lives': { keyHash: 'b'.repeat(64) },
      },
      authentication: { apiKeys: { header: 'x api key' }, required: 'no' },
    }),
    [
      'config.authentication.apiKeys.header: expected a name of letters, digits and !#$%&\'*+.^_`|~-, got "x api key"',
      'config.authentication.required: expected true or false, got "no"',
      'config.consumers.shop.keyHash: expected the hex SHA-256 of the API key (64 hex digits; "concierge keys create shop" prints a key and its hash), got "abc123"',
      'config.consumers.app.scope: unknown option; expected one of keyHash, scopes, plan, ipAllow, origins, introspection, arbitraryDocuments, disabled',
      'config.consumers.app.ipAllow[0]: expected an IPv4 or IPv6 address, or a CIDR range such as "10.0.0.0/8", got "10.0.0.300"',
      'config.consumers.app.origins[0]: expected an origin such as "https://shop.example.com" or "https://*.example.com" (scheme, host, optional port; no path), got "https://a.example.com/path"',
      'config.consumers.twin.keyHash: expected a key no other consumer has, got the keyHash of config.consumers.app',
      'config.consumers.twin.disabled: expected true or false, got "yes"',
      'config.consumers.9lives: expected a name of letters, digits, - and _ starting with a letter, got "9lives"',
    ],
  );
});
