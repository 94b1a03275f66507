import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { createChecker } from '../src/config/config-checker.ts';
import { normalizeDiscoveryOptions } from '../src/transport/discovery/discovery-config.ts';
import type { InstanceSpec } from '../src/transport/discovery/instance-spec.ts';
import { startDiscovery, type DiscoveryHandle } from '../src/transport/discovery/start-discovery.ts';
import { startDnsServer, type TestDnsServer } from './helpers/dns-server.ts';
import { createManualClock, type ManualClock } from './helpers/manual-clock.ts';
import { startDiscoveryGateway, startWhoAmI } from './helpers/discovery-gateway.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { parseExposition, valueOf } from './helpers/prometheus-text.ts';
import { openTestRegistry, registryBackends } from './helpers/registry-backends.ts';
import { closeBeforeStore } from './helpers/registry-gateways.ts';

/** A discovery of `config` against `dns`, on a manual clock, recording what it tells. */
function discover(dns: TestDnsServer, config: Record<string, unknown>) {
  const problems: string[] = [];
  const options = normalizeDiscoveryOptions({ ...config, servers: [dns.address] }, 'discovery', createChecker(problems));
  assert.deepEqual(problems, []);
  assert.ok(options);
  const clock = createManualClock();
  const lists: InstanceSpec[][] = [];
  const logs: string[] = [];
  const failures: string[] = [];
  const handle = startDiscovery(options, {
    onInstances: (list) => lists.push(list),
    log: (message) => logs.push(message),
    onFailure: (error) => failures.push((error as NodeJS.ErrnoException).code ?? error.message),
    clock,
    service: 'products',
  });
  return { handle, clock, lists, logs, failures, [Symbol.asyncDispose]: () => handle.close() };
}

/** Runs the refresh due in `ms` and waits until it has scheduled the next; the next delay. */
async function refreshAfter(clock: ManualClock, ms: number): Promise<number> {
  const scheduled = clock.nextTimer();
  clock.advance(ms);
  return scheduled;
}

const a = (address: string, ttl: number) => ({ type: 'A' as const, address, ttl });
const aaaa = (address: string, ttl: number) => ({ type: 'AAAA' as const, address, ttl });

