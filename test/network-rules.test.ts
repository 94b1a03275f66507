import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { parseAddressRanges } from '../src/security/address-ranges.ts';
import { resolveClientAddress } from '../src/security/client-address.ts';
import { createChecker } from '../src/config/config-checker.ts';
import { sendRaw } from './helpers/graphql-request.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';
import { withoutRequestId } from './helpers/request-id.ts';

const sdl = 'type Query { hello: String @http(GET: "/hello") }';

async function gatewayWith(t: TestContext, network: Record<string, unknown>) {
  const service = await startFixtureServer(t, (_request, response) => json(response, 200, 'world'));
  const gateway = await startTestGateway(t, { hello: { kind: 'rest', url: service.url, sdl } }, { network });
  const ask = (headers: Record<string, string> = {}, init: RequestInit = {}) =>
    sendRaw(gateway.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: '{ hello }' }),
      ...init,
    });
  return { gateway, service, ask };
}

test('the deny and allow lists refuse other addresses with 403 FORBIDDEN before any upstream call; probes still answer', async (t) => {
  const denied = await gatewayWith(t, { ipDeny: ['127.0.0.0/8'] });
  const refused = await denied.ask();
  assert.equal(refused.status, 403);
  assert.deepEqual(withoutRequestId(refused), { errors: [{ message: 'Requests from this address are not allowed.', extensions: { code: 'FORBIDDEN' } }] });
  assert.equal(denied.service.requests.length, 0);
  assert.equal((await fetch(`${denied.gateway.url}/healthz`)).status, 200);

  const elsewhere = await gatewayWith(t, { ipAllow: ['10.0.0.0/8', '2001:db8::/32'] });
  assert.equal((await elsewhere.ask()).status, 403);
  const local = await gatewayWith(t, { ipAllow: ['127.0.0.1', '::1'] });
  assert.deepEqual((await local.ask()).body, { data: { hello: 'world' } });
});

test('X-Forwarded-For and Forwarded are believed only from trusted proxies', async (t) => {
  const untrusted = await gatewayWith(t, { ipAllow: ['198.51.100.0/24'] });
  const spoofed = await untrusted.ask({ 'x-forwarded-for': '198.51.100.7', forwarded: 'for=198.51.100.7' });
  assert.equal(spoofed.status, 403, 'a spoofed address from an untrusted peer is ignored');

  const behindProxy = await gatewayWith(t, { ipAllow: ['198.51.100.0/24', '2001:db8::/32'], trustedProxies: ['127.0.0.1', '::1'] });
  assert.equal((await behindProxy.ask({ 'x-forwarded-for': '198.51.100.7' })).status, 200);
  assert.equal((await behindProxy.ask({ forwarded: 'for="[2001:db8:cafe::17]:4711";proto=https' })).status, 200);
  assert.equal((await behindProxy.ask({ 'x-forwarded-for': '203.0.113.9' })).status, 403);
  assert.equal((await behindProxy.ask()).status, 403, 'the proxy itself is not an allowed client');
});

test('the client is the nearest untrusted hop of the forwarding chain', () => {
  const check = createChecker([]);
  const proxies = parseAddressRanges('proxies', ['10.0.0.0/8'], check);
  const from = (peer: string, headers: Record<string, string>) =>
    resolveClientAddress(new Request('http://gateway/', { headers }), { socket: { remoteAddress: peer } } as never, proxies);
  assert.equal(from('10.0.0.2', { 'x-forwarded-for': '203.0.113.1, 198.51.100.2, 10.0.0.9' }), '198.51.100.2');
  assert.equal(from('10.0.0.2', { forwarded: 'for=192.0.2.60;proto=http, for="192.0.2.61:8080"' }), '192.0.2.61');
  assert.equal(from('203.0.113.50', { 'x-forwarded-for': '10.0.0.1' }), '203.0.113.50');
  assert.equal(from('::ffff:10.0.0.2', { 'x-forwarded-for': '192.0.2.1' }), '192.0.2.1', 'IPv4-mapped peers match IPv4 ranges');
});

