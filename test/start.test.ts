import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { OrderHistoryDocument } from '../generated/operations.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { root } from './helpers/start-shop.ts';

test('`npm start` serves the example shop: the order-history query answers, GraphiQL loads, SIGTERM stops everything', async (t) => {
  const { scripts } = JSON.parse(await readFile(`${root}package.json`, 'utf8')) as { scripts: Record<string, string> };
  const [command, ...args] = (scripts['start'] ?? '').split(' ');
  assert.equal(command, 'node', 'npm start runs node directly, so signals reach the gateway');
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, PORT: '0', EXAMPLES_BASE_PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill('SIGKILL'));
  let output = '';
  child.stderr.on('data', (chunk) => (output += String(chunk)));
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += String(chunk);
      const match = /GraphiQL and the GraphQL endpoint: (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', () => reject(new Error(`npm start exited early:\n${output}`)));
  });

  const response = await postGraphQL(endpoint, OrderHistoryDocument, { id: '1' });
  assert.equal(response.status, 200);
  assert.equal(response.body.errors, undefined);
  assert.equal(response.body.data?.user?.orders.length, 10);

  const page = await fetch(endpoint, { headers: { accept: 'text/html' } });
  assert.match(await page.text(), /query OrderHistory/);

  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 0, output);
});
