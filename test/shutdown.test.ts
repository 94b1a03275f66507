import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { postGraphQL } from './helpers/graphql-request.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
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

  const child = spawn(process.execPath, [path.join(root, 'bin/concierge.js'), 'start', '--config', path.join(dir, 'gateway.config.json')], {
    env: { ...process.env, THINGS_URL: slow.url, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let output = '';
  child.stderr.on('data', (chunk) => (output += String(chunk)));
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += String(chunk);
      const match = /serving 1 sources at (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', () => reject(new Error(`gateway exited early:\n${output}`)));
  });

  const inFlight = postGraphQL(endpoint, '{ thing { name } }');
  await new Promise((resolve) => setTimeout(resolve, 200));
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 100));
  await assert.rejects(fetch(`${new URL(endpoint).origin}/healthz`), 'the port no longer accepts connections');

  const response = await inFlight;
  assert.equal(response.status, 200);
  assert.deepEqual(response.body, { data: { thing: { name: 'slow' } } });
  const [code] = await exited;
  assert.equal(code, 0, output);
  assert.match(output, /SIGTERM: finishing in-flight requests/);
});
