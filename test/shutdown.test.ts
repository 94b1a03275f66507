import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { postGraphQL } from './helpers/graphql-request.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { spawnGatewayProcess } from './helpers/spawn-gateway-process.ts';
import { root } from './helpers/start-shop.ts';

test('SIGTERM finishes in-flight requests, refuses new ones, then exits 0', async (t) => {
  const slow = await startFixtureServer(t, async (_request, response) => {
    await new Promise((resolve) => setTimeout(resolve, 700));
    json(response, 200, { id: '1', name: 'slow' });
  });
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-shutdown-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'schemas.graphql'), 'type Thing { id: ID! name: String! }\ntype Query { thing: Thing @http(GET: "/thing") }\n');
  await writeFile(
    path.join(dir, 'gateway.config.json'),
    JSON.stringify({ host: '127.0.0.1', port: 0, sources: { things: { kind: 'rest', url: '${THINGS_URL}', schema: 'schemas.graphql' } } }),
  );

  const gateway = await spawnGatewayProcess(t, [path.join(root, 'bin/concierge.js'), 'start', '--config', path.join(dir, 'gateway.config.json')], { THINGS_URL: slow.url, PORT: '0' }, /serving 1 sources at (http:\/\/\S+)/);
  const endpoint = gateway.url;

  const inFlight = postGraphQL(endpoint, '{ thing { name } }');
  await new Promise((resolve) => setTimeout(resolve, 200));
  const exited = once(gateway.child, 'exit');
  gateway.child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 100));
  await assert.rejects(fetch(`${new URL(endpoint).origin}/healthz`), 'the port no longer accepts connections');

  const response = await inFlight;
  assert.equal(response.status, 200);
  assert.deepEqual(response.body, { data: { thing: { name: 'slow' } } });
  const [code] = await exited;
  assert.equal(code, 0, gateway.output());
  assert.match(gateway.output(), /SIGTERM: finishing in-flight requests/);
});
