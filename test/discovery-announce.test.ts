import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { listenUntilTestEnds } from './helpers/fixture-server.ts';
import { describe, it, type TestContext } from 'node:test';
import { createSchema, createYoga } from 'graphql-yoga';
import { ConfigError } from '../src/config/config-error.ts';
import { createChecker } from '../src/config/config-checker.ts';
import { createDiscoveries, type DiscoveriesOptions } from '../src/transport/discovery/create-discoveries.ts';
import { normalizeDiscoveryOptions, type NormalizedDiscovery } from '../src/transport/discovery/discovery-config.ts';
import type { InstanceSpec } from '../src/transport/discovery/instance-spec.ts';
import { createManualClock } from './helpers/manual-clock.ts';
import { startDiscoveryGateway, startWhoAmI } from './helpers/discovery-gateway.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { openTestRegistry, registryBackends } from './helpers/registry-backends.ts';
import { closeBeforeStore } from './helpers/registry-gateways.ts';

const sha256 = (secret: string) => createHash('sha256').update(secret).digest('hex');
const adminKey = 'admin-key-for-tests';
const productsToken = 'products-publish-token';
const ordersToken = 'orders-announce-token';

function discoveryOf(value: Record<string, unknown>): NormalizedDiscovery {
  const problems: string[] = [];
  const discovery = normalizeDiscoveryOptions(value, 'discovery', createChecker(problems));
  assert.deepEqual(problems, []);
  assert.ok(discovery);
  return discovery;
}

