/**
 * `npm run bench:federation`: the standard federation gateway workload (four Federation v2
 * subgraphs shaped like The Guild's gateway benchmark, one five-level query across all of them),
 * served by Concierge and by its peers under the same load.
 *
 * Starts the subgraphs (one child), then measures each row in turn, each its own child started
 * only for its turn and stopped after it:
 * - `concierge`: Concierge over the subgraphs, one `federation` source each (gateway-child.ts);
 * - `hive-gateway`, `hive-router-runtime` (Hive Gateway with Hive Router's Rust query planner),
 *   `apollo-gateway`: the peers (peers/*-child.ts) over a supergraph composed from
 *   the same subgraphs (compose-supergraph.ts). They are installed by peers/package.json, never by
 *   the root one: on demand with `npm ci --prefix test/bench/federation/peers` when missing; if
 *   that fails, the bench says why and goes on without them;
 * - `monolith`: one graphql-js schema over the same data in memory, no subgraphs (monolith-child.ts);
 * - `static`: a bare node:http server answering the exact answer bytes (static-child.ts), the ceiling.
 *
 * Each row first answers the query once, alone: its answer must be the same JSON as a reference
 * computed from the same data by a plain, non-federated schema (data.ts), else the row is left out
 * of the table with the reason. Then autocannon drives it (a warm-up, a wait until the row's process
 * is idle again, then a measured window; every answer must be the row's checked bytes) and the
 * table shows RPS, p50/p99, the peak RSS of the row's process (VmHWM, Linux), upstream calls per
 * request (counted by the subgraphs) and the RPS ratio to Concierge. A peer's wrong answer or
 * failed requests are reported but never fail the bench.
 *
 * Environment: BENCH_ROWS (comma list of the rows above, default all), BENCH_CONNECTIONS (default
 * 50), BENCH_WARMUP_SECONDS (default 2), BENCH_SECONDS (measured, default 10), BENCH_UPSTREAM_REUSE=0
 * (Concierge without in-flight dedupe and HTTP cache), BENCH_CPU_PROF=<dir> (Concierge's child under
 * `node --cpu-prof`), BENCH_GATEWAY_FROM (`dist`, the compiled package built at the start, or `src`).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { runLoad, type LoadResult, type LoadTarget } from '../load.ts';
import { readCpuTimes } from '../process-cpu.ts';
import { Children } from '../processes.ts';
import { prepareGatewayBuild } from '../gateway-build.ts';
import { readSettings } from '../settings.ts';
import { readCounts, readSettledCounts, subtract, sum, describe } from '../upstream-calls.ts';
import { composeSupergraph } from './compose-supergraph.ts';
import { referenceAnswer } from './data.ts';
import { installPeers } from './install-peers.ts';

const here = 'test/bench/federation';

/** What a row's child is started with. */
interface Context {
  urls: Record<string, string>;
  staticFile: string;
  supergraphFile: string;
}

/** One row of the table: a gateway, or the static server. */
interface RowSpec {
  name: string;
  file: string;
  env: (context: Context) => NodeJS.ProcessEnv;
  /** Installed from peers/; its problems are reported but do not fail the bench. */
  peer: boolean;
  countsUpstream: boolean;
}

