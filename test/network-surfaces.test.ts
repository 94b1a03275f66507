import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { test, type TestContext } from 'node:test';
import { normalizeConfig } from '../src/config/normalize-config.ts';
import { exposureWarnings } from '../src/server/exposure-warnings.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';
import { freePort } from './helpers/free-port.ts';

const sdl = 'type Query { hello: String @http(GET: "/hello") }';
const navigation = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const adminKey = 'an-admin-key-of-some-length';

/** A response read over node:http, which, unlike fetch, sends the `Host` header it is given. */
interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  code?: string;
  message?: string;
}

function send(
  url: string,
  { method = 'GET', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method, headers }, (incoming) => {
      let text = '';
      incoming.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      incoming.on('end', () => {
        let error: { message?: string; extensions?: { code?: string } } | undefined;
        try {
          error = (JSON.parse(text) as { errors?: Array<typeof error> }).errors?.[0];
        } catch {
          // GraphiQL's HTML, the metrics exposition: callers read the text.
        }
        resolve({
          status: incoming.statusCode ?? 0,
          headers: incoming.headers,
          text,
          ...(error?.extensions?.code ? { code: error.extensions.code } : {}),
          ...(error?.message ? { message: error.message } : {}),
        });
      });
    });
    outgoing.once('error', reject).end(body);
  });
}

const query = (extra: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...extra },
  body: JSON.stringify({ query: '{ hello }' }),
});

async function gatewayWith(t: TestContext, extra: Record<string, unknown>) {
  const service = await startFixtureServer(t, (_request, response) => json(response, 200, 'world'));
  const gateway = await startTestGateway(t, { hello: { kind: 'rest', url: service.url, sdl } }, extra);
  return { gateway, service };
}

test('the address lists apply to every path: metrics, status page, GraphiQL, purge and the metrics port; only the probes are exempt', async (t) => {
  const metricsPort = await freePort();
  const { gateway, service } = await gatewayWith(t, {
    network: { ipAllow: ['10.0.0.0/8'] },
    graphiql: true,
    responseCache: { enabled: true },
    admin: { keyHash: createHash('sha256').update(adminKey).digest('hex') },
  });
  const admin = { 'x-admin-key': adminKey };
  for (const [path, init] of [
    ['/metrics', { headers: admin }],
    ['/_concierge', { headers: admin }],
    ['/_concierge/data.json', { headers: admin }],
    ['/graphql', { headers: { accept: navigation } }],
    ['/graphql', query()],
    ['/_concierge/purge', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"all":true}' }],
    ['/no-such-path', {}],
  ] as const) {
    const answer = await send(`${gateway.url}${path}`, init);
    assert.deepEqual([answer.status, answer.code, answer.message], [403, 'FORBIDDEN', 'Requests from this address are not allowed.'], path);
  }
  assert.equal((await send(`${gateway.url}/healthz`)).status, 200);
  assert.equal((await send(`${gateway.url}/readyz`)).status, 200);
  assert.equal(service.requests.length, 0);

  const separate = await gatewayWith(t, { network: { ipAllow: ['10.0.0.0/8'] }, metrics: { port: metricsPort }, admin: { ipAllow: ['127.0.0.1'] } });
  const scrape = await send(`http://127.0.0.1:${metricsPort}/metrics`);
  assert.deepEqual([scrape.status, scrape.code], [403, 'FORBIDDEN'], 'the metrics port obeys network.ipAllow too');
  assert.equal((await send(`${separate.gateway.url}/metrics`)).status, 403);
});

