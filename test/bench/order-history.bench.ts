/**
 * `npm run bench`: the gateway (with the access log, metrics and tracing of every request on; with the
 * example shop's own observability, the access log and metrics; with none) against a hand-written
 * aggregator of the same fan-out and against Yoga
 * alone making the same calls (yoga-aggregator.ts), and against the users service itself for a
 * one-service query; and the layers under the gateway (its plans alone, and under Yoga alone,
 * plan-only-servers.ts), served by the observability-off gateway's process.
 *
 * Processes: the six example services, the gateways, the hand-written aggregator and Yoga alone each run in a child
 * process (processes.ts); autocannon drives the load from this process (load.ts). Before measuring,
 * the answers are checked (correctness.ts) and upstream calls of one request counted (upstream-calls.ts).
 * Results go to stdout and test/bench/results/latest.json (report.ts).
 *
 * Exits 1 on a wrong answer or a crash, never because of a timing.
 * Environment: BENCH_SECONDS (10), BENCH_ROUNDS (3), BENCH_WARMUP_SECONDS (2), BENCH_CONNECTIONS (50),
 * BENCH_PROBE_SECONDS (3), BENCH_ONLY, BENCH_PIN, BENCH_CPU_PROF, BENCH_NODE_ENV (production),
 * BENCH_GATEWAY_FROM (dist) (see settings.ts).
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { CorrectnessError, expectSameJson, expectUserData, fetchAnswer, type Answer } from './correctness.ts';
import { combineWindows, runLoad, type LoadResult } from './load.ts';
import { cpuBetween, cpuPerRequest, readCpuTimes, type CpuTimes } from './process-cpu.ts';
import { Children } from './processes.ts';
import { computeRatios, printReport, writeReport, type BenchReport, type ProbeReport, type ScenarioReport } from './report.ts';
import { mintDevToken } from '../../examples/ecommerce/dev-keys.ts';
import { startOtlpSink } from './otlp-sink.ts';
import { buildScenarios, SAME_ANSWER_PAIRS, USER_ID, type Scenario, type ScenarioId } from './scenarios.ts';
import { prepareGatewayBuild } from './gateway-build.ts';
import { readSettings, root, type BenchSettings } from './settings.ts';
import { describe, readCounts, readSettledCounts, subtract, sum, type Counts } from './upstream-calls.ts';

const settings = readSettings();
// The gateway as the package ships it: compiled JavaScript, built once here (BENCH_GATEWAY_FROM=src runs the sources).
prepareGatewayBuild(settings);
process.env['NODE_ENV'] = settings.nodeEnv;
process.env['NODE_OPTIONS'] = settings.nodeOptions;
const children = new Children();

try {
  const childCpus = pinBench(settings);
  const note = machineNote(settings, childCpus);
  const loadAverage = os.loadavg()[0] ?? 0;
  console.log(
    `Concierge bench: node ${process.version}, ${settings.cores} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), 1-min load average before start ${loadAverage.toFixed(2)}`,
  );
  if (loadAverage > 0.5) console.log('Something else has been using the CPUs in the last minute: expect noisy numbers.');
  console.log(
    `Note: ${note}\nChildren run with NODE_ENV=${settings.nodeEnv} NODE_OPTIONS=${settings.nodeOptions}, as deployed (BENCH_NODE_ENV, BENCH_NODE_OPTIONS change them).\n`,
  );

  const nodeArgs = settings.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(root, settings.cpuProfileDir)}`] : [];
  const cpus = childCpus === undefined ? {} : { cpus: childCpus };
  const { urls } = await children.start<{ urls: Record<string, string> }>({ name: 'services', file: 'test/bench/services-child.ts', ...cpus });
  const otlpSink = await startOtlpSink();
  const env = { ...process.env, BENCH_SERVICE_URLS: JSON.stringify(urls), BENCH_OTLP_URL: otlpSink.url };
  const [gateway, gatewayShipped, gatewayBare, gatewayCached, handWritten, yoga] = await Promise.all([
    children.start<{ url: string }>({ name: 'gateway', file: 'test/bench/gateway-child.ts', env, nodeArgs, ...cpus }),
    children.start<{ url: string }>({
      name: 'gateway-shipped',
      file: 'test/bench/gateway-child.ts',
      env: { ...env, BENCH_OBSERVABILITY: 'log,metrics' },
      ...cpus,
    }),
    children.start<{ url: string; plans: string; yogaPlans: string }>({
      name: 'gateway-bare',
      file: 'test/bench/gateway-child.ts',
      env: { ...env, BENCH_OBSERVABILITY: 'off', BENCH_LAYERS: '1' },
      ...cpus,
    }),
    children.start<{ url: string }>({ name: 'gateway-cached', file: 'test/bench/gateway-child.ts', env: { ...env, BENCH_RESPONSE_CACHE: '1' }, ...cpus }),
    children.start<{ url: string }>({ name: 'hand-written', file: 'test/bench/hand-written-aggregator.ts', env, ...cpus }),
    children.start<{ url: string }>({ name: 'yoga', file: 'test/bench/yoga-aggregator.ts', env, ...cpus }),
  ]);
  console.log(`services        ${Object.values(urls).join(' ')}  (pid ${children.pid('services')})`);
  console.log(`gateway         ${gateway.url}  (pid ${children.pid('gateway')}${nodeArgs.length ? ', --cpu-prof' : ''})`);
  console.log(
    `upstream reuse (in-flight dedupe, REST HTTP cache): ${process.env['BENCH_UPSTREAM_REUSE'] === '1' ? 'on' : 'off, for a like-for-like comparison (BENCH_UPSTREAM_REUSE=1 turns it on)'}`,
  );
  console.log(
    `gateway-shipped ${gatewayShipped.url}  (pid ${children.pid('gateway-shipped')}, the example shop's observability: access log and metrics on, tracing off as without a collector)`,
  );
  console.log(
    `gateway-bare    ${gatewayBare.url}  (pid ${children.pid('gateway-bare')}, access log, metrics and tracing off; gateway and gateway-cached have all three on, traces going to a local OTLP sink)`,
  );
  console.log(`layers          ${gatewayBare.plans} ${gatewayBare.yogaPlans}  (in gateway-bare's process: its plans alone, and under Yoga alone)`);
  console.log(`gateway-cached  ${gatewayCached.url}  (pid ${children.pid('gateway-cached')}, response cache on)`);
  console.log(`hand-written    ${handWritten.url}  (pid ${children.pid('hand-written')})`);
  console.log(`yoga            ${yoga.url}  (pid ${children.pid('yoga')}, graphql-yoga alone: one resolver making the hand-written calls)`);

  const token = await mintDevToken({ sub: USER_ID, scopes: ['orders:read'] });
  const scenarios = buildScenarios({
    gateway: gateway.url,
    gatewayCached: gatewayCached.url,
    gatewayShipped: gatewayShipped.url,
    gatewayBare: gatewayBare.url,
    handWritten: handWritten.url,
    yoga: yoga.url,
    plans: gatewayBare.plans,
    yogaPlans: gatewayBare.yogaPlans,
    users: `${urls['users']}/graphql`,
    gatewayAuth: { authorization: `Bearer ${token}` },
  });
  const checked = await checkAnswers(scenarios, urls);

  const selected = scenarios.filter((scenario) => settings.only.length === 0 || settings.only.some((part) => scenario.name.toLowerCase().includes(part)));
  // Round by round, each scenario in turn: the machine's drift falls on all of them alike.
  const windows = new Map<ScenarioId, Window[]>(selected.map((scenario) => [scenario.id, []]));
  const windowSeconds = settings.seconds / settings.rounds;
  // Round 0, not measured: every scenario once under load before any is measured, so that no
  // scenario's first window pays for its process's first minutes (JIT compilation, caches built
  // lazily, the heap growing to its working size) when the others' do not. Without it, the first
  // window of the first scenario ran at 0.55 to 0.6 of its later windows, in two runs of two.
  if (settings.warmupSeconds > 0) {
    process.stdout.write('\nround 0 (warm-up, not measured)');
    for (const scenario of selected) {
      process.stdout.write(`\n${scenario.name}: warm-up ${settings.warmupSeconds} s`);
      await runLoad(scenario.target, settings.warmupSeconds, settings.connections);
    }
  }
  for (let round = 1; round <= settings.rounds; round++) {
    if (settings.rounds > 1) process.stdout.write(`\nround ${round} of ${settings.rounds}`);
    for (const scenario of selected) windows.get(scenario.id)!.push(await measure(scenario, checked.get(scenario.id)!, urls, settings, windowSeconds));
  }
  const reports = selected.map((scenario) => scenarioReport(scenario, checked.get(scenario.id)!, windows.get(scenario.id)!));

  const probe = await probeOneService(selected, settings, { authorization: `Bearer ${token}` });
  const report: BenchReport = {
    finishedAt: new Date().toISOString(),
    machine: {
      cores: settings.cores,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      node: process.version,
      loadAverageBefore: loadAverage,
      pinned: childCpus !== undefined,
      note,
    },
    settings: { seconds: settings.seconds, rounds: settings.rounds, warmupSeconds: settings.warmupSeconds, connections: settings.connections },
    scenarios: reports,
    ratios: computeRatios(reports),
    probe,
  };
  printReport(report);
  console.log(`\nWrote ${path.relative(root, await writeReport(report))}`);
  const wrong = reports.filter((scenario) => scenario.load.wrongBodies > 0);
  if (wrong.length > 0)
    throw new CorrectnessError(
      `under load, ${wrong.map((scenario) => `"${scenario.name}" gave ${scenario.load.wrongBodies} 2xx answers unlike the checked one`).join('; ')}`,
    );
} catch (error) {
  process.exitCode = 1;
  if (error instanceof CorrectnessError) console.error(`\nCORRECTNESS FAILURE:\n${error.message}`);
  else console.error('\nThe bench failed:', error);
} finally {
  await children.stopAll();
}
// Keep-alive sockets of fetch's global pool would hold the process a few more seconds.
process.exit();

/** Sends each scenario's request once: checks the answers and counts that request's upstream calls. */
async function checkAnswers(scenarios: readonly Scenario[], serviceUrls: Record<string, string>): Promise<Map<ScenarioId, { answer: Answer; calls: Counts }>> {
  const checked = new Map<ScenarioId, { answer: Answer; calls: Counts }>();
  for (const scenario of scenarios) {
    const before = await readCounts(serviceUrls);
    const answer = await fetchAnswer(scenario.target);
    const calls = subtract(await readCounts(serviceUrls), before);
    expectUserData(scenario.name, answer);
    checked.set(scenario.id, { answer, calls });
  }
  for (const [expectedId, actualId] of SAME_ANSWER_PAIRS) {
    const named = (id: ScenarioId) => ({ name: scenarios.find((scenario) => scenario.id === id)!.name, answer: checked.get(id)!.answer });
    expectSameJson(named(expectedId), named(actualId));
  }
  console.log(
    '\nCorrectness: the order-history answers of the gateways, the layers under one, the hand-written aggregator and Yoga alone are deep-equal; so are the one-service answers.',
  );
  const width = Math.max(...scenarios.map((scenario) => scenario.name.length));
  for (const scenario of scenarios) {
    const { calls, answer } = checked.get(scenario.id)!;
    console.log(`  ${scenario.name.padEnd(width)} ${String(answer.text.length).padStart(5)} bytes, upstream calls: ${sum(calls)} (${describe(calls)})`);
  }
  return checked;
}