const ROWS: readonly RowSpec[] = [
  {
    name: 'concierge',
    file: `${here}/gateway-child.ts`,
    env: ({ urls }) => ({ ...process.env, BENCH_SERVICE_URLS: JSON.stringify(urls) }),
    peer: false,
    countsUpstream: true,
  },
  {
    name: 'hive-gateway',
    file: `${here}/peers/hive-gateway-child.ts`,
    env: ({ supergraphFile }) => ({ ...process.env, BENCH_SUPERGRAPH_FILE: supergraphFile }),
    peer: true,
    countsUpstream: true,
  },
  {
    name: 'hive-router-runtime',
    file: `${here}/peers/hive-gateway-child.ts`,
    env: ({ supergraphFile }) => ({ ...process.env, BENCH_SUPERGRAPH_FILE: supergraphFile, BENCH_HIVE_ROUTER_RUNTIME: '1' }),
    peer: true,
    countsUpstream: true,
  },
  {
    name: 'apollo-gateway',
    file: `${here}/peers/apollo-gateway-child.ts`,
    env: ({ supergraphFile }) => ({ ...process.env, BENCH_SUPERGRAPH_FILE: supergraphFile }),
    peer: true,
    countsUpstream: true,
  },
  { name: 'monolith', file: `${here}/monolith-child.ts`, env: () => ({ ...process.env }), peer: false, countsUpstream: false },
  {
    name: 'static',
    file: `${here}/static-child.ts`,
    env: ({ staticFile }) => ({ ...process.env, BENCH_STATIC_BODY_FILE: staticFile }),
    peer: false,
    countsUpstream: false,
  },
];

interface Measured {
  row: RowSpec;
  load: LoadResult;
  /** The row's answer is the reference byte for byte (else the same JSON). */
  sameBytes: boolean;
  peakRssMb: number | null;
  callsPerRequest: number | null;
}

/** A row left out of the table, and why. */
interface Excluded {
  row: RowSpec;
  reason: string;
}

const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };

const settings = readSettings();
// The gateway as the package ships it: compiled JavaScript, built once here (BENCH_GATEWAY_FROM=src runs the sources).
prepareGatewayBuild(settings);
process.env['NODE_ENV'] = settings.nodeEnv;
process.env['NODE_OPTIONS'] = settings.nodeOptions;
const rows = selectRows(process.env['BENCH_ROWS']);
const subgraphs = new Children();
const workDir = await mkdtemp(path.join(tmpdir(), 'concierge-bench-federation-'));
try {
  const query = await readFile(fileURLToPath(new URL('./query.graphql', import.meta.url)), 'utf8');
  const reference = await referenceAnswer(query);
  const staticFile = path.join(workDir, 'answer.json');
  await writeFile(staticFile, reference);
  console.log(`Federation bench: 4 subgraphs, query ${here}/query.graphql, answer ${Buffer.byteLength(reference)} bytes`);
  console.log(`Rows: ${rows.map(({ name }) => name).join(', ')}${rows.length < ROWS.length ? ' (BENCH_ROWS)' : ''}`);
  console.log(
    `${settings.connections} connections, ${settings.warmupSeconds} s warm-up + ${settings.seconds} s measured per row, ${settings.cores} CPUs; every process with NODE_ENV=${settings.nodeEnv} NODE_OPTIONS=${settings.nodeOptions} (BENCH_NODE_ENV, BENCH_NODE_OPTIONS); Concierge from ${settings.gatewayFrom === 'dist' ? 'dist/, compiled' : 'src/, through tsx'} (BENCH_GATEWAY_FROM)`,
  );
  console.log(
    `Concierge upstream reuse (in-flight dedupe, HTTP cache): ${process.env['BENCH_UPSTREAM_REUSE'] === '0' ? 'off (BENCH_UPSTREAM_REUSE=0)' : 'on, the default (BENCH_UPSTREAM_REUSE=0 turns it off)'}\n`,
  );

  const { urls } = await subgraphs.start<{ urls: Record<string, string> }>({ name: 'subgraphs', file: `${here}/subgraphs-child.ts` });
  const context: Context = { urls, staticFile, supergraphFile: path.join(workDir, 'supergraph.graphql') };
  const peersMissing = rows.some(({ peer }) => peer) ? await preparePeers(context) : undefined;

  const results: Measured[] = [];
  const excluded: Excluded[] = [];
  for (const row of rows) {
    const outcome = row.peer && peersMissing !== undefined ? { reason: peersMissing } : await measureRow(row, context, JSON.stringify({ query }), reference);
    if ('reason' in outcome) {
      console.log(`${row.name}: left out: ${outcome.reason}\n`);
      excluded.push({ row, reason: outcome.reason });
    } else results.push(outcome);
  }

  printTable(results);
  for (const { row, reason } of excluded) console.log(`${row.name}: not in the table: ${firstLine(reason)}`);
  const failures = results.filter(({ load }) => load.errors + load.timeouts + load.non2xx + load.wrongBodies > 0);
  for (const { row, load } of failures)
    console.error(`${row.name}: ${load.errors} errors, ${load.timeouts} timeouts, ${load.non2xx} non-2xx, ${load.wrongBodies} wrong bodies`);
  if ([...failures, ...excluded].some(({ row }) => !row.peer)) process.exitCode = 1;
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await subgraphs.stopAll();
  await rm(workDir, { recursive: true, force: true });
}