test('without an admin key, metrics and the status page answer loopback callers only; admin.ipAllow and the key open them', async (t) => {
  const proxied = (address: string, extra: Record<string, string> = {}) => ({ headers: { 'x-forwarded-for': address, ...extra } });
  const open = await gatewayWith(t, { network: { trustedProxies: ['127.0.0.1'] } });
  for (const path of ['/metrics', '/_concierge', '/_concierge/data.json']) {
    assert.equal((await send(`${open.gateway.url}${path}`)).status, 200, `${path} from loopback`);
    const remote = await send(`${open.gateway.url}${path}`, proxied('203.0.113.9'));
    assert.deepEqual(
      [remote.status, remote.code, remote.message],
      [403, 'FORBIDDEN', 'This admin resource answers loopback callers only while no admin key is set: set admin.keyHash (or admin.ipAllow).'],
      path,
    );
    assert.doesNotMatch(remote.text, /concierge_requests_total|operations/, 'nothing of the data leaks');
  }

  const scrapers = await gatewayWith(t, { network: { trustedProxies: ['127.0.0.1'] }, admin: { ipAllow: ['203.0.113.0/24'] } });
  assert.equal((await send(`${scrapers.gateway.url}/metrics`, proxied('203.0.113.9'))).status, 200);
  const other = await send(`${scrapers.gateway.url}/metrics`, proxied('198.51.100.1'));
  assert.deepEqual([other.status, other.message], [403, 'This admin resource does not answer this address (admin.ipAllow).']);

  const keyed = await gatewayWith(t, { network: { trustedProxies: ['127.0.0.1'] }, admin: { keyHash: createHash('sha256').update(adminKey).digest('hex') } });
  assert.equal((await send(`${keyed.gateway.url}/metrics`, proxied('203.0.113.9'))).status, 401, 'with a key, any address must send it');
  assert.equal((await send(`${keyed.gateway.url}/metrics`, proxied('203.0.113.9', { 'x-admin-key': adminKey }))).status, 200);
});

test('start-up warnings name what a gateway beyond loopback exposes', () => {
  const sources = { a: { kind: 'rest', url: 'http://a' } };
  const warningsOf = (raw: Record<string, unknown>) => exposureWarnings(normalizeConfig({ sources, ...raw }, { env: {} }));
  assert.deepEqual(warningsOf({ host: '127.0.0.1' }), []);
  assert.deepEqual(warningsOf({ host: '0.0.0.0' }), [
    '/metrics and the status page answer loopback callers only: set admin.keyHash (or admin.ipAllow) to read them from elsewhere',
    'listening on 0.0.0.0 with no network.allowedHosts: any Host header is answered, so set it (or network.publicUrl) to refuse DNS-rebinding pages; browser pages are same-origin only through network.origins or network.publicUrl',
  ]);
  assert.deepEqual(
    warningsOf({ host: '0.0.0.0', admin: { ipAllow: ['10.0.0.0/8'] }, metrics: { enabled: false }, network: { allowedHosts: ['api.example.com'] } }),
    ['the status page answer the addresses of admin.ipAllow with no admin key: set admin.keyHash to ask them for one'],
  );
  assert.deepEqual(warningsOf({ host: '0.0.0.0', admin: { keyHash: 'ab'.repeat(32) }, network: { allowedHosts: ['api.example.com'] } }), []);
});

test('a cookie-carrying GET executes nothing without a preflight header, even with a browser Accept; GraphiQL is still served', async (t) => {
  const plain = await gatewayWith(t, { graphiql: false });
  const url = `${plain.gateway.url}/graphql?query=${encodeURIComponent('{ hello }')}`;
  for (const accept of [navigation, '*/*', 'application/graphql-response+json']) {
    const forged = await send(url, { headers: { cookie: 'session=1', accept } });
    assert.deepEqual([forged.status, forged.code], [403, 'FORBIDDEN'], accept);
    assert.match(forged.message ?? '', /cross-site request forgery/);
  }
  assert.equal(plain.service.requests.length, 0);
  for (const header of ['x-concierge-csrf', 'apollo-require-preflight', 'x-apollo-operation-name', 'x-graphql-yoga-csrf']) {
    const answer = await send(url, { headers: { cookie: 'session=1', accept: 'application/json', [header]: '1' } });
    assert.deepEqual([answer.status, JSON.parse(answer.text)], [200, { data: { hello: 'world' } }], header);
  }

  const withPage = await gatewayWith(t, { graphiql: true });
  const page = await send(`${withPage.gateway.url}/graphql?query=${encodeURIComponent('{ hello }')}`, { headers: { cookie: 'session=1', accept: navigation } });
  assert.equal(page.status, 200);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.equal(withPage.service.requests.length, 0, 'the page was served; nothing was executed');
});