/** One measured window of a scenario: its load, the upstream calls it caused, each process's CPU milliseconds. */
interface Window {
  load: LoadResult;
  calls: number;
  cpuMs: CpuTimes | null;
}

/** Warm-up, then one measured window, counting upstream calls and CPU across it. */
async function measure(
  scenario: Scenario,
  checked: { answer: Answer; calls: Counts },
  serviceUrls: Record<string, string>,
  options: BenchSettings,
  seconds: number,
): Promise<Window> {
  const target = { ...scenario.target, expectedBody: checked.answer.text };
  process.stdout.write(`\n${scenario.name}: warm-up ${options.warmupSeconds} s`);
  if (options.warmupSeconds > 0) await runLoad(target, options.warmupSeconds, options.connections);
  // Starts once the warm-up's (and the previous scenario's) leftover requests are done.
  const before = await readSettledCounts(serviceUrls);
  const pids = {
    services: children.pid('services'),
    gateway: children.pid('gateway'),
    'gateway-shipped': children.pid('gateway-shipped'),
    'gateway-bare': children.pid('gateway-bare'),
    'gateway-cached': children.pid('gateway-cached'),
    'hand-written': children.pid('hand-written'),
    yoga: children.pid('yoga'),
  };
  const cpuBefore = readCpuTimes(pids);
  process.stdout.write(`, measuring ${Number(seconds.toFixed(2))} s`);
  const load = await runLoad(target, seconds, options.connections);
  const calls = sum(subtract(await readSettledCounts(serviceUrls), before));
  const cpuAfter = readCpuTimes(pids);
  process.stdout.write(`: ${load.rps.toFixed(0)} req/s, p50 ${load.p50Ms.toFixed(2)} ms`);
  return { load, calls, cpuMs: cpuBetween(cpuBefore, cpuAfter) };
}

