import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { usableCores } from '../src/server/usable-cores.ts';
import { spawnGatewayProcess, type GatewayProcess } from './helpers/spawn-gateway-process.ts';
import { root } from './helpers/start-shop.ts';
import { waitForOutput } from './helpers/wait-for-output.ts';

const schema = 'type Thing { id: ID! name: String! }\ntype Query { thing: Thing @http(GET: "/thing") slow: Thing @http(GET: "/slow") }\n';

/** A temporary project (config and schema) for a `things` REST service; returns the schema's and config's paths. */
async function project(t: TestContext, serviceUrl: string, extra: Record<string, unknown> = {}, sdl = schema) {
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-workers-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const files = { schema: path.join(dir, 'schemas.graphql'), config: path.join(dir, 'gateway.config.json') };
  await writeFile(files.schema, sdl);
  await writeFile(
    files.config,
    JSON.stringify({
      host: '127.0.0.1',
      port: 0,
      logging: { level: 'info' },
      ...extra,
      sources: { things: { kind: 'rest', url: serviceUrl, schema: 'schemas.graphql' } },
    }),
  );
  return files;
}

/** The `things` service; `/slow` tells when a request reached it (`slowArrived`) and answers once the test calls `answerSlow`. */
async function startThings(t: TestContext) {
  let arrived = () => {};
  const slowArrived = new Promise<void>((resolve) => (arrived = resolve));
  let answerSlow = () => {};
  const slowAnswered = new Promise<void>((resolve) => (answerSlow = resolve));
  t.after(() => answerSlow());
  const server = await startFixtureServer(t, async (incoming, response) => {
    if (incoming.url === '/slow') {
      arrived();
      await slowAnswered;
    }
    json(response, 200, { id: '1', name: incoming.url === '/slow' ? 'slow' : 'thing' });
  });
  return Object.assign(server, { slowArrived, answerSlow });
}

function startWorkers(t: TestContext, config: string): Promise<GatewayProcess> {
  return spawnGatewayProcess(
    t,
    [path.join(root, 'bin/concierge.js'), 'start', '--config', config, '--workers', '2'],
    { PORT: '0' },
    /serving 1 sources at (http:\/\/\S+) with 2 workers/,
  );
}

/** An answer, with the id of the worker that sent it. */
interface Answer {
  status: number;
  worker: string;
  body: string;
}

/**
 * A query, by default on a connection of its own (no keep-alive), so the primary hands each to the
 * next worker; with a keep-alive `agent`, on one of its connections.
 */
function query(endpoint: string, field = 'thing', agent: Agent | false = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const sent = request(endpoint, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += String(chunk)));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, worker: String(response.headers['x-concierge-worker']), body }));
    });
    sent.setTimeout(5_000, () => sent.destroy(new Error(`no answer within 5 s from ${endpoint}`)));
    sent.on('error', reject).end(JSON.stringify({ query: `{ ${field} { name } }` }));
  });
}

test('--workers 2: both workers answer on one port; a SIGKILLed worker is respawned; SIGTERM drains in-flight requests and exits 0', async (t) => {
  const things = await startThings(t);
  const { config } = await project(t, things.url, { rateLimits: { fields: { 'Query.thing': { max: 1000, window: '1m' } } } });
  const gateway = await startWorkers(t, config);
  await waitForOutput(gateway, /warning: rate limits live in each worker's memory, so each worker counts on its own: configure redis/);
  assert.equal(gateway.output().match(/serving/g)?.length, 1, 'the primary prints one serving line');

  const before = await Promise.all(Array.from({ length: 8 }, () => query(gateway.url)));
  assert.deepEqual(new Set(before.map((response) => response.status)), new Set([200]));
  assert.deepEqual(new Set(before.map((response) => response.worker)), new Set(['1', '2']));

  const [, pid] = /pids (\d+), \d+\)/.exec(gateway.output()) ?? [];
  process.kill(Number(pid), 'SIGKILL');
  await waitForOutput(gateway, /worker 1 \(pid \d+\) exited with SIGKILL; respawned as worker 3 \(pid \d+\)/);
  // Until worker 3 listens, worker 2 answers every connection; the loop ends with worker 3's first answer.
  const after: Answer[] = [];
  while (!after.some((response) => response.worker === '3')) after.push(await query(gateway.url));
  assert.deepEqual(new Set(after.map((response) => response.status)), new Set([200]), 'worker 2 answers while worker 3 starts');

  const inFlight = query(gateway.url, 'slow');
  await things.slowArrived;
  const exited = once(gateway.child, 'exit');
  gateway.child.kill('SIGTERM');
  await waitForOutput(gateway, /SIGTERM: draining 2 workers/);
  things.answerSlow();
  const response = await inFlight;
  assert.equal(response.status, 200);
  assert.deepEqual(JSON.parse(response.body), { data: { slow: { name: 'slow' } } });
  const [code] = await exited;
  assert.equal(code, 0, gateway.output());
  assert.match(gateway.output(), /SIGTERM: draining 2 workers/);
});

