/**
 * `npm run bench:federation`: the standard federation gateway workload (four Federation v2
 * subgraphs shaped like The Guild's gateway benchmark, one five-level query across all of them).
 *
 * Starts the subgraphs (one child), Concierge over them (one child, four `federation` sources) and
 * a `static` row (a bare node:http server answering the exact answer bytes); checks Concierge's
 * answer against a reference computed from the same data by a plain, non-federated schema; then
 * drives each row with autocannon (BENCH_CONNECTIONS, default 50; BENCH_WARMUP_SECONDS warm-up, default
 * 2; BENCH_SECONDS measured, default 10) and prints RPS, p50/p99, the peak RSS of the row's process
 * (VmHWM, Linux), upstream calls per request (counted by the subgraphs) and the RPS ratio to Concierge.
 *
 * Peer gateways (Hive Gateway, Apollo Gateway) are not included yet: see PEERS_NOTE.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoad, type LoadResult, type LoadTarget } from '../load.ts';
import { Children } from '../processes.ts';
import { readSettings } from '../settings.ts';
import { readCounts, readSettledCounts, subtract, sum, describe, type Counts } from '../upstream-calls.ts';
import { referenceAnswer } from './data.ts';

const here = 'test/bench/federation';
const PEERS_NOTE = [
  'Peers not included yet: Hive Gateway and Apollo Gateway are not installed and not measured.',
  `  To add them: a package.json of their own under ${here}/peers/ (e.g. @graphql-hive/gateway, @apollo/gateway + @apollo/server),`,
  '  installed on demand by this script (npm ci --prefix peers) when it is missing, each started as a child over the same',
  '  four subgraphs and driven like the rows above; the root package.json stays free of them.',
].join('\n');

interface Row {
  name: string;
  target: LoadTarget;
  pid: number | undefined;
  countsUpstream: boolean;
}

interface Measured {
  row: Row;
  load: LoadResult;
  peakRssMb: number | null;
  callsPerRequest: number | null;
}

const settings = readSettings();
const children = new Children();
const workDir = await mkdtemp(path.join(tmpdir(), 'concierge-bench-federation-'));
try {
  const query = await readFile(fileURLToPath(new URL('./query.graphql', import.meta.url)), 'utf8');
  const reference = await referenceAnswer(query);
  const staticFile = path.join(workDir, 'answer.json');
  await writeFile(staticFile, reference);
  console.log(`Federation bench: 4 subgraphs, query ${here}/query.graphql, answer ${Buffer.byteLength(reference)} bytes`);
  console.log(`${settings.connections} connections, ${settings.warmupSeconds} s warm-up + ${settings.seconds} s measured per row, ${settings.cores} CPUs`);
  console.log(`Concierge upstream reuse (in-flight dedupe, HTTP cache): ${process.env['BENCH_UPSTREAM_REUSE'] === '0' ? 'off (BENCH_UPSTREAM_REUSE=0)' : 'on, the default (BENCH_UPSTREAM_REUSE=0 turns it off)'}\n`);

  const { urls } = await children.start<{ urls: Record<string, string> }>({ name: 'subgraphs', file: `${here}/subgraphs-child.ts` });
  const [gateway, staticServer] = await Promise.all([
    children.start<{ url: string }>({ name: 'concierge', file: `${here}/gateway-child.ts`, env: { ...process.env, BENCH_SERVICE_URLS: JSON.stringify(urls) } }),
    children.start<{ url: string }>({ name: 'static', file: `${here}/static-child.ts`, env: { ...process.env, BENCH_STATIC_BODY_FILE: staticFile } }),
  ]);

  const body = JSON.stringify({ query });
  const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };

  // Correctness: Concierge's answer, alone, against the reference; and the upstream calls it makes.
  const before = await readCounts(urls);
  const response = await fetch(gateway.url, { method: 'POST', headers, body });
  const text = await response.text();
  const calls = subtract(await readSettledCounts(urls), before);
  assert.equal(response.status, 200, `Concierge answered ${response.status}: ${text.slice(0, 500)}`);
  const answer = JSON.parse(text) as { data?: { users?: unknown[] }; errors?: unknown[] };
  assert.equal(answer.errors, undefined, `Concierge answered errors: ${String(JSON.stringify(answer.errors)).slice(0, 1000)}`);
  assert.ok(Array.isArray(answer.data?.users) && answer.data.users.length > 0, 'Concierge answered no users');
  assert.deepEqual(answer, JSON.parse(reference), "Concierge's answer differs from the reference answer");
  const staticText = await (await fetch(staticServer.url, { method: 'POST', headers, body })).text();
  assert.equal(staticText, reference, 'the static server does not answer the reference bytes');
  console.log(`Correctness: Concierge's answer equals the reference (${Buffer.byteLength(text)} bytes${text === reference ? ', byte for byte' : ', same JSON'}).`);
  console.log(`One request alone: ${sum(calls)} upstream calls (${describe(calls)}).\n`);

  const rows: Row[] = [
    { name: 'concierge', target: { url: gateway.url, method: 'POST', headers, body, expectedBody: text }, pid: children.pid('concierge'), countsUpstream: true },
    { name: 'static', target: { url: staticServer.url, method: 'POST', headers, body, expectedBody: reference }, pid: children.pid('static'), countsUpstream: false },
  ];
  const results: Measured[] = [];
  for (const row of rows) {
    process.stdout.write(`${row.name}: warm-up… `);
    if (settings.warmupSeconds > 0) await runLoad(row.target, settings.warmupSeconds, settings.connections);
    process.stdout.write('measuring… ');
    const countsBefore: Counts = await readSettledCounts(urls);
    const load = await runLoad(row.target, settings.seconds, settings.connections);
    const upstream = sum(subtract(await readSettledCounts(urls), countsBefore));
    const peakRssMb = row.pid === undefined ? null : await peakRss(row.pid);
    results.push({ row, load, peakRssMb, callsPerRequest: row.countsUpstream ? upstream / Math.max(1, load.sent) : null });
    console.log(`${Math.round(load.rps)} req/s`);
  }

  printTable(results);
  console.log(`\n${PEERS_NOTE}`);
  const failures = results.filter(({ load }) => load.errors + load.timeouts + load.non2xx + load.wrongBodies > 0);
  if (failures.length > 0) {
    for (const { row, load } of failures) console.error(`${row.name}: ${load.errors} errors, ${load.timeouts} timeouts, ${load.non2xx} non-2xx, ${load.wrongBodies} wrong bodies`);
    process.exitCode = 1;
  }
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await children.stopAll();
  await rm(workDir, { recursive: true, force: true });
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

function printTable(results: readonly Measured[]): void {
  const concierge = results.find(({ row }) => row.name === 'concierge');
  const header = ['row', 'req/s', 'p50 ms', 'p99 ms', 'peak RSS MB', 'upstream calls/req', 'failed', 'ratio to concierge'];
  const lines = results.map(({ row, load, peakRssMb, callsPerRequest }) => [
    row.name,
    Math.round(load.rps).toString(),
    load.p50Ms.toFixed(2),
    load.p99Ms.toFixed(2),
    peakRssMb === null ? 'n/a' : peakRssMb.toFixed(0),
    callsPerRequest === null ? '-' : callsPerRequest.toFixed(2),
    String(load.errors + load.timeouts + load.non2xx + load.wrongBodies),
    concierge && concierge.load.rps > 0 ? `${(load.rps / concierge.load.rps).toFixed(2)}x` : 'n/a',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  const format = (cells: readonly string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  console.log(`\n${format(header)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}`);
  for (const line of lines) console.log(format(line));
}