/** The rows named by BENCH_ROWS (comma list, any order), in table order; all of them when unset. */
function selectRows(raw: string | undefined): RowSpec[] {
  const names = (raw ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !ROWS.some((row) => row.name === name));
  if (unknown.length > 0)
    throw new Error(`BENCH_ROWS: unknown row ${unknown.map((name) => `"${name}"`).join(', ')}; the rows are ${ROWS.map(({ name }) => name).join(', ')}`);
  return names.length === 0 ? [...ROWS] : ROWS.filter(({ name }) => names.includes(name));
}

/** Installs the peers if needed and writes the supergraph they start from; says why the peers cannot run, if they cannot. */
async function preparePeers(context: Context): Promise<string | undefined> {
  const install = await installPeers();
  const reason = install.ok ? await writeSupergraph(context) : `the peer gateways could not be installed: ${install.reason}`;
  if (reason !== undefined) console.log(`${reason}\nThe bench goes on without the peer gateways.\n`);
  return reason;
}

async function writeSupergraph({ urls, supergraphFile }: Context): Promise<string | undefined> {
  try {
    await writeFile(supergraphFile, await composeSupergraph(urls));
    return undefined;
  } catch (error) {
    return `no supergraph for the peer gateways: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * Starts the row's child (a `Children` of its own, so that stopping it leaves the subgraphs
 * running), checks its answer, drives it, and stops it.
 */
async function measureRow(row: RowSpec, context: Context, body: string, reference: string): Promise<Measured | { reason: string }> {
  const children = new Children();
  try {
    const profile = row.name === 'concierge' && settings.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(settings.cpuProfileDir)}`] : [];
    const { url } = await children.start<{ url: string }>({ name: row.name, file: row.file, env: row.env(context), nodeArgs: profile });
    const before = await readCounts(context.urls);
    const response = await fetch(url, { method: 'POST', headers, body });
    const text = await response.text();
    const calls = subtract(await readSettledCounts(context.urls), before);
    const wrong = wrongAnswer(response.status, text, reference);
    if (wrong !== undefined) return { reason: wrong };
    const sameBytes = text === reference;
    const target: LoadTarget = { url, method: 'POST', headers, body, expectedBody: text };
    console.log(
      `${row.name}: answer equals the reference (${Buffer.byteLength(text)} bytes, ${sameBytes ? 'byte for byte' : 'same JSON'})${row.countsUpstream ? `; alone, ${sum(calls)} upstream calls (${describe(calls)})` : ''}.`,
    );

    const pid = children.pid(row.name);
    process.stdout.write(`${row.name}: warm-up… `);
    if (settings.warmupSeconds > 0) {
      await runLoad(target, settings.warmupSeconds, settings.connections);
      // The warm-up's last requests, abandoned by autocannon, must not eat into the measured window.
      if (pid !== undefined) await untilIdle(pid);
    }
    process.stdout.write('measuring… ');
    const countsBefore = await readSettledCounts(context.urls);
    const load = await runLoad(target, settings.seconds, settings.connections);
    const upstream = sum(subtract(await readSettledCounts(context.urls), countsBefore));
    const peakRssMb = pid === undefined ? null : await peakRss(pid);
    console.log(`${Math.round(load.rps)} req/s\n`);
    return { row, load, sameBytes, peakRssMb, callsPerRequest: row.countsUpstream ? upstream / Math.max(1, load.sent) : null };
  } catch (error) {
    return { reason: error instanceof Error ? error.message : String(error) };
  } finally {
    await children.stopAll();
  }
}

