import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { SchemaStatus } from '../src/plugins/use-metrics.ts';
import { blockingChanges } from '../src/registry/check-report.ts';
import type { Registry } from '../src/registry/create-registry.ts';
import { openRegistry } from '../src/registry/open-registry.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { registryBackends } from './helpers/registry-backends.ts';
import { publishTagged, startFollowingGateway, startTaggedService, taggedSdl } from './helpers/registry-gateways.ts';

const [embedded] = registryBackends as [(typeof registryBackends)[0]];
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

test('operations through a gateway are recorded by document and client; a breaking check on a used field then fails naming them', {
  timeout: 30_000,
}, async (t) => {
  const service = await startTaggedService(t, 'A');
  const location = await embedded.location(t);
  const seed = await openRegistry(location);
  await publishTagged(seed, service.url, 2);
  await seed.close();
  const gateway = await startFollowingGateway(t, location, { registry: { usageFlushInterval: 3_600_000 } });
  const { registry, flushUsage } = gateway.gateway.registry as { registry: Registry; flushUsage(): Promise<void> };

  const used = '{ f0 f1 }';
  const clients: Array<Record<string, string>> = [{ 'graphql-client-name': 'storefront' }, { 'apollographql-client-name': 'storefront' }, {}];
  for (const headers of clients) {
    assert.equal((await postGraphQL(gateway.endpoint, used, undefined, headers)).status, 200);
  }
  assert.deepEqual(await registry.usage(['Query.f1']), [], 'nothing is written before a flush');
  await flushUsage();
  assert.deepEqual(await registry.usage(['Query.f1']), [
    { coordinate: 'Query.f1', documentHash: sha256(used), client: 'storefront', count: 2 },
    { coordinate: 'Query.f1', documentHash: sha256(used), client: 'unknown', count: 1 },
  ]);

  const { report } = await registry.check({ service: 'svc', sdl: taggedSdl(0), author: 'ci' });
  assert.equal(report.passed, false);
  const [removed] = blockingChanges(report);
  assert.equal(removed?.path, 'Query.f1');
  assert.deepEqual(
    removed?.uses?.map((use) => [use.documentHash, use.client]),
    [
      [sha256(used), 'storefront'],
      [sha256(used), 'unknown'],
    ],
  );
  assert.equal(
    blockingChanges(report).some((change) => change.path === 'Query.f2'),
    false,
    'an unused field may go',
  );
});

test('the status page data has a Schema tab: the graph version, its services, the last swaps and checks', { timeout: 180_000 }, async (t) => {
  const service = await startTaggedService(t, 'A');
  const location = await embedded.location(t);
  const seed = await openRegistry(location);
  await publishTagged(seed, service.url, 0);
  await seed.close();
  const gateway = await startFollowingGateway(t, location, { options: { log: () => {} } });
  const registry = gateway.gateway.registry?.registry as Registry;
  const two = await publishTagged(registry, service.url, 1, 'alice');
  await gateway.gateway.registry?.follower.reached(two);
  const bad = await registry.store.exclusive((tx) =>
    tx.addGraphVersion({
      sdl: taggedSdl(1),
      author: 'mallory',
      at: new Date(),
      changes: [{ service: 'svc', action: 'publish', kind: 'graphql', urls: ['ftp://nowhere'], sdl: taggedSdl(1), options: {} }],
      keep: [],
    }),
  );
  await gateway.gateway.registry?.follower.reached(bad.version);

  const data = (await (await fetch(`${gateway.url}/_concierge/data.json`)).json()) as { schema: SchemaStatus };
  assert.equal(data.schema.version, 2);
  assert.deepEqual(data.schema.services, [{ name: 'svc', kind: 'graphql', version: 2 }]);
  assert.deepEqual(
    data.schema.swaps.map((swap) => [swap.version, swap.result]),
    [
      [3, 'failed'],
      [2, 'applied'],
    ],
  );
  assert.match(data.schema.swaps[0]?.reason ?? '', /config\.sources\.svc\.url: expected an http:\/\/ or https:\/\/ URL, got "ftp:\/\/nowhere"/);
  assert.deepEqual(
    data.schema.checks.map((check) => [check.service, check.action, check.passed, check.author]),
    [
      ['svc', 'publish', true, 'alice'],
      ['svc', 'publish', true, 'ci'],
    ],
  );
});
