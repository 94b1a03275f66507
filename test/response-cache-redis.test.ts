import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { test, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { cacheStatus, startCachedGateway, startCatalogService } from './helpers/cached-catalog.ts';
import { createManualClock, type ManualClock } from './helpers/manual-clock.ts';
import { collectLogs } from './helpers/collect-logs.ts';

const redisUrl = process.env['REDIS_URL'];
const skip = redisUrl ? false : 'REDIS_URL is not set: the Redis response-cache tests need a Redis (CI sets it)';
const productOne = '{ product(id: "1") { name price } }';
const productTwo = '{ product(id: "2") { name price } }';
const allProducts = '{ products { name } }';

/** A Redis connection for the test's own checks, and a key prefix of its own (`<id>:`; `<id>-other:` for a neighbour), deleted when the test ends. */
async function testRedis(t: TestContext) {
  const id = `concierge-test-${randomUUID()}`;
  const keyPrefix = `${id}:`;
  const redis = new Redis(redisUrl as string);
  t.after(async () => {
    const keys = await redis.keys(`${id}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });
  return { redis, keyPrefix, neighbour: `${id}-other:` };
}

/** Two gateways sharing one Redis (and one catalogue service), as two replicas; with `clock`, both read it. */
async function startReplicas(t: TestContext, clock?: ManualClock) {
  const { redis, keyPrefix, neighbour } = await testRedis(t);
  const catalog = await startCatalogService(t);
  const config = { redis: { url: redisUrl, keyPrefix } };
  const options = clock ? { clock } : {};
  const [one, two] = [await startCachedGateway(t, catalog, {}, config, options), await startCachedGateway(t, catalog, {}, config, options)];
  return { redis, keyPrefix, neighbour, catalog, one, two };
}

test('an entry stored through one gateway is served by another, PRIVATE entries still per consumer', { skip }, async (t) => {
  const { redis, keyPrefix, catalog, one, two } = await startReplicas(t);

  const stored = await one.query(productOne);
  const served = await two.query(productOne);
  assert.deepEqual([cacheStatus(stored), cacheStatus(served)], ['MISS', 'HIT']);
  assert.equal(served.text, stored.text);
  assert.equal(served.headers.get('etag'), stored.headers.get('etag'));
  assert.equal((await two.query(productOne, undefined, { 'if-none-match': stored.headers.get('etag') ?? '' })).status, 304);
  assert.equal(catalog.calls('/products/1'), 1);

  const [entry] = await redis.keys(`${keyPrefix}cache:entry:*`);
  const ttl = await redis.pttl(entry ?? '');
  assert.ok(ttl > 55_000 && ttl <= 60_000, `entry TTL ${ttl} ms`);
  assert.ok((await redis.pttl(`${keyPrefix}cache:entity:Product:1`)) > 55_000, 'the entity index expires with its entry');
  assert.deepEqual(await redis.smembers(`${keyPrefix}cache:entity:Product:1`), [entry?.slice(`${keyPrefix}cache:entry:`.length)]);

  assert.equal((await one.query('{ account { owner } }', 'a')).body.data?.account.owner, 'a');
  const b = await two.query('{ account { owner } }', 'b');
  assert.deepEqual([cacheStatus(b), b.body.data?.account.owner], ['MISS', 'b']);
  const a = await two.query('{ account { owner } }', 'a');
  assert.deepEqual([cacheStatus(a), a.body.data?.account.owner], ['HIT', 'a']);
});

test("entries expire after their maxAge on the gateways' clock, even while Redis still holds them", { skip }, async (t) => {
  const clock = createManualClock(Date.now());
  const { catalog, one, two } = await startReplicas(t, clock);
  assert.equal(cacheStatus(await one.query('{ flash { name } }')), 'MISS');
  clock.advance(999);
  assert.equal(cacheStatus(await two.query('{ flash { name } }')), 'HIT');
  clock.advance(1);
  assert.equal(cacheStatus(await two.query('{ flash { name } }')), 'MISS', 'expired on the clock, while Redis may still hold it');
  assert.equal(catalog.calls('/products/1'), 2);
});

test('a mutation through one gateway invalidates the entries the other stored, and only those', { skip }, async (t) => {
  const { catalog, one, two } = await startReplicas(t);
  for (const text of [productOne, productTwo, allProducts]) assert.equal(cacheStatus(await one.query(text)), 'MISS');

  assert.deepEqual((await two.query('mutation { setPrice(id: "1", price: 5) { price } }')).body, { data: { setPrice: { price: 5 } } });

  const changed = await one.query(productOne);
  assert.deepEqual([cacheStatus(changed), changed.body.data?.product.price], ['MISS', 5]);
  assert.equal(cacheStatus(await one.query(productTwo)), 'HIT');
  assert.equal(cacheStatus(await two.query(allProducts)), 'MISS');
  assert.deepEqual([catalog.calls('/products/1'), catalog.calls('/products/2'), catalog.calls('/products')], [2, 1, 2]);
});

test('a purge through one gateway applies to both, and purging all leaves other prefixes alone', { skip }, async (t) => {
  const { redis, keyPrefix, neighbour, one, two } = await startReplicas(t);
  const other = `${neighbour}cache:entry:x`;
  await redis.set(other, '{}', 'PX', 60_000);
  for (const text of [productOne, productTwo, allProducts]) await one.query(text);

  assert.equal((await one.purge({ all: true }, 'a')).status, 403);
  assert.deepEqual((await one.purge({ type: 'Product', id: '2' }, 'admin')).body, { purged: 2 });
  assert.deepEqual([cacheStatus(await two.query(productOne)), cacheStatus(await two.query(productTwo))], ['HIT', 'MISS']);
  assert.deepEqual((await two.purge({ type: 'Product' }, 'admin')).body, { purged: 2 });
  assert.equal(cacheStatus(await one.query(productOne)), 'MISS');
  assert.deepEqual((await one.purge({ all: true }, 'admin')).body, { purged: 1 });
  assert.deepEqual(await redis.keys(`${keyPrefix}*`), []);
  assert.equal(await redis.exists(other), 1);
});

test('while Redis is unreachable the services answer, the outage is logged once, and a purge is 503', async (t) => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as { port: number };
  await new Promise((resolve) => closed.close(resolve));
  const logs = collectLogs();
  const catalog = await startCatalogService(t);
  const { query, purge } = await startCachedGateway(
    t,
    catalog,
    {},
    { redis: { url: `redis://127.0.0.1:${port}`, keyPrefix: `concierge-test-${randomUUID()}:` } },
    { logger: logs.logger },
  );

  for (let round = 0; round < 4; round++) {
    const response = await query(productOne);
    assert.deepEqual([response.status, response.body.data?.product.name, cacheStatus(response)], [200, 'Tea', 'MISS']);
  }
  assert.equal(catalog.calls('/products/1'), 4);
  const purged = await purge({ all: true }, 'admin');
  assert.deepEqual([purged.status, purged.body.errors?.[0]?.extensions?.code], [503, 'SERVICE_UNAVAILABLE']);
  const outages = logs.messages('error').filter((message) => message.includes('redis (response cache) unreachable'));
  assert.equal(outages.length, 1, logs.messages().join('\n'));
});