describe('DNS discovery (A/AAAA)', () => {
  it('turns A and AAAA records into instance URLs and re-resolves when the lowest TTL runs out', async () => {
    await using dns = await startDnsServer();
    dns.answer('products.internal', 'A', [a('10.0.0.2', 30), a('10.0.0.1', 5)]);
    dns.answer('products.internal', 'AAAA', [aaaa('fd00::7', 60)]);
    await using run = discover(dns, { dns: 'products.internal', port: 4001, path: '/graphql' });
    await run.handle.ready();
    const first = [
      { url: 'http://10.0.0.1:4001/graphql', weight: 1 },
      { url: 'http://10.0.0.2:4001/graphql', weight: 1 },
      { url: 'http://[fd00::7]:4001/graphql', weight: 1 },
    ];
    assert.deepEqual(run.lists, [first]);
    assert.deepEqual(run.handle.current(), first);
    assert.deepEqual(run.clock.pending(), [5_000], 'the next resolution is due when the lowest TTL (5 s) runs out');
    const asked = dns.queries.length;
    assert.equal(asked, 2);

    dns.answer('products.internal', 'A', [a('10.0.0.3', 5)]);
    run.clock.advance(4_999);
    assert.equal(dns.queries.length, asked, 'nothing is asked before the TTL runs out');
    assert.equal(await refreshAfter(run.clock, 1), 5_000);
    assert.equal(dns.queries.length, asked + 2);
    assert.deepEqual(run.lists.at(-1), [
      { url: 'http://10.0.0.3:4001/graphql', weight: 1 },
      { url: 'http://[fd00::7]:4001/graphql', weight: 1 },
    ]);

    assert.equal(await refreshAfter(run.clock, 5_000), 5_000);
    assert.equal(run.lists.length, 2, 'the same answer again tells nothing');
    assert.deepEqual(run.logs, []);
  });

  it('keeps a TTL of 0 from spinning and a long TTL from freezing the list', async () => {
    await using dns = await startDnsServer();
    dns.answer('zero.internal', 'A', [a('10.0.0.1', 0)]);
    dns.answer('zero.internal', 'AAAA', []);
    await using zero = discover(dns, { dns: 'zero.internal', port: 80 });
    await zero.handle.ready();
    assert.deepEqual(zero.clock.pending(), [1_000], 'at least a second between resolutions');
    assert.deepEqual(zero.lists, [[{ url: 'http://10.0.0.1:80', weight: 1 }]]);

    dns.answer('day.internal', 'A', [a('10.0.0.9', 86_400)]);
    await using day = discover(dns, { dns: 'day.internal', port: 80, refresh: '10s', protocol: 'https' });
    await day.handle.ready();
    assert.deepEqual(day.clock.pending(), [10_000], 'at most `refresh` between resolutions');
    assert.deepEqual(day.lists, [[{ url: 'https://10.0.0.9:80', weight: 1 }]]);
  });

  it('keeps the last list through failed resolutions, logging the burst once and counting each failure', async () => {
    await using dns = await startDnsServer();
    dns.answer('products.internal', 'A', [a('10.0.0.1', 5)]);
    await using run = discover(dns, { dns: 'products.internal', port: 4001 });
    await run.handle.ready();
    assert.deepEqual(run.handle.current(), [{ url: 'http://10.0.0.1:4001', weight: 1 }]);

    dns.answer('products.internal', 'A', 'SERVFAIL');
    assert.equal(await refreshAfter(run.clock, 5_000), 1_000, 'retried after 1 s');
    assert.equal(await refreshAfter(run.clock, 1_000), 2_000, 'then 2 s');
    assert.equal(await refreshAfter(run.clock, 2_000), 4_000, 'then 4 s');
    assert.deepEqual(run.failures, ['ESERVFAIL', 'ESERVFAIL', 'ESERVFAIL']);
    assert.deepEqual(run.handle.current(), [{ url: 'http://10.0.0.1:4001', weight: 1 }]);
    assert.equal(run.lists.length, 1, 'the list never changed');
    assert.equal(run.handle.problem(), 'resolving products.internal failed (ESERVFAIL)');
    assert.deepEqual(run.logs, [
      'discovery of products (dns products.internal:4001): resolving products.internal failed (ESERVFAIL); the last 1 instance(s) stay, retrying',
    ]);

    dns.answer('products.internal', 'A', [a('10.0.0.2', 5)]);
    assert.equal(await refreshAfter(run.clock, 4_000), 5_000);
    assert.deepEqual(run.lists.at(-1), [{ url: 'http://10.0.0.2:4001', weight: 1 }]);
    assert.equal(run.handle.problem(), undefined);
    assert.equal(run.logs.at(-1), 'discovery of products (dns products.internal:4001): resolved again (1 instance(s)) after 3 failed or empty answer(s)');
  });

  it('empties the list only after `emptyAfter` NXDOMAIN answers in a row', async () => {
    await using dns = await startDnsServer();
    dns.answer('products.internal', 'A', [a('10.0.0.1', 5)]);
    await using run = discover(dns, { dns: 'products.internal', port: 4001, emptyAfter: 3 });
    await run.handle.ready();
    dns.answer('products.internal', 'A', 'NXDOMAIN');
    await refreshAfter(run.clock, 5_000);
    await refreshAfter(run.clock, 1_000);
    assert.deepEqual(run.handle.current(), [{ url: 'http://10.0.0.1:4001', weight: 1 }], 'two empty answers keep the list');
    assert.equal(run.lists.length, 1);
    await refreshAfter(run.clock, 2_000);
    assert.deepEqual(run.lists.at(-1), [], 'the third empties it');
    assert.deepEqual(run.failures, [], 'an empty answer is an answer, not a failure');
    assert.deepEqual(run.logs, [
      'discovery of products (dns products.internal:4001): products.internal answered ENOTFOUND (no records); the last 1 instance(s) stay until it answers so 3 times in a row',
      'discovery of products (dns products.internal:4001): products.internal answered ENOTFOUND (no records) 3 times in a row; the source has no instance',
    ]);
  });

  it('with emptyAfter 1 (Envoy STRICT_DNS) drops the hosts on the first empty answer', async () => {
    await using dns = await startDnsServer();
    dns.answer('products.internal', 'A', [a('10.0.0.1', 5)]);
    await using run = discover(dns, { dns: 'products.internal', port: 4001, emptyAfter: 1 });
    await run.handle.ready();
    dns.answer('products.internal', 'A', []);
    await refreshAfter(run.clock, 5_000);
    assert.deepEqual(run.lists, [[{ url: 'http://10.0.0.1:4001', weight: 1 }], []]);
  });

  it('tells why nothing resolved at start-up', async () => {
    await using dns = await startDnsServer();
    await using run = discover(dns, { dns: 'missing.internal', port: 4001 });
    await run.handle.ready();
    assert.deepEqual(run.handle.current(), []);
    assert.deepEqual(run.lists, []);
    assert.equal(run.handle.problem(), 'missing.internal answered ENOTFOUND (no records)');
  });
});

