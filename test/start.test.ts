import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { mintDevToken } from '../examples/ecommerce/dev-keys.ts';
import { OrderHistoryDocument } from '../generated/operations.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { spawnGatewayProcess } from './helpers/spawn-gateway-process.ts';
import { root } from './helpers/start-shop.ts';

test('`npm start` serves the example shop: the order-history query answers, GraphiQL loads, SIGTERM stops everything', async (t) => {
  const { scripts } = JSON.parse(await readFile(`${root}package.json`, 'utf8')) as { scripts: Record<string, string> };
  const [command, ...args] = (scripts['start'] ?? '').split(' ');
  assert.equal(command, 'node', 'npm start runs node directly, so signals reach the gateway');
  const shop = await spawnGatewayProcess(t, args, { PORT: '0', EXAMPLES_BASE_PORT: '0' }, /GraphiQL and the GraphQL endpoint: (http:\/\/\S+)/);
  const endpoint = shop.url;

  const token = await mintDevToken({ sub: '1', scopes: ['orders:read'] });
  const response = await postGraphQL(endpoint, OrderHistoryDocument, { id: '1' }, { authorization: `Bearer ${token}` });
  assert.equal(response.status, 200);
  assert.equal(response.body.errors, undefined);
  assert.equal(response.body.data?.user?.orders.length, 10);

  const page = await fetch(endpoint, { headers: { accept: 'text/html' } });
  assert.match(await page.text(), /query OrderHistory/);

  const exited = once(shop.child, 'exit');
  shop.child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 0, shop.output());
});