/** Queries without pause from `clients` loops until stopped; every answer that is not a 200 with the right data is a failure. */
function steadyTraffic(endpoint: string, clients: Array<Agent | false>) {
  const answers: Answer[] = [];
  const failures: string[] = [];
  let running = true;
  const loops = clients.map(async (agent) => {
    while (running) {
      try {
        const answer = await query(endpoint, 'thing', agent);
        answers.push(answer);
        if (answer.status !== 200 || answer.body !== '{"data":{"thing":{"name":"thing"}}}')
          failures.push(`${answer.status} from worker ${answer.worker}: ${answer.body}`);
      } catch (error) {
        failures.push(`${agent ? 'keep-alive' : 'new connection'}: ${(error as Error).message}`);
      }
    }
  });
  return {
    answers,
    failures,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

test('SIGHUP restarts the workers one by one, twice in a row, while every request on new or kept-alive connections gets a 200; a broken config stops the restart, not the service', {
  timeout: 120_000,
}, async (t) => {
  const things = await startThings(t);
  const { config, schema: schemaFile } = await project(t, things.url);
  const gateway = await startWorkers(t, config);
  const keepAlive = new Agent({ keepAlive: true, maxSockets: 3 });
  t.after(() => keepAlive.destroy());
  const traffic = steadyTraffic(gateway.url, [false, false, false, keepAlive, keepAlive, keepAlive]);
  t.after(() => traffic.stop());

  gateway.child.kill('SIGHUP');
  await waitForOutput(gateway, /rolling restart done/);
  gateway.child.kill('SIGHUP');
  await waitForOutput(gateway, /rolling restart done[^]*rolling restart done/);
  const output = gateway.output();
  assert.equal(output.match(/SIGHUP: restarting 2 workers one by one/g)?.length, 2, output);
  assert.match(
    output,
    /worker 1 \(pid \d+\) replaced by worker 3 \(pid \d+\)\n[^]*worker 2 \(pid \d+\) replaced by worker 4 [^]*worker 3 \(pid \d+\) replaced by worker 5 [^]*worker 4 \(pid \d+\) replaced by worker 6 /,
  );

  await writeFile(schemaFile, 'type Query { thing: String @htp(GET: "/thing") }\n');
  gateway.child.kill('SIGHUP');
  await waitForOutput(gateway, /rolling restart stopped, the running workers keep serving:\n[^]*Unknown directive "@htp"/);
  await traffic.stop();
  assert.deepEqual(traffic.failures, [], gateway.output());
  assert.ok(traffic.answers.length > 50, `${traffic.answers.length} requests`);
  const workers = new Set(traffic.answers.map((answer) => answer.worker));
  for (const id of ['3', '4', '5', '6']) assert.ok(workers.has(id), `worker ${id} answered`);
  assert.equal(gateway.output().match(/SIGHUP: restarting 2 workers one by one/g)?.length, 3, gateway.output());
  const last = await Promise.all([query(gateway.url), query(gateway.url)]);
  assert.deepEqual(new Set(last.map((response) => response.worker)), new Set(['5', '6']), 'the restarted workers keep serving');
  assert.doesNotMatch(gateway.output(), /warning/, 'no rate limits nor response cache: nothing to warn about');
});

test('a schema error at start is printed once, not once per worker, and the primary exits 1; --workers with no value means one per core', async (t) => {
  const { config } = await project(t, 'http://127.0.0.1:9', {}, 'type Query { thing: String @htp(GET: "/thing") }\n');
  const { code, output } = await runToExit(t, [path.join(root, 'bin/concierge.js'), 'start', '--workers', '--config', config]);
  assert.equal(code, 1, output);
  assert.equal(output.match(/Unknown directive "@htp"/g)?.length, 1, output);
  assert.doesNotMatch(output, /--workers: expected/);
});

test("--workers auto counts the cores a cgroup CPU quota leaves, not the machine's", async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-cpu-max-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const cpuMax = path.join(dir, 'cpu.max');
  await writeFile(cpuMax, '100000 100000\n');
  assert.equal(usableCores(cpuMax), 1);
  await writeFile(cpuMax, '150000 100000\n');
  assert.equal(usableCores(cpuMax), Math.min(2, availableParallelism()), 'a quota of 1.5 CPUs rounds up');
  await writeFile(cpuMax, 'max 100000\n');
  assert.equal(usableCores(cpuMax), availableParallelism());
  assert.equal(usableCores(path.join(dir, 'missing')), availableParallelism());
});

test('workers that keep crashing make the primary stop with exit code 1 instead of respawning forever', async (t) => {
  const { code, output } = await runToExit(t, ['--import', 'tsx', path.join(root, 'test/helpers/crash-loop-primary.ts')]);
  assert.equal(code, 1, output);
  assert.equal(output.match(/exited with code 7; respawned as/g)?.length, 2, output);
  assert.match(output, /exited with code 7: 3 crashes within 10 s, stopping/);
});

/** Runs `node <args>` in the project folder until it exits; its exit code and all it printed. */
async function runToExit(t: TestContext, args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill('SIGKILL'));
  let output = '';
  child.stdout.on('data', (chunk) => (output += String(chunk)));
  child.stderr.on('data', (chunk) => (output += String(chunk)));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}