describe('DNS discovery (SRV)', () => {
  it('uses the lowest priority only, weights from the records, targets resolved to addresses', async () => {
    await using dns = await startDnsServer();
    dns.answer('_graphql._tcp.products.internal', 'SRV', [
      { type: 'SRV', target: 'p1.internal', port: 4001, priority: 10, weight: 3, ttl: 30 },
      { type: 'SRV', target: 'p2.internal', port: 4002, priority: 10, weight: 1, ttl: 30 },
      { type: 'SRV', target: 'backup.internal', port: 4003, priority: 20, weight: 50, ttl: 30 },
    ]);
    dns.answer('p1.internal', 'A', [a('10.0.1.1', 1)]);
    dns.answer('p2.internal', 'A', [a('10.0.1.2', 1)]);
    dns.answer('p2.internal', 'AAAA', [aaaa('fd00::2', 1)]);
    dns.answer('backup.internal', 'A', [a('10.0.9.9', 1)]);
    await using run = discover(dns, { srv: '_graphql._tcp.products.internal', path: '/graphql', refresh: '15s' });
    await run.handle.ready();
    assert.deepEqual(run.lists, [
      [
        { url: 'http://10.0.1.1:4001/graphql', weight: 3 },
        { url: 'http://10.0.1.2:4002/graphql', weight: 1 },
        { url: 'http://[fd00::2]:4002/graphql', weight: 1 },
      ],
    ]);
    assert.ok(!dns.queries.some((query) => query.endsWith('backup.internal')), 'a higher priority target is not even resolved');
    assert.deepEqual(run.clock.pending(), [15_000], 'SRV answers are re-resolved every `refresh`');

    dns.answer('_graphql._tcp.products.internal', 'SRV', [{ type: 'SRV', target: 'backup.internal', port: 4003, priority: 20, weight: 0, ttl: 30 }]);
    await refreshAfter(run.clock, 15_000);
    assert.deepEqual(run.lists.at(-1), [{ url: 'http://10.0.9.9:4003/graphql', weight: 1 }], 'the next priority once alone; weight 0 is the smallest share');
  });

  it('keeps target names with https, so certificates are checked against them', async () => {
    await using dns = await startDnsServer();
    dns.answer('_graphql._tcp.products.internal', 'SRV', [{ type: 'SRV', target: 'p1.products.internal', port: 8443, priority: 1, weight: 5000, ttl: 30 }]);
    await using run = discover(dns, { srv: '_graphql._tcp.products.internal', protocol: 'https' });
    await run.handle.ready();
    assert.deepEqual(run.lists, [[{ url: 'https://p1.products.internal:8443', weight: 1000 }]], "weights above the pools' 1000 are capped");
    assert.deepEqual(dns.queries, ['SRV _graphql._tcp.products.internal']);
  });
});

describe('closing', () => {
  it('stops refreshing', async () => {
    await using dns = await startDnsServer();
    dns.answer('products.internal', 'A', [a('10.0.0.1', 5)]);
    const run = discover(dns, { dns: 'products.internal', port: 4001 });
    await run.handle.ready();
    await run.handle.close();
    const asked = dns.queries.length;
    assert.deepEqual(run.clock.pending(), []);
    run.clock.advance(60_000);
    assert.equal(dns.queries.length, asked);
    const handle: DiscoveryHandle = run.handle;
    assert.deepEqual(handle.current(), [{ url: 'http://10.0.0.1:4001', weight: 1 }]);
  });
});

