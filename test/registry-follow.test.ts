import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { openRegistry } from '../src/registry/open-registry.ts';
import type { RegistryLocation } from '../src/registry/registry-config.ts';
import type { Registry } from '../src/registry/create-registry.ts';
import { schemaVersionHeader } from '../src/registry/use-schema-version-header.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { registryBackends } from './helpers/registry-backends.ts';
import { closeBeforeStore, publishTagged, type Defer, startFollowingGateway, startTaggedService, taggedSdl } from './helpers/registry-gateways.ts';

const [embedded, postgres] = registryBackends as [(typeof registryBackends)[0], (typeof registryBackends)[0]];

/** A store seeded with the tagged service (f0) at `url`: graph version 1. */
async function seededStore(t: TestContext, backend: typeof embedded, url: string): Promise<{ location: RegistryLocation; defer: Defer }> {
  const defer = closeBeforeStore(t);
  const location = await backend.location(t);
  const registry = await openRegistry(location);
  try {
    await publishTagged(registry, url, 0);
  } finally {
    await registry.close();
  }
  return { location, defer };
}

/** A registry that stays open for the test (PostgreSQL: shared by every process). */
async function openForTest(defer: Defer, location: RegistryLocation): Promise<Registry> {
  const registry = await openRegistry(location);
  defer(() => registry.close());
  return registry;
}

test('two gateways on one PostgreSQL registry both serve a publish that adds a field, told by NOTIFY', { skip: postgres.skip, timeout: 180_000 }, async (t) => {
  const service = await startTaggedService(t, 'A');
  const { location, defer } = await seededStore(t, postgres, service.url);
  const [one, two] = await Promise.all([
    startFollowingGateway(t, location, { registry: { pollInterval: 3_600_000 }, defer }),
    startFollowingGateway(t, location, { registry: { pollInterval: 3_600_000 }, defer }),
  ]);
  for (const gateway of [one, two]) {
    const before = await postGraphQL(gateway.endpoint, '{ f0 }');
    assert.deepEqual([before.headers.get(schemaVersionHeader), before.body.data], ['1', { f0: 'A:f0' }]);
  }
  const publisher = await openForTest(defer, location);
  const started = performance.now();
  const version = await publishTagged(publisher, service.url, 1);
  await Promise.all([one, two].map((gateway) => gateway.gateway.registry?.follower.reached(version)));
  const swapMs = performance.now() - started;
  t.diagnostic(`publish to both gateways serving v${version}: ${swapMs.toFixed(1)} ms (LISTEN/NOTIFY, polling off)`);
  for (const gateway of [one, two]) {
    const after = await postGraphQL(gateway.endpoint, '{ f0 f1 }');
    assert.deepEqual([after.status, after.headers.get(schemaVersionHeader), after.body], [200, '2', { data: { f0: 'A:f0', f1: 'A:f1' } }]);
    assert.deepEqual(
      gateway.gateway.registry?.follower.attempts.map((attempt) => [attempt.version, attempt.result]),
      [[2, 'applied']],
    );
  }
});

for (const backend of [embedded, postgres]) {
  test(`${backend.name}: under steady load, 20 publishes (fields added, URLs changed) lose no request and every answer matches its version`, {
    skip: backend.skip,
    timeout: 90_000,
  }, async (t) => {
    const services = { A: await startTaggedService(t, 'A'), B: await startTaggedService(t, 'B') };
    const { location, defer } = await seededStore(t, backend, services.A.url);
    const gateway = await startFollowingGateway(t, location, { defer });
    const registry = backend.name === 'embedded' ? (gateway.gateway.registry?.registry as Registry) : await openForTest(defer, location);
    /** Per graph version: the instance tag its URL points at, and its last field. */
    const versions = new Map<number, { tag: 'A' | 'B'; last: number }>([[1, { tag: 'A', last: 0 }]]);
    let done = false;
    const failures: string[] = [];
    let answered = 0;
    const client = async () => {
      let seen = 1;
      while (!done) {
        const last = versions.get(seen)?.last ?? 0;
        const response = await postGraphQL(gateway.endpoint, `{ f0 f${last} }`).catch((error: Error) => ({
          status: 0,
          headers: new Headers(),
          body: { data: undefined, errors: [{ message: error.message }] },
          text: '',
        }));
        answered++;
        const served = Number(response.headers.get(schemaVersionHeader));
        const expected = versions.get(served);
        const data = response.body.data as Record<string, string> | undefined;
        if (response.status !== 200 || response.body.errors || !expected)
          failures.push(`v${served} asked f${last}: ${response.status} ${JSON.stringify(response.body)}`);
        else if (served < seen || data?.['f0'] !== `${expected.tag}:f0` || data?.[`f${last}`] !== `${expected.tag}:f${last}`)
          failures.push(`v${served} (seen v${seen}) answered ${JSON.stringify(data)}`);
        else seen = served;
      }
    };
    const clients = Array.from({ length: 8 }, client);
    const swapTimes: number[] = [];
    for (let publish = 1; publish <= 20; publish++) {
      const tag = publish % 2 === 0 ? 'A' : 'B';
      const started = performance.now();
      const version = await publishTagged(registry, services[tag].url, publish);
      versions.set(version, { tag, last: publish });
      const attempt = await gateway.gateway.registry?.follower.reached(version);
      assert.equal(attempt, undefined, `v${version} was not served: ${attempt?.reason}`);
      swapTimes.push(performance.now() - started);
    }
    done = true;
    await Promise.all(clients);
    swapTimes.sort((a, b) => a - b);
    t.diagnostic(
      `${answered} requests, ${failures.length} failed; publish-to-served median ${swapTimes[10]?.toFixed(1)} ms, max ${swapTimes[19]?.toFixed(1)} ms`,
    );
    assert.deepEqual(failures, []);
    assert.equal(gateway.gateway.version, 21);
    const open = [...gateway.gateway.graphs.inFlight().keys()].map((graph) => graph.version);
    assert.deepEqual(open, [21], 'every replaced graph was closed once its requests were answered');
  });
}

