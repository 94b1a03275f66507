import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openRegistry } from '../src/registry/open-registry.ts';
import { registryBackends } from './helpers/registry-backends.ts';
import { publishTagged, startFollowingGateway, startTaggedService, taggedSdl } from './helpers/registry-gateways.ts';
import { answerFromVersion, runSchema } from './helpers/registry-remote.ts';

const [embedded] = registryBackends as [(typeof registryBackends)[0]];
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const withoutTimes = (text: string) => text.replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ/g, '<time>');

test('concierge schema --registry: every command through the API of a following gateway, with the exit codes of direct mode', {
  timeout: 60_000,
}, async (t) => {
  const service = await startTaggedService(t, 'A');
  const location = await embedded.location(t);
  const seed = await openRegistry(location);
  await publishTagged(seed, service.url, 0);
  await seed.close();
  const gateway = await startFollowingGateway(t, location, {
    registry: { adminTokenHash: sha256('admin-secret'), publishTokens: { svc: sha256('svc-secret'), other: sha256('other-secret') } },
  });
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-remote-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'svc-v2.graphql'), taggedSdl(1));
  await writeFile(path.join(dir, 'svc-v1.graphql'), taggedSdl(0));
  await writeFile(path.join(dir, 'persisted.json'), JSON.stringify({ 'reads-f1': '{ f1 }' }));
  const origin = new URL(gateway.url).origin;
  const remote = (token: string | undefined, ...args: string[]) =>
    runSchema([...args, '--registry', gateway.url, ...(token ? ['--token', token] : [])], dir, { CONCIERGE_AUTHOR: 'ci' });

  const published = await remote('svc-secret', 'publish', 'svc', '--schema', 'svc-v2.graphql');
  assert.deepEqual([published.code, published.stdout.trim().split('\n').at(-1)], [0, 'published svc v2: graph v2'], published.stderr);
  const answer = await answerFromVersion(gateway.endpoint, gateway.gateway, 2, '{ f1 }');
  assert.deepEqual(answer.body.data, { f1: 'A:f1' });

  const refusals: Array<[string | undefined, string[], number, string]> = [
    [
      'other-secret',
      ['publish', 'svc', '--schema', 'svc-v2.graphql'],
      2,
      `schema publish: the registry API at ${origin} answered 403: The token of other may not publish svc.\n`,
    ],
    [
      undefined,
      ['publish', 'svc', '--schema', 'svc-v2.graphql'],
      2,
      `schema publish: the registry API at ${origin} answered 401: A registry token is required: Authorization: Bearer <token>. (--token <token> or CONCIERGE_REGISTRY_TOKEN)\n`,
    ],
    [
      'guess',
      ['history'],
      2,
      `schema history: the registry API at ${origin} answered 401: The registry token is not valid. (--token <token> or CONCIERGE_REGISTRY_TOKEN)\n`,
    ],
    [
      'svc-secret',
      ['delete', 'svc'],
      2,
      `schema delete: the registry API at ${origin} answered 403: The token of svc may not delete services: that takes the admin token.\n`,
    ],
    [
      'svc-secret',
      ['rollback', 'svc', '--to', '9'],
      2,
      `schema rollback: the registry API at ${origin} answered 400: svc has no version 9: its versions are 1 to 2\n`,
    ],
    [
      'svc-secret',
      ['publish', 'svc', '--schema', 'missing.graphql'],
      2,
      'schema publish: --schema: expected a readable file, got "missing.graphql" (no such file)\n',
    ],
    [
      'admin-secret',
      ['import'],
      2,
      `schema import: import seeds a store directly (--store <dir | postgres://...>, or the config's registry option); the registry API at ${origin} does not import\n`,
    ],
    [
      'svc-secret',
      ['publish', 'svc', '--schema', 'svc-v1.graphql', '--manifest', 'persisted.json'],
      1,
      "Breaking change to coordinates in use since <since>:\n  - Field 'f1' was removed from object type 'Query' (Query.f1): used by operation reads-f1 (client persisted documents)\nRefused: --force stores it anyway.\n",
    ],
  ];
  for (const [token, args, code, stderr] of refusals) {
    const ran = await remote(token, ...args);
    assert.deepEqual([ran.code, ran.stderr.replace(/since \S+Z:/, 'since <since>:')], [code, stderr], args.join(' '));
  }

  const checked = await runSchema(['check', 'svc', '--schema', 'svc-v1.graphql'], dir, {
    CONCIERGE_REGISTRY: gateway.url,
    CONCIERGE_REGISTRY_TOKEN: 'svc-secret',
  });
  assert.deepEqual(
    [
      checked.code,
      checked.stdout
        .replace(/since \S+Z/g, 'since <since>')
        .split('\n')
        .slice(1),
    ],
    [
      0,
      [
        'Changes to the public schema (1 breaking, 0 dangerous, 0 safe):',
        "  [breaking]  Field 'f1' was removed from object type 'Query': unused",
        "Changes to svc's SDL (1 breaking, 0 dangerous, 0 safe):",
        "  [breaking]  Field 'f1' was removed from object type 'Query'",
        'Notes:',
        "  - unused, so allowed: Field 'f1' was removed from object type 'Query' (no operation used Query.f1 since <since>, and no persisted document does)",
        'ok: svc passes the check',
        '',
      ],
    ],
    'CONCIERGE_REGISTRY and CONCIERGE_REGISTRY_TOKEN name the gateway',
  );

  const graphs = await remote('other-secret', 'diff', '1', '2');
  assert.deepEqual(
    [graphs.code, graphs.stdout],
    [0, "graph v1 to v2: 1 change (0 breaking, 0 dangerous, 1 safe)\n  [safe]      Field 'f1' was added to object type 'Query'\n"],
  );
  const versions = await remote('other-secret', 'diff', 'svc@2', 'svc@1');
  assert.deepEqual(
    [versions.code, versions.stdout],
    [0, "svc v2 to v1: 1 change (1 breaking, 0 dangerous, 0 safe)\n  [breaking]  Field 'f1' was removed from object type 'Query'\n"],
  );
  const rollback = await remote('svc-secret', 'rollback', 'svc', '--to', '1');
  assert.deepEqual([rollback.code, rollback.stdout.trim().split('\n').at(-1)], [0, 'published svc v3: graph v3'], rollback.stderr);
  const history = await remote('other-secret', 'history', 'svc');
  assert.equal(
    withoutTimes(history.stdout),
    [
      'graph v3  svc v3  rollback of v1  by token:svc  <time>',
      'graph v2  svc v2  publish         by token:svc  <time>',
      'graph v1  svc v1  publish         by ci         <time>',
      '',
    ].join('\n'),
  );
  const gone = await answerFromVersion(gateway.endpoint, gateway.gateway, 3, '{ f0 }');
  assert.deepEqual(gone.body.data, { f0: 'A:f0' });

  const closed = createServer().listen(0, '127.0.0.1');
  await once(closed, 'listening');
  const { port } = closed.address() as AddressInfo;
  closed.close();
  const unreachable = await runSchema(['history', '--registry', `http://127.0.0.1:${port}`, '--token', 'x'], dir);
  assert.deepEqual(
    [unreachable.code, unreachable.stderr],
    [2, `schema history: cannot reach the registry API at http://127.0.0.1:${port}/_concierge/registry/history: connect ECONNREFUSED 127.0.0.1:${port}\n`],
  );
  const notUrl = await runSchema(['history', '--registry', 'registry-data'], dir);
  assert.deepEqual(
    [notUrl.code, notUrl.stderr],
    [2, 'schema history: --registry: expected the http:// or https:// URL of a gateway whose registry API is on, got "registry-data"\n'],
  );
});