test('hosts: a Host outside allowedHosts is 421 on every path but the probes; loopback names by default on a loopback listener', async (t) => {
  const local = await gatewayWith(t, {});
  const port = new URL(local.gateway.url).port;
  const rebound = await send(`${local.gateway.url}/graphql`, query({ host: `evil.example:${port}`, origin: `http://evil.example:${port}` }));
  assert.deepEqual(
    [rebound.status, rebound.code, rebound.message],
    [421, 'MISDIRECTED_REQUEST', `This gateway does not answer to the host "evil.example:${port}": add it to network.allowedHosts.`],
  );
  assert.equal((await send(`${local.gateway.url}/metrics`, { headers: { host: 'evil.example' } })).status, 421);
  assert.equal((await send(`${local.gateway.url}/healthz`, { headers: { host: 'evil.example' } })).status, 200, 'probes answer whatever the host');
  for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `LOCALHOST:${port}`]) {
    assert.equal((await send(`${local.gateway.url}/graphql`, query({ host, origin: `http://${host.toLowerCase()}` }))).status, 200, host);
  }
  assert.equal(local.service.requests.length, 3);

  const listed = await gatewayWith(t, { network: { allowedHosts: ['api.shop.test', '*.internal.test'] } });
  const listedPort = new URL(listed.gateway.url).port;
  assert.equal(
    (await send(`${listed.gateway.url}/graphql`, query({ host: `api.shop.test:${listedPort}`, origin: `http://api.shop.test:${listedPort}` }))).status,
    200,
    'a page of the very host it asked',
  );
  assert.equal((await send(`${listed.gateway.url}/graphql`, query({ host: 'gw.internal.test' }))).status, 200);
  assert.equal((await send(`${listed.gateway.url}/graphql`, query({ host: 'internal.test' }))).status, 421, 'the wildcard needs a label');
  assert.equal(
    (await send(`${listed.gateway.url}/graphql`, query({ host: `127.0.0.1:${listedPort}` }))).status,
    421,
    'an explicit list replaces the loopback default',
  );
});

test('origins: the same host counts only where allowedHosts vouches for it; publicUrl names the public origin', async (t) => {
  const anyHost = await gatewayWith(t, { network: { allowedHosts: ['*'], publicUrl: 'https://api.shop.test' } });
  const rebinding = await send(`${anyHost.gateway.url}/graphql`, query({ host: 'evil.example', origin: 'http://evil.example' }));
  assert.deepEqual(
    [rebinding.status, rebinding.code, rebinding.message],
    [403, 'FORBIDDEN', 'Origin http://evil.example is not allowed: add it to network.origins.'],
  );
  assert.equal(
    (await send(`${anyHost.gateway.url}/graphql`, query({ host: 'evil.example', origin: 'https://api.shop.test' }))).status,
    200,
    'the public origin',
  );
  assert.equal((await send(`${anyHost.gateway.url}/graphql`, query({ host: 'evil.example' }))).status, 200, 'no Origin: not a browser page');
  assert.equal(anyHost.service.requests.length, 2);

  const behindProxy = await gatewayWith(t, { network: { publicUrl: 'https://api.shop.test', allowedHosts: ['gw.internal.test'] } });
  assert.equal(
    (await send(`${behindProxy.gateway.url}/graphql`, query({ host: 'api.shop.test', origin: 'https://api.shop.test' }))).status,
    200,
    "publicUrl's host joins allowedHosts",
  );
  assert.equal(
    (await send(`${behindProxy.gateway.url}/graphql`, query({ host: 'gw.internal.test', origin: 'https://gw.internal.test' }))).status,
    200,
    'a TLS-terminating proxy: the scheme may differ',
  );
});

test('host and public URL mistakes name the entry', () => {
  assert.throws(
    () =>
      normalizeConfig(
        {
          sources: { a: { kind: 'rest', url: 'http://a' } },
          network: { allowedHosts: ['https://api.example.com', 'api.example.com:443', '*.', 'ok.example.com'], publicUrl: 'api.example.com' },
        },
        { env: {} },
      ),
    (error: Error & { problems?: string[] }) => {
      const expected = 'a host name such as "api.example.com", "*.example.com", "127.0.0.1" or "[::1]" (no scheme, no port), or "*" for any host';
      assert.deepEqual(error.problems, [
        'config.network.publicUrl: expected an http:// or https:// URL, got "api.example.com"',
        `config.network.allowedHosts[0]: expected ${expected}, got "https://api.example.com"`,
        `config.network.allowedHosts[1]: expected ${expected}, got "api.example.com:443"`,
        `config.network.allowedHosts[2]: expected ${expected}, got "*."`,
      ]);
      return true;
    },
  );
});