test('a graph version that cannot be served here (a local config conflict, a bad stored option) leaves the running graph, logged once and counted', {
  timeout: 30_000,
}, async (t) => {
  const service = await startTaggedService(t, 'A');
  const local = await startTaggedService(t, 'L');
  const { location, defer } = await seededStore(t, embedded, service.url);
  const logged: string[] = [];
  const gateway = await startFollowingGateway(t, location, {
    sources: { local: { kind: 'graphql', url: `${local.url}/graphql`, sdl: 'type Query { f1: Int }' } },
    options: { log: (message) => logged.push(message) },
  });
  const registry = gateway.gateway.registry?.registry as Registry;
  const conflicting = await publishTagged(registry, service.url, 1);
  const failed = await gateway.gateway.registry?.follower.reached(conflicting);
  assert.equal(failed?.result, 'failed');
  assert.match(failed?.reason ?? '', /f1/);
  const stillOne = await postGraphQL(gateway.endpoint, '{ f0 }');
  assert.deepEqual([stillOne.status, stillOne.headers.get(schemaVersionHeader), stillOne.body.data], [200, '1', { f0: 'A:f0' }]);
  assert.equal((await fetch(`${gateway.url}/readyz`)).status, 200);

  const bad = await registry.store.exclusive((tx) =>
    tx.addGraphVersion({
      sdl: taggedSdl(0),
      author: 'mallory',
      at: new Date(),
      changes: [{ service: 'svc', action: 'publish', kind: 'graphql', urls: [`${service.url}/graphql`], sdl: taggedSdl(0), options: { timeout: -1 } }],
      keep: [],
    }),
  );
  const refused = await gateway.gateway.registry?.follower.reached(bad.version);
  assert.match(refused?.reason ?? '', /config\.sources\.svc\.timeout: expected an integer from 1 to 600000, got -1/);
  assert.equal(gateway.gateway.version, 1);

  assert.equal(logged.length, 2, logged.join('\n'));
  assert.match(logged[0] ?? '', /graph v2 is not served here, v1 stays: .*f1/);
  const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
  assert.match(metrics, /concierge_schema_swaps_total\{result="failed"\} 2/);

  const fixed = await registry.publish({
    service: 'svc',
    kind: 'graphql',
    urls: [`${service.url}/graphql`],
    sdl: taggedSdl(0).replace('f0: String', 'f0: String\n  f2: String'),
    options: {},
    author: 'ci',
  });
  assert.equal(await gateway.gateway.registry?.follower.reached(fixed.graph?.version ?? 0), undefined);
  assert.match(await (await fetch(`${gateway.url}/metrics`)).text(), /concierge_schema_swaps_total\{result="applied"\} 1/);
});

test('a request in flight keeps its graph (and its pools) through a swap, and a shutdown during a swap loses nothing', { timeout: 180_000 }, async (t) => {
  const A = await startTaggedService(t, 'A');
  const B = await startTaggedService(t, 'B');
  const { location, defer } = await seededStore(t, embedded, A.url);
  const gateway = await startFollowingGateway(t, location, { extra: { shutdownTimeout: 10_000 } });
  const registry = gateway.gateway.registry?.registry as Registry;

  const slowOnOne = postGraphQL(gateway.endpoint, '{ slow f0 }');
  await A.held;
  const two = await publishTagged(registry, B.url, 1);
  await gateway.gateway.registry?.follower.reached(two);
  const onTwo = await postGraphQL(gateway.endpoint, '{ f1 }');
  assert.deepEqual([onTwo.headers.get(schemaVersionHeader), onTwo.body.data], ['2', { f1: 'B:f1' }]);
  assert.equal(gateway.gateway.graphs.inFlight().size, 2, 'v1 stays open while its request runs');
  A.release();
  const answered = await slowOnOne;
  assert.deepEqual([answered.status, answered.headers.get(schemaVersionHeader), answered.body.data], [200, '1', { slow: 'A:slow', f0: 'A:f0' }]);

  const slowOnTwo = postGraphQL(gateway.endpoint, '{ slow }');
  await B.held;
  const publishing = publishTagged(registry, A.url, 2);
  const closing = gateway.close();
  B.release();
  const last = await slowOnTwo;
  assert.deepEqual([last.status, last.body.data], [200, { slow: 'B:slow' }]);
  await Promise.all([publishing, closing]);
});