describe('a gateway with DNS discovery', () => {
  it('serves from the instances SRV records name, follows a changed answer without a restart, and counts them', async (t) => {
    const one = await startWhoAmI(t, 'one');
    const two = await startWhoAmI(t, 'two');
    await using dns = await startDnsServer();
    const srv = (port: number) => ({ type: 'SRV' as const, target: 'instances.products.internal', port, priority: 1, weight: 1, ttl: 30 });
    dns.answer('_graphql._tcp.products.internal', 'SRV', [srv(one.port)]);
    dns.answer('instances.products.internal', 'A', [a('127.0.0.1', 30)]);
    const clock = createManualClock();
    const gateway = await startDiscoveryGateway(t, { discovery: { srv: '_graphql._tcp.products.internal', servers: [dns.address], refresh: '10s' } }, clock);

    const first = await postGraphQL(gateway.endpoint, '{ whoami }');
    assert.deepEqual(first.body, { data: { whoami: 'one' } });
    assert.deepEqual([one.requests.length, two.requests.length], [1, 0]);

    dns.answer('_graphql._tcp.products.internal', 'SRV', [srv(two.port)]);
    await refreshAfter(clock, 10_000);
    const second = await postGraphQL(gateway.endpoint, '{ whoami }');
    assert.deepEqual(second.body, { data: { whoami: 'two' } });
    assert.deepEqual([one.requests.length, two.requests.length], [1, 1], 'the dropped instance is called no more');

    dns.answer('_graphql._tcp.products.internal', 'SRV', 'SERVFAIL');
    await refreshAfter(clock, 10_000);
    const third = await postGraphQL(gateway.endpoint, '{ whoami }');
    assert.deepEqual(third.body, { data: { whoami: 'two' } }, 'a failed resolution keeps the last instances');

    const metrics = parseExposition(await (await fetch(`${gateway.url}/metrics`)).text());
    assert.equal(valueOf(metrics, 'concierge_discovered_instances', { service: 'products', mechanism: 'srv' }), 1);
    assert.equal(valueOf(metrics, 'concierge_discovery_failures_total', { service: 'products', mechanism: 'srv' }), 1);
  });

  it('refuses to start when nothing resolves and no url is configured', async (t) => {
    await using dns = await startDnsServer();
    await assert.rejects(
      startDiscoveryGateway(t, { discovery: { dns: 'missing.products.internal', port: 4001, servers: [dns.address] } }, createManualClock()),
      {
        name: 'ConfigError',
        message:
          /config\.sources\.products\.discovery: expected dns missing\.products\.internal:4001 to find at least one instance at start-up \(or a url to fall back to\), got none: missing\.products\.internal answered ENOTFOUND \(no records\)/,
      },
    );
  });

  it('starts on its url when nothing resolves yet, and moves to the discovered instances once they are', async (t) => {
    const fallback = await startWhoAmI(t, 'fallback');
    const found = await startWhoAmI(t, 'found');
    await using dns = await startDnsServer();
    dns.answer('products.internal', 'A', 'SERVFAIL');
    const clock = createManualClock();
    const gateway = await startDiscoveryGateway(
      t,
      { url: fallback.url, discovery: { dns: 'products.internal', port: found.port, servers: [dns.address] } },
      clock,
    );
    assert.deepEqual((await postGraphQL(gateway.endpoint, '{ whoami }')).body, { data: { whoami: 'fallback' } });
    dns.answer('products.internal', 'A', [a('127.0.0.1', 30)]);
    await refreshAfter(clock, 1_000);
    assert.deepEqual((await postGraphQL(gateway.endpoint, '{ whoami }')).body, { data: { whoami: 'found' } });
    assert.deepEqual([fallback.requests.length, found.requests.length], [1, 1]);
  });
});

describe('discovery across schema swaps', () => {
  it('keeps serving the discovered instances when the registry swaps the graph, and follows DNS on the new graph', async (t) => {
    const defer = closeBeforeStore(t);
    const one = await startWhoAmI(t, 'one');
    // A second instance at the same port on another loopback address, as A records give one port for all.
    const two = createServer(
      (_request, response) => void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { whoami: 'two' } })),
    );
    await new Promise<void>((resolve) => two.listen(one.port, '127.0.0.2', resolve));
    t.after(
      () =>
        new Promise<void>((resolve) => {
          two.closeAllConnections();
          two.close(() => resolve());
        }),
    );
    await using dns = await startDnsServer();
    dns.answer('products.internal', 'A', [a('127.0.0.1', 30)]);
    const { registry, location } = await openTestRegistry(t, registryBackends[0] as (typeof registryBackends)[number]);
    const clock = createManualClock();
    const gateway = await startDiscoveryGateway(
      t,
      { discovery: { dns: 'products.internal', port: one.port, servers: [dns.address] } },
      clock,
      { registry: location },
      { registry },
    );
    defer(() => gateway.close());
    assert.deepEqual((await postGraphQL(gateway.endpoint, '{ whoami }')).body, { data: { whoami: 'one' } });

    const published = await registry.publish({
      service: 'products',
      kind: 'graphql',
      urls: ['http://127.0.0.1:9/registered'],
      sdl: 'type Query {\n  whoami: String\n  since: String\n}\n',
      options: {},
      author: 'ci',
    });
    const version = published.graph?.version;
    assert.ok(version);
    assert.equal(await gateway.gateway.registry?.follower.reached(version), undefined, 'served, not refused');
    assert.equal(gateway.gateway.version, version);
    assert.deepEqual(
      (await postGraphQL(gateway.endpoint, '{ whoami }')).body,
      { data: { whoami: 'one' } },
      'the new graph calls the discovered instance, not the registered URL',
    );

    dns.answer('products.internal', 'A', [a('127.0.0.2', 30)]);
    await refreshAfter(clock, 30_000);
    assert.deepEqual((await postGraphQL(gateway.endpoint, '{ whoami }')).body, { data: { whoami: 'two' } }, 'the swapped-in graph follows DNS too');
    assert.equal(one.requests.length, 2);
  });
});