/** A scenario's windows of every round as one report: counts and CPU added up, latencies the median of the windows'. */
function scenarioReport(scenario: Scenario, checked: { answer: Answer; calls: Counts }, windows: readonly Window[]): ScenarioReport {
  const load = combineWindows(windows.map((window) => window.load));
  const cpuTotals: CpuTimes | null = windows.every((window) => window.cpuMs)
    ? windows.reduce<CpuTimes>((totals, window) => {
        for (const [name, ms] of Object.entries(window.cpuMs!)) totals[name] = (totals[name] ?? 0) + ms;
        return totals;
      }, {})
    : null;
  const calls = windows.reduce((total, window) => total + window.calls, 0);
  return {
    id: scenario.id,
    name: scenario.name,
    url: scenario.target.url,
    load,
    roundsRps: windows.map((window) => window.load.rps),
    callsOneRequest: { total: sum(checked.calls), byService: checked.calls },
    callsUnderLoad: load.sent > 0 ? calls / load.sent : Number.NaN,
    cpuMsPerRequest: cpuPerRequest(cpuTotals, load.sent),
  };
}

/** The one-service pair at one connection: the latency the gateway adds when nothing queues. */
async function probeOneService(selected: readonly Scenario[], options: BenchSettings, auth: Record<string, string>): Promise<ProbeReport | null> {
  const viaGateway = selected.find((scenario) => scenario.id === 'gateway-one-service');
  const direct = selected.find((scenario) => scenario.id === 'direct-one-service');
  if (options.probeSeconds <= 0 || !viaGateway || !direct) return null;
  process.stdout.write(`\none-service pair at 1 connection: ${options.probeSeconds} s each`);
  const run = async (scenario: Scenario): Promise<LoadResult> => {
    await runLoad(scenario.target, Math.min(1, options.probeSeconds), 1);
    return runLoad(scenario.target, options.probeSeconds, 1);
  };
  const gatewayRun = await run(viaGateway);
  const directRun = await run(direct);
  const jwtRun = await run({ ...viaGateway, target: { ...viaGateway.target, headers: { ...viaGateway.target.headers, ...auth } } });
  process.stdout.write('\n');
  return {
    seconds: options.probeSeconds,
    gatewayP50Ms: gatewayRun.p50Ms,
    directP50Ms: directRun.p50Ms,
    addedP50Ms: gatewayRun.p50Ms - directRun.p50Ms,
    gatewayJwtP50Ms: jwtRun.p50Ms,
    jwtAddedP50Ms: jwtRun.p50Ms - gatewayRun.p50Ms,
  };
}

/** With BENCH_PIN=1 and taskset: this process on CPU 0, children on the others; returns the children's CPU list. */
function pinBench(options: BenchSettings): string | undefined {
  if (!options.pin) return undefined;
  if (options.cores < 2) throw new Error('BENCH_PIN=1 needs at least 2 CPUs');
  execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
  return options.cores === 2 ? '1' : `1-${options.cores - 1}`;
}

function machineNote(options: BenchSettings, childCpus: string | undefined): string {
  const shared = 'the load generator (this process), the system under test (gateway or hand-written aggregator) and the six services are three busy processes';
  if (childCpus !== undefined)
    return `${options.cores} CPUs; load generator pinned to CPU 0, all children to CPU ${childCpus}: ${shared} on ${options.cores} CPUs. Compare ratios, not absolute numbers.`;
  return `${options.cores} CPUs, not pinned: ${shared}${options.cores < 3 ? ', so they share cores and the OS decides who runs where' : ''}. Absolute RPS is a lower bound for this machine; compare the ratios.`;
}
