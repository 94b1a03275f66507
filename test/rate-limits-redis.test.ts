import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { postGraphQL } from './helpers/graphql-request.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { spawnGatewayProcess, type GatewayProcess } from './helpers/spawn-gateway-process.ts';
import { root } from './helpers/start-shop.ts';
import { waitForOutput } from './helpers/wait-for-output.ts';
import { freePort } from './helpers/free-port.ts';

const redisUrl = process.env['REDIS_URL'];
const skip = redisUrl ? false : 'REDIS_URL is not set: the distributed-mode tests need a Redis (CI sets it)';
const canStartRedis = spawnSync('redis-server', ['--version']).status === 0;
const skipOwnRedis = skip || (canStartRedis ? false : 'no redis-server binary: this test stops and restarts a Redis of its own');
const keys = { a: 'key-of-a-0123456789abcdef', b: 'key-of-b-0123456789abcdef' };
const hash = (key: string) => createHash('sha256').update(key).digest('hex');

async function writeGatewayConfig(
  t: TestContext,
  serviceUrl: string,
  redis: string,
  max: number,
  onStoreFailure: 'open' | 'closed',
  commandTimeout = 300,
  plans: Record<string, unknown> = {},
): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-rl-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(
    path.join(dir, 'api.graphql'),
    `type Query { hello: String @http(GET: "/hello") limited: String @http(GET: "/limited") @rateLimit(max: ${max}, window: "1m") }`,
  );
  await writeFile(
    path.join(dir, 'gateway.config.json'),
    JSON.stringify({
      host: '127.0.0.1',
      graphiql: false,
      redis: { url: redis, keyPrefix: `concierge-test-${randomUUID()}:`, commandTimeout },
      rateLimits: { onStoreFailure, plans },
      consumers: { a: { keyHash: hash(keys.a) }, b: { keyHash: hash(keys.b) } },
      // Dedupe off: the test counts every call the limit lets through at the service.
      sources: { api: { kind: 'rest', url: serviceUrl, schema: 'api.graphql', dedupeInFlight: false } },
    }),
  );
  return path.join(dir, 'gateway.config.json');
}

function startGatewayProcess(t: TestContext, config: string): Promise<GatewayProcess> {
  return spawnGatewayProcess(t, [path.join(root, 'bin/concierge.js'), 'start', '--config', config], { PORT: '0' }, /serving 1 sources at (http:\/\/\S+)/);
}

test('three gateways sharing Redis let exactly 100 of 300 concurrent calls through a 100-per-minute field limit', { skip }, async (t) => {
  const service = await startFixtureServer(t, (_request, response) => json(response, 200, 'ok'));
  // A generous command timeout: on this 2-core machine, a command timing out under the burst would
  // (rightly) fall under the open policy and let a call through uncounted.
  const config = await writeGatewayConfig(t, service.url, redisUrl as string, 100, 'closed', 5_000);
  const gateways = await Promise.all([0, 1, 2].map(() => startGatewayProcess(t, config)));

  const responses = await Promise.all(
    Array.from({ length: 300 }, (_, index) => postGraphQL((gateways[index % 3] as GatewayProcess).url, '{ limited }', undefined, { 'x-api-key': keys.a })),
  );
  const passed = responses.filter((response) => response.body.data?.limited === 'ok').length;
  const limited = responses.filter((response) => response.body.errors?.[0]?.extensions?.code === 'RATE_LIMITED').length;
  assert.deepEqual({ passed, limited }, { passed: 100, limited: 200 });
  assert.equal(service.requests.filter((request) => request.url === '/limited').length, 100, 'the service saw exactly the allowed calls');

  const other = await Promise.all(
    Array.from({ length: 30 }, (_, index) => postGraphQL((gateways[index % 3] as GatewayProcess).url, '{ limited }', undefined, { 'x-api-key': keys.b })),
  );
  assert.equal(other.filter((response) => response.body.data?.limited === 'ok').length, 30, 'another consumer has its own budget');
});

/** A Redis of the test's own, so it can be stopped and started again; resolves once it says it accepts connections. */
async function startOwnRedis(t: TestContext, port: number) {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += String(chunk);
      if (/Ready to accept connections/.test(output)) resolve();
    });
    child.stderr.on('data', (chunk) => (output += String(chunk)));
    child.once('exit', (code) => reject(new Error(`redis-server on ${port} exited with ${code} before it was ready:\n${output}`)));
  });
  return child;
}