/** The announcement API of two announcing sources behind a real HTTP server, on a manual clock. */
async function startAnnouncements(t: TestContext, overrides: Partial<DiscoveriesOptions> = {}) {
  const clock = createManualClock();
  const lists: Array<{ service: string; instances: InstanceSpec[] }> = [];
  const logs: string[] = [];
  const discoveries = await createDiscoveries({
    sources: [
      { name: 'products', discovery: discoveryOf({ announce: true, ttl: '30s', allow: ['127.0.0.0/8', '*.products.internal'] }), hasFallback: false },
      { name: 'orders', discovery: discoveryOf({ announce: true, tokenHash: sha256(ordersToken) }), hasFallback: true },
    ],
    admin: { key: { keyHash: sha256(adminKey), header: 'x-admin-key' }, loopbackOnly: false },
    registry: { publishTokens: { products: sha256(productsToken) } },
    onInstances: (service, instances) => lists.push({ service, instances }),
    log: (message) => logs.push(message),
    clock,
    ...overrides,
  });
  t.after(() => discoveries.close());
  assert.ok(discoveries.surface);
  const yoga = createYoga({ schema: createSchema({ typeDefs: 'type Query { ok: Boolean }' }), plugins: [discoveries.surface], logging: false });
  const server = createServer(yoga);
  const base = `http://127.0.0.1:${await listenUntilTestEnds(t, server)}`;
  const call = async (method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { accept: 'application/json', 'content-type': 'application/json', ...options.headers },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  return { clock, lists, logs, discoveries, call };
}

const asAdmin = { 'x-admin-key': adminKey };
const asProducts = { authorization: `Bearer ${productsToken}` };
const codeOf = (body: Record<string, any>) => body['errors']?.[0]?.extensions?.code;

describe('announced instances', () => {
  it('registers, lists, renews on heartbeat, expires after the TTL without one, and tells the pool each time', async (t) => {
    const { clock, lists, call, discoveries, logs } = await startAnnouncements(t);
    const registered = await call('PUT', '/_concierge/sources/products/instances', {
      body: { url: 'http://127.0.0.1:4101/graphql/', weight: 3 },
      headers: asProducts,
    });
    assert.equal(registered.status, 201);
    assert.deepEqual(registered.body, {
      service: 'products',
      ttlSeconds: 30,
      url: 'http://127.0.0.1:4101/graphql',
      weight: 3,
      state: 'announced',
      announcedAt: '2026-12-01T00:00:00.000Z',
      heartbeatAt: '2026-12-01T00:00:00.000Z',
      expiresAt: '2026-12-01T00:00:30.000Z',
    });
    assert.deepEqual(lists, [{ service: 'products', instances: [{ url: 'http://127.0.0.1:4101/graphql', weight: 3 }] }]);
    assert.deepEqual(discoveries.current('products'), [{ url: 'http://127.0.0.1:4101/graphql', weight: 3 }]);

    await call('PUT', '/_concierge/sources/products/instances', { body: { url: 'http://p2.products.internal:4102/graphql' }, headers: asAdmin });
    assert.deepEqual(lists.at(-1)?.instances, [
      { url: 'http://127.0.0.1:4101/graphql', weight: 3 },
      { url: 'http://p2.products.internal:4102/graphql', weight: 1 },
    ]);

    clock.advance(20_000);
    const heartbeat = await call('PUT', '/_concierge/sources/products/instances', {
      body: { url: 'http://127.0.0.1:4101/graphql', weight: 3 },
      headers: asProducts,
    });
    assert.equal(heartbeat.status, 200, 'a heartbeat renews');
    assert.equal(heartbeat.body['expiresAt'], '2026-12-01T00:00:50.000Z');
    assert.equal(heartbeat.body['announcedAt'], '2026-12-01T00:00:00.000Z');
    assert.equal(lists.length, 2, 'a heartbeat with the same weight changes nothing');

    clock.advance(10_000);
    assert.deepEqual(lists.at(-1)?.instances, [{ url: 'http://127.0.0.1:4101/graphql', weight: 3 }], 'the one without a heartbeat expired at 30 s');
    const listed = await call('GET', '/_concierge/sources/products/instances', { headers: asProducts });
    assert.equal(listed.status, 200);
    assert.deepEqual(
      listed.body['instances'].map((entry: { url: string; expiresAt: string }) => [entry.url, entry.expiresAt]),
      [['http://127.0.0.1:4101/graphql', '2026-12-01T00:00:50.000Z']],
    );

    clock.advance(19_999);
    assert.equal(lists.length, 3);
    clock.advance(1);
    assert.deepEqual(lists.at(-1), { service: 'products', instances: [] }, 'expired at 50 s, 30 s after its last heartbeat');
    assert.deepEqual((await call('GET', '/_concierge/sources/products/instances', { headers: asAdmin })).body['instances'], []);
    assert.deepEqual(logs, [
      'instances of products: http://127.0.0.1:4101/graphql announced by token:products',
      'instances of products: http://p2.products.internal:4102/graphql announced by admin',
    ]);
  });

  it('removes an instance at once on DELETE', async (t) => {
    const { lists, call } = await startAnnouncements(t);
    await call('PUT', '/_concierge/sources/orders/instances', { body: { url: 'http://10.1.0.1:4200' }, headers: { authorization: `Bearer ${ordersToken}` } });
    const removed = await call('DELETE', '/_concierge/sources/orders/instances', {
      body: { url: 'http://10.1.0.1:4200' },
      headers: { authorization: `Bearer ${ordersToken}` },
    });
    assert.deepEqual(removed, { status: 200, body: { service: 'orders', url: 'http://10.1.0.1:4200', removed: true } });
    assert.deepEqual(lists, [
      { service: 'orders', instances: [{ url: 'http://10.1.0.1:4200', weight: 1 }] },
      { service: 'orders', instances: [] },
    ]);
    const again = await call('DELETE', '/_concierge/sources/orders/instances?url=http://10.1.0.1:4200', { headers: asAdmin });
    assert.equal(again.status, 404);
    assert.equal(codeOf(again.body), 'NOT_FOUND');
  });

  it('refuses without a credential (401), with a wrong one (401), and for another source (403)', async (t) => {
    const { lists, call } = await startAnnouncements(t);
    const body = { url: 'http://127.0.0.1:4101' };
    const none = await call('PUT', '/_concierge/sources/products/instances', { body });
    assert.deepEqual(
      [none.status, codeOf(none.body), none.body['errors'][0].message],
      [401, 'UNAUTHENTICATED', 'Announcing instances takes a credential: the admin key, or Authorization: Bearer <token>.'],
    );
    const wrongToken = await call('PUT', '/_concierge/sources/products/instances', { body, headers: { authorization: 'Bearer nope' } });
    assert.deepEqual([wrongToken.status, codeOf(wrongToken.body)], [401, 'UNAUTHENTICATED']);
    const wrongKey = await call('GET', '/_concierge/sources/products/instances', { headers: { 'x-admin-key': 'nope' } });
    assert.deepEqual([wrongKey.status, codeOf(wrongKey.body)], [401, 'UNAUTHENTICATED']);
    const other = await call('PUT', '/_concierge/sources/orders/instances', { body, headers: asProducts });
    assert.deepEqual(
      [other.status, codeOf(other.body), other.body['errors'][0].message],
      [403, 'FORBIDDEN', 'The token of products may not announce instances of orders.'],
    );
    const otherRead = await call('GET', '/_concierge/sources/products/instances', { headers: { authorization: `Bearer ${ordersToken}` } });
    assert.deepEqual([otherRead.status, codeOf(otherRead.body)], [403, 'FORBIDDEN']);
    assert.deepEqual(lists, [], 'nothing was announced');
  });

  it('refuses URLs outside discovery.allow (403), malformed bodies (400), unknown sources (404) and other methods (405)', async (t) => {
    const { lists, call } = await startAnnouncements(t);
    const outside = await call('PUT', '/_concierge/sources/products/instances', { body: { url: 'http://169.254.169.254/latest/meta-data' }, headers: asAdmin });
    assert.deepEqual(
      [outside.status, codeOf(outside.body), outside.body['errors'][0].message],
      [403, 'FORBIDDEN', 'http://169.254.169.254/latest/meta-data is not within sources.products.discovery.allow.'],
    );
    const otherHost = await call('PUT', '/_concierge/sources/products/instances', { body: { url: 'http://evil.example/graphql' }, headers: asAdmin });
    assert.equal(otherHost.status, 403);
    for (const [body, message] of [
      [{ url: 'ftp://127.0.0.1/' }, 'url: expected an http:// or https:// URL without credentials, query or fragment, got "ftp://127.0.0.1/".'],
      [
        { url: 'http://user:secret@127.0.0.1:4101' },
        'url: expected an http:// or https:// URL without credentials, query or fragment, got "http://user:secret@127.0.0.1:4101".',
      ],
      [{ url: 'http://127.0.0.1:4101', weight: 0 }, 'weight: expected an integer from 1 to 1000, got 0.'],
      ['not an object', 'Expected a JSON body such as { "url": "http://10.0.0.7:4001/graphql", "weight": 1 }.'],
    ] as const) {
      const refused = await call('PUT', '/_concierge/sources/products/instances', { body, headers: asAdmin });
      assert.deepEqual([refused.status, codeOf(refused.body), refused.body['errors'][0].message], [400, 'BAD_REQUEST', message]);
    }
    const unknown = await call('PUT', '/_concierge/sources/inventory/instances', { body: { url: 'http://127.0.0.1:1' }, headers: asAdmin });
    assert.deepEqual([unknown.status, codeOf(unknown.body)], [404, 'NOT_FOUND']);
    const post = await call('POST', '/_concierge/sources/products/instances', { body: { url: 'http://127.0.0.1:1' }, headers: asAdmin });
    assert.deepEqual([post.status, codeOf(post.body)], [405, 'METHOD_NOT_ALLOWED']);
    assert.deepEqual(lists, []);
  });

  it('refuses to start an announcing source nobody could announce to', async () => {
    await assert.rejects(
      createDiscoveries({
        sources: [{ name: 'products', discovery: discoveryOf({ announce: true }), hasFallback: true }],
        admin: { loopbackOnly: true },
        registry: { publishTokens: {} },
        onInstances: () => {},
        log: () => {},
      }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(
          error.message,
          /config\.sources\.products\.discovery\.announce: expected a credential that may announce \(admin\.keyHash, registry\.adminTokenHash, registry\.publishTokens\.products or discovery\.tokenHash\), got none/,
        );
        return true;
      },
    );
  });
});

describe('a gateway with announced instances', () => {
  it('answers SERVICE_UNAVAILABLE for the source until an instance announces itself, serves from it, and drops it when its heartbeat stops', async (t) => {
    const instance = await startWhoAmI(t, 'announced');
    const clock = createManualClock();
    const gateway = await startDiscoveryGateway(t, { discovery: { announce: true, ttl: '10s', allow: ['127.0.0.1'] } }, clock, {
      admin: { keyHash: sha256(adminKey) },
    });
    const before = await postGraphQL(gateway.endpoint, '{ whoami }');
    assert.deepEqual(before.body.data, { whoami: null });
    assert.deepEqual(
      before.body.errors?.map((error) => [error.extensions?.code, error.extensions?.service]),
      [['SERVICE_UNAVAILABLE', 'products']],
    );

    const announce = () =>
      fetch(`${gateway.url}/_concierge/sources/products/instances`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...asAdmin },
        body: JSON.stringify({ url: instance.url }),
      });
    assert.equal((await announce()).status, 201);
    assert.deepEqual((await postGraphQL(gateway.endpoint, '{ whoami }')).body, { data: { whoami: 'announced' } });
    clock.advance(9_000);
    assert.equal((await announce()).status, 200, 'a heartbeat');
    clock.advance(9_000);
    assert.deepEqual(
      (await postGraphQL(gateway.endpoint, '{ whoami }')).body,
      { data: { whoami: 'announced' } },
      'still there 18 s in: its heartbeat renewed it',
    );
    clock.advance(1_000);
    const after = await postGraphQL(gateway.endpoint, '{ whoami }');
    assert.deepEqual(
      after.body.errors?.map((error) => error.extensions?.code),
      ['SERVICE_UNAVAILABLE'],
      'expired 10 s after its heartbeat',
    );
    assert.equal(instance.requests.length, 2);

    const listed = await fetch(`${gateway.url}/_concierge/sources/products/instances`);
    assert.equal(listed.status, 401, 'the list needs a credential too');
  });
});

