import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { decodeJwt } from 'jose';
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
  assert.equal(response.body.data?.user?.orders?.length, 10);

  const page = await (await fetch(endpoint, { headers: { accept: 'text/html' } })).text();
  assert.match(page, /query OrderHistory/);
  const preloaded = decodeJwt(/Bearer (ey[\w-]+\.[\w-]+\.[\w-]+)/.exec(page)?.[1] ?? '');
  assert.deepEqual(
    [preloaded.sub, preloaded.scope, (preloaded.exp ?? 0) - (preloaded.iat ?? 0)],
    ['1', 'orders:read', 900],
    'GraphiQL preloads a 15-minute token of user 1',
  );

  const exited = once(shop.child, 'exit');
  shop.child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 0, shop.output());
});