for (const policy of ['closed', 'open'] as const) {
  test(`Redis stopped under load: the "${policy}" policy holds, the gateway keeps serving, one log line per outage, limits return with Redis`, {
    skip: skipOwnRedis,
  }, async (t) => {
    const port = await freePort();
    let redis = await startOwnRedis(t, port);
    const service = await startFixtureServer(t, (_request, response) => json(response, 200, 'ok'));
    const config = await writeGatewayConfig(t, service.url, `redis://127.0.0.1:${port}`, 3, policy);
    const gateway = await startGatewayProcess(t, config);
    const ask = () => postGraphQL(gateway.url, '{ hello limited }', undefined, { 'x-api-key': keys.a });

    assert.deepEqual((await ask()).body.data, { hello: 'ok', limited: 'ok' });
    redis.kill('SIGKILL');
    await once(redis, 'exit');
    const during = await Promise.all(Array.from({ length: 20 }, ask));
    for (const response of during) {
      assert.equal(response.status, 200);
      assert.equal(response.body.data?.hello, 'ok', 'the gateway keeps serving');
      if (policy === 'closed') {
        assert.equal(response.body.data?.limited, null);
        assert.equal(response.body.errors?.[0]?.extensions?.code, 'SERVICE_UNAVAILABLE');
      } else {
        assert.equal(response.body.data?.limited, 'ok');
      }
    }
    assert.equal(gateway.output().match(/redis \(rate limits\) unreachable/g)?.length, 1, gateway.output());

    redis = await startOwnRedis(t, port);
    await waitForOutput(gateway, /reachable again/);
    const after = [];
    for (let index = 0; index < 5; index += 1) after.push(await ask());
    assert.deepEqual(
      after.map((response) => response.body.data?.limited ?? response.body.errors?.[0]?.extensions?.code),
      ['ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED'],
      'the fresh Redis counts again',
    );
    assert.equal(gateway.output().match(/unreachable/g)?.length, 1, 'no more lines once it is back');
  });
}

for (const policy of ['closed', 'open'] as const) {
  test(`Redis hanging (SIGSTOP: commands time out on a live connection) under "${policy}": plan budgets answer 503 or pass, fields null or pass, and the outage is logged once when it starts and once when it ends, with its count`, {
    skip: skipOwnRedis,
  }, async (t) => {
    const port = await freePort();
    const redis = await startOwnRedis(t, port);
    const service = await startFixtureServer(t, (_request, response) => json(response, 200, 'ok'));
    // Anonymous callers have a request budget; consumer a (plan "default", none configured) has field limits only.
    const config = await writeGatewayConfig(t, service.url, `redis://127.0.0.1:${port}`, 100, policy, 300, {
      anonymous: { requests: { max: 1000, window: '1m' } },
    });
    const gateway = await startGatewayProcess(t, config);
    const asAnonymous = () => postGraphQL(gateway.url, '{ hello }');
    const asConsumer = () => postGraphQL(gateway.url, '{ hello limited }', undefined, { 'x-api-key': keys.a });
    assert.equal((await asAnonymous()).headers.get('ratelimit-limit'), '1000');
    assert.deepEqual((await asConsumer()).body.data, { hello: 'ok', limited: 'ok' });

    redis.kill('SIGSTOP');
    t.after(() => redis.kill('SIGCONT'));
    const calls = service.requests.length;
    const during = [];
    for (let index = 0; index < 3; index += 1) during.push(await asAnonymous(), await asConsumer());
    for (const [index, response] of during.entries()) {
      const budgeted = index % 2 === 0;
      if (policy === 'open') {
        assert.deepEqual([response.status, response.body], [200, { data: budgeted ? { hello: 'ok' } : { hello: 'ok', limited: 'ok' } }]);
      } else if (budgeted) {
        assert.equal(response.status, 503);
        assert.deepEqual(
          response.body.errors?.map((error) => [error.extensions?.code, error.extensions?.['requestId']]),
          [['SERVICE_UNAVAILABLE', response.headers.get('x-request-id')]],
        );
        assert.equal(response.body.data, undefined);
      } else {
        assert.equal(response.status, 200);
        assert.deepEqual(response.body.data, { hello: 'ok', limited: null });
        assert.deepEqual(
          response.body.errors?.map((error) => [error.path, error.extensions?.code]),
          [[['limited'], 'SERVICE_UNAVAILABLE']],
        );
      }
    }
    assert.equal(service.requests.length - calls, policy === 'open' ? 9 : 3, 'refused requests and fields reach no service');
    const opened = gateway.output().match(/redis \(rate limits\) unreachable: .*/g);
    assert.deepEqual(
      opened?.map((line) => line.replace(/unreachable: [^;]*;/, 'unreachable: <reason>;')),
      [
        `redis (rate limits) unreachable: <reason>; ${policy === 'open' ? 'limited requests pass unchecked' : 'plan budgets refuse operations with 503 and limited fields answer null, with SERVICE_UNAVAILABLE'} (rateLimits.onStoreFailure: '${policy}') until it returns`,
      ],
      gateway.output(),
    );

    redis.kill('SIGCONT');
    assert.equal((await asAnonymous()).status, 200);
    assert.deepEqual(
      gateway.output().match(/redis \(rate limits\) reachable again.*/g),
      [
        `redis (rate limits) reachable again; 6 rate-limit checks ${policy === 'open' ? 'let through unchecked' : 'answered SERVICE_UNAVAILABLE'} during the outage`,
      ],
      gateway.output(),
    );
  });
}
