import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { openRegistry } from '../src/registry/open-registry.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { registryBackends } from './helpers/registry-backends.ts';
import { publishTagged, startFollowingGateway, startTaggedService, taggedSdl } from './helpers/registry-gateways.ts';

const [embedded] = registryBackends as [(typeof registryBackends)[0]];
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

test('the registry API: the admin token does everything, a team token changes only its own service, no token is 401', { timeout: 180_000 }, async (t) => {
  const service = await startTaggedService(t, 'A');
  const location = await embedded.location(t);
  const seed = await openRegistry(location);
  await publishTagged(seed, service.url, 0);
  await seed.close();
  const gateway = await startFollowingGateway(t, location, {
    registry: { adminTokenHash: sha256('admin-secret'), publishTokens: { svc: sha256('svc-secret'), other: sha256('other-secret') } },
  });
  const api = (route: string, token: string | undefined, body?: unknown) =>
    fetch(`${gateway.url}/_concierge/registry/${route}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const codeOf = async (response: Response) => [
    response.status,
    ((await response.json()) as { errors?: Array<{ extensions: { code: string } }> }).errors?.[0]?.extensions.code,
  ];
  const publish = { service: 'svc', sdl: taggedSdl(1) };

  assert.deepEqual(await codeOf(await api('publish', undefined, publish)), [401, 'UNAUTHENTICATED']);
  assert.deepEqual(await codeOf(await api('publish', 'guess', publish)), [401, 'UNAUTHENTICATED']);
  assert.deepEqual(await codeOf(await api('publish', 'other-secret', publish)), [403, 'FORBIDDEN']);
  assert.deepEqual(await codeOf(await api('delete', 'svc-secret', { service: 'svc' })), [403, 'FORBIDDEN']);
  assert.deepEqual(await codeOf(await api('history', undefined)), [401, 'UNAUTHENTICATED']);

  const checked = (await (await api('check', 'svc-secret', publish)).json()) as { report: { passed: boolean } };
  assert.equal(checked.report.passed, true);
  const published = (await (await api('publish', 'svc-secret', publish)).json()) as { outcome: string; graph: { version: number } };
  assert.equal(published.outcome, 'published');
  await gateway.gateway.registry?.follower.reached(published.graph.version);
  assert.deepEqual((await postGraphQL(gateway.endpoint, '{ f1 }')).body.data, { f1: 'A:f1' });

  const history = (await (await api('history?service=svc', 'other-secret')).json()) as Array<{ version: number; author: string }>;
  assert.deepEqual(
    history.map((version) => [version.version, version.author]),
    [
      [2, 'token:svc'],
      [1, 'ci'],
    ],
  );
  const diff = (await (await api('diff?from=1&to=2', 'admin-secret')).json()) as Array<{ message: string }>;
  assert.deepEqual(
    diff.map((change) => change.message),
    ["Field 'f1' was added to object type 'Query'"],
  );
  const rolledBack = (await (await api('rollback', 'admin-secret', { service: 'svc', to: 1 })).json()) as { outcome: string; version: { author: string } };
  assert.deepEqual([rolledBack.outcome, rolledBack.version.author], ['published', 'admin']);
  assert.deepEqual(await codeOf(await api('rollback', 'svc-secret', { service: 'svc', to: 99 })), [400, 'BAD_REQUEST']);
});