describe('announced instances kept in the schema registry', () => {
  for (const backend of registryBackends) {
    it(`are served by every gateway sharing the ${backend.name} store, and expire for all of them`, { skip: backend.skip }, async (t) => {
      const defer = closeBeforeStore(t);
      const instance = await startWhoAmI(t, 'announced');
      const { registry, location, reopen } = await openTestRegistry(t, backend);
      // Two gateways on one store: a second connection to PostgreSQL; the embedded store opens in one process only, so both share it.
      const registries = [registry, backend.name === 'postgres' ? await reopen() : registry];
      const clocks = [createManualClock(), createManualClock()];
      const source = { discovery: { announce: true, ttl: '10s' } };
      const extra = { admin: { keyHash: sha256(adminKey) }, registry: { ...location, pollInterval: '1s' } };
      const [first, second] = await Promise.all(
        [0, 1].map(async (index) => {
          const gateway = await startDiscoveryGateway(t, source, clocks[index] as ReturnType<typeof createManualClock>, extra, { registry: registries[index] });
          defer(() => gateway.close());
          return gateway;
        }),
      );
      assert.ok(first && second);
      const [firstClock, secondClock] = clocks as [ReturnType<typeof createManualClock>, ReturnType<typeof createManualClock>];

      const put = await fetch(`${first.url}/_concierge/sources/products/instances`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...asAdmin },
        body: JSON.stringify({ url: instance.url, weight: 2 }),
      });
      assert.equal(put.status, 201);
      assert.deepEqual((await postGraphQL(first.endpoint, '{ whoami }')).body, { data: { whoami: 'announced' } }, 'the gateway told serves it at once');

      const read = secondClock.nextTimer();
      secondClock.advance(1_000);
      await read;
      assert.deepEqual(
        (await postGraphQL(second.endpoint, '{ whoami }')).body,
        { data: { whoami: 'announced' } },
        'the other reads it from the store within its poll interval',
      );
      const listed = await fetch(`${second.url}/_concierge/sources/products/instances`, { headers: asAdmin });
      assert.deepEqual(
        ((await listed.json()) as { instances: Array<{ url: string; weight: number }> }).instances.map(({ url, weight }) => ({ url, weight })),
        [{ url: instance.url, weight: 2 }],
      );

      for (const clock of [firstClock, secondClock]) {
        const expired = clock.nextTimer();
        clock.advance(10_000);
        await expired;
      }
      for (const gateway of [first, second]) {
        const answer = await postGraphQL(gateway.endpoint, '{ whoami }');
        assert.deepEqual(
          answer.body.errors?.map((error) => error.extensions?.code),
          ['SERVICE_UNAVAILABLE'],
          'expired without a heartbeat',
        );
      }
      assert.equal(instance.requests.length, 2);
    });
  }
});