/** Why an answer is not the reference, or undefined when it is the same JSON. */
function wrongAnswer(status: number, text: string, reference: string): string | undefined {
  if (status !== 200) return `answered HTTP ${status}: ${text.slice(0, 500)}`;
  let answer: { data?: unknown; errors?: unknown };
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    return `answered something that is not JSON: ${text.slice(0, 500)}`;
  }
  if (answer.errors !== undefined) return `answered errors: ${JSON.stringify(answer.errors).slice(0, 1_000)}`;
  const expected: unknown = JSON.parse(reference);
  if (isDeepStrictEqual(answer, expected)) return undefined;
  return `its answer differs from the reference at ${firstDifference(answer, expected, '$')}`;
}

/** The first path where two JSON values differ, with both values there, e.g. `$.data.users[0].name: "Ada" instead of "Ada L."`. */
function firstDifference(actual: unknown, expected: unknown, at: string): string {
  if (typeof actual === 'object' && actual !== null && typeof expected === 'object' && expected !== null && Array.isArray(actual) === Array.isArray(expected)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])];
    for (const key of keys) {
      const child = Array.isArray(expected) ? `${at}[${key}]` : `${at}.${key}`;
      const [a, e] = [(actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key]];
      if (!isDeepStrictEqual(a, e)) return firstDifference(a, e, child);
    }
  }
  const show = (value: unknown) => (value === undefined ? 'nothing' : JSON.stringify(value).slice(0, 200));
  return `${at}: ${show(actual)} instead of ${show(expected)}`;
}

/** Resolves once a process uses less than a tenth of a CPU over 200 ms (or after 30 s, or at once without /proc). */
async function untilIdle(pid: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  let before = readCpuTimes({ row: pid })?.['row'];
  while (before !== undefined && Date.now() < deadline) {
    await sleep(200);
    const now = readCpuTimes({ row: pid })?.['row'];
    if (now === undefined || now - before < 20) return;
    before = now;
  }
}

/** Peak resident set size of a process in MB (VmHWM from /proc/<pid>/status), or null off Linux. */
async function peakRss(pid: number): Promise<number | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? null : Number(kb) / 1024;
  } catch {
    return null;
  }
}

function milliseconds(value: number): string {
  return Number.isNaN(value) ? 'n/a' : value.toFixed(2);
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0]!;
}

function printTable(results: readonly Measured[]): void {
  const concierge = results.find(({ row }) => row.name === 'concierge');
  const header = ['row', 'req/s', 'p50 ms', 'p99 ms', 'peak RSS MB', 'upstream calls/req', 'failed', 'answer', 'ratio to concierge'];
  const lines = results.map(({ row, load, sameBytes, peakRssMb, callsPerRequest }) => [
    row.name,
    Math.round(load.rps).toString(),
    milliseconds(load.p50Ms),
    milliseconds(load.p99Ms),
    peakRssMb === null ? 'n/a' : peakRssMb.toFixed(0),
    callsPerRequest === null ? '-' : callsPerRequest.toFixed(2),
    String(load.errors + load.timeouts + load.non2xx + load.wrongBodies),
    sameBytes ? 'same bytes' : 'same JSON',
    concierge && concierge.load.rps > 0 ? `${(load.rps / concierge.load.rps).toFixed(2)}x` : 'n/a',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  const format = (cells: readonly string[]) =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  console.log(`\n${format(header)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}`);
  for (const line of lines) console.log(format(line));
}
