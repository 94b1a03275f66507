import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { spawnGatewayProcess } from './helpers/spawn-gateway-process.ts';
import { root } from './helpers/start-shop.ts';

const run = promisify(execFile);
const npm = (args: string[], cwd: string) => run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, maxBuffer: 16 * 1024 * 1024 });

test('the packed tarball installs into an empty folder: compiled JavaScript, init scaffolds a project that checks and serves', async (t) => {
  const work = await mkdtemp(path.join(tmpdir(), 'concierge-package-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  // prepack builds dist/ (tsc), so the tarball holds compiled JavaScript and declarations, no TypeScript sources.
  await npm(['pack', '--pack-destination', work], root);
  const [tarball] = (await readdir(work)).filter((file) => file.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack wrote a tarball');
  const { stdout: listing } = await run('tar', ['tzf', path.join(work, tarball)]);
  const files = listing.trim().split('\n');
  assert.ok(files.includes('package/dist/cli.js') && files.includes('package/dist/index.d.ts') && files.includes('package/bin/concierge.js'), listing);
  assert.ok(
    files.includes('package/dist/composition/directives.graphql') && files.some((file) => /^package\/dist\/registry\/migrations\/.+\.sql$/.test(file)),
    'run-time assets travel with the code',
  );
  assert.deepEqual(
    files.filter((file) => file.startsWith('package/src/') || file.startsWith('package/test/')),
    [],
  );

  const project = path.join(work, 'project');
  await run('mkdir', [project]);
  await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'my-api', private: true }));
  await npm(['install', '--prefer-offline', path.join(work, tarball)], project);
  const concierge = (args: string[]) => run(path.join(project, 'node_modules/.bin/concierge'), args, { cwd: project });

  const init = await concierge(['init']);
  assert.match(init.stdout, /Wrote gateway\.config\.ts, schemas\/products\.graphql, README\.md\./);
  assert.match(await readFile(path.join(project, 'README.md'), 'utf8'), /npx concierge start/);
  await assert.rejects(
    concierge(['init']),
    (error: { code: number; stderr: string }) =>
      error.code === 1 && /gateway\.config\.ts, schemas\/products\.graphql already exist; nothing was written/.test(error.stderr),
  );
  assert.equal((await concierge(['check'])).stdout.trim(), 'ok: 1 sources compose (products)');

  const gateway = await spawnGatewayProcess(
    t,
    [path.join(project, 'node_modules/concierge/bin/concierge.js'), 'start'],
    // The scaffold's service URL comes from PRODUCTS_URL: a port where nothing listens (the discard
    // port), not the default 4001, which `npm start` or anything else on the machine may hold.
    { PORT: '0', PRODUCTS_URL: 'http://127.0.0.1:9' },
    /serving 1 sources at (http:\/\/\S+)/,
    project,
  );
  const answer = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __typename products { id } }' }),
  });
  const body = (await answer.json()) as { data: unknown; errors: Array<{ extensions: { code: string; service: string } }> };
  assert.deepEqual(
    [answer.status, body.data, body.errors.map((error) => [error.extensions.code, error.extensions.service])],
    [200, null, [['DOWNSTREAM_SERVICE_ERROR', 'products']]],
    "served, and the scaffold's service (not running) fails its field alone",
  );

  const { stdout: api } = await run(
    process.execPath,
    ['--input-type=module', '-e', "const m = await import('concierge'); console.log(typeof m.defineConfig, typeof m.startGateway, typeof m.loadConfig)"],
    { cwd: project },
  );
  assert.equal(api.trim(), 'function function function');
});