test('browser origins: the allowlist answers CORS with credentials; any other origin gets 403', async (t) => {
  const { ask, gateway, service } = await gatewayWith(t, { origins: ['https://shop.example.com', 'https://*.example.org'] });

  const preflight = await fetch(gateway.endpoint, {
    method: 'OPTIONS',
    headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });
  assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://shop.example.com');
  assert.equal(preflight.headers.get('access-control-allow-credentials'), 'true');

  const allowed = await ask({ origin: 'https://admin.example.org' });
  assert.equal(allowed.status, 200);
  assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://admin.example.org');
  assert.match(allowed.headers.get('access-control-expose-headers') ?? '', /x-request-id/);

  const evil = await ask({ origin: 'https://evil.example.net' });
  assert.equal(evil.status, 403);
  assert.deepEqual(withoutRequestId(evil).errors?.[0], {
    message: 'Origin https://evil.example.net is not allowed: add it to network.origins.',
    extensions: { code: 'FORBIDDEN' },
  });
  const evilPreflight = await fetch(gateway.endpoint, {
    method: 'OPTIONS',
    headers: { origin: 'https://evil.example.net', 'access-control-request-method': 'POST' },
  });
  assert.equal(evilPreflight.headers.get('access-control-allow-origin'), null);
  assert.equal(service.requests.length, 1);
});

test('CSRF prevention: cookie-carrying requests a page on another site could forge are refused', async (t) => {
  const { ask, gateway, service } = await gatewayWith(t, {});
  const formPost = await ask({ cookie: 'session=1', 'content-type': 'text/plain' });
  assert.equal(formPost.status, 403);
  assert.match(formPost.body.errors?.[0]?.message ?? '', /cross-site request forgery/);
  const viaGet = await sendRaw(`${gateway.endpoint}?query=${encodeURIComponent('{ hello }')}`, { headers: { cookie: 'session=1' } });
  assert.equal(viaGet.status, 403);
  assert.equal(viaGet.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');

  assert.equal((await ask({ cookie: 'session=1' })).status, 200, 'a JSON body needs a preflight, so it is safe');
  const withHeader = await sendRaw(`${gateway.endpoint}?query=${encodeURIComponent('{ hello }')}`, {
    headers: { cookie: 'session=1', 'x-concierge-csrf': '1' },
  });
  assert.equal(withHeader.status, 200);
  assert.equal((await sendRaw(`${gateway.endpoint}?query=${encodeURIComponent('{ hello }')}`, {})).status, 200, 'no cookies, nothing to forge');
  assert.equal(service.requests.length, 3);
});

test('network config mistakes name the entry', async () => {
  const { normalizeConfig } = await import('../src/config/normalize-config.ts');
  assert.throws(
    () =>
      normalizeConfig(
        { sources: { a: { kind: 'rest', url: 'http://a' } }, network: { ipAllow: ['10.0.0.0/33', 'localhost'], origins: ['https://shop.example.com/path'] } },
        { env: {} },
      ),
    (error: Error & { problems?: string[] }) => {
      assert.deepEqual(error.problems, [
        'config.network.ipAllow[0]: expected an IPv4 or IPv6 address, or a CIDR range such as "10.0.0.0/8", got "10.0.0.0/33"',
        'config.network.ipAllow[1]: expected an IPv4 or IPv6 address, or a CIDR range such as "10.0.0.0/8", got "localhost"',
        'config.network.origins[0]: expected an origin such as "https://shop.example.com" or "https://*.example.com" (scheme, host, optional port; no path), got "https://shop.example.com/path"',
      ]);
      return true;
    },
  );
});

test("a consumer's own address and origin lists narrow what the gateway allows", async (t) => {
  const { createHash } = await import('node:crypto');
  const hash = (key: string) => createHash('sha256').update(key).digest('hex');
  const service = await startFixtureServer(t, (_request, response) => json(response, 200, 'world'));
  const gateway = await startTestGateway(
    t,
    { hello: { kind: 'rest', url: service.url, sdl } },
    {
      network: { origins: ['https://shop.example.com', 'https://admin.example.com'] },
      consumers: {
        office: { keyHash: hash('office-key-0123456789'), ipAllow: ['192.0.2.0/24'] },
        shop: { keyHash: hash('shop-key-0123456789'), origins: ['https://shop.example.com'] },
      },
    },
  );
  const ask = (headers: Record<string, string>) =>
    sendRaw(gateway.endpoint, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: '{ hello }' }) });

  const office = await ask({ 'x-api-key': 'office-key-0123456789' });
  assert.equal(office.status, 403);
  assert.deepEqual(withoutRequestId(office).errors?.[0], { message: 'Consumer "office" may not call from this address.', extensions: { code: 'FORBIDDEN' } });

  assert.equal((await ask({ 'x-api-key': 'shop-key-0123456789', origin: 'https://shop.example.com' })).status, 200);
  const wrongOrigin = await ask({ 'x-api-key': 'shop-key-0123456789', origin: 'https://admin.example.com' });
  assert.equal(wrongOrigin.status, 403);
  assert.equal(wrongOrigin.body.errors?.[0]?.message, 'Consumer "shop" may not call from origin https://admin.example.com.');
  assert.equal(service.requests.length, 1);
});
