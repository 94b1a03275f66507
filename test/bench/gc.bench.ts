/**
 * `npm run bench:gc`: what V8's garbage collector does for one order-history request, in the
 * gateway (everything on; observability off) and in the hand-written aggregator. Each runs as a
 * child process with `--trace-gc-nvp` under the same load as the throughput bench (50 keep-alive
 * connections), and the trace of the measured window is summed: scavenges, their pause on the main
 * thread and their work on V8's helper threads per request, and what each scavenge kept (survived)
 * and moved to the old generation (promoted).
 *
 * Why: what a request allocates (`npm run bench:alloc`) is half of the story. What survives a
 * scavenge is copied, and what survives two is promoted and later marked and compacted: a
 * gateway can allocate less and still spend more in the collector, when something keeps request
 * objects alive longer than the request. Promoted KB per scavenge is the figure to watch: the
 * hand-written aggregator promotes some 100 KB; the gateway once promoted 4.4 MB (see
 * src/bind-run.ts). Never fails on a number.
 * Environment: BENCH_SECONDS (10) measured after BENCH_WARMUP_SECONDS (3), BENCH_CONNECTIONS (50),
 * BENCH_NODE_OPTIONS as in the other benches.
 */
import autocannon from 'autocannon';
import { mintDevToken } from '../../examples/ecommerce/dev-keys.ts';
import { startOtlpSink } from './otlp-sink.ts';
import { prepareGatewayBuild } from './gateway-build.ts';
import { Children } from './processes.ts';
import { ORDER_HISTORY_QUERY, USER_ID } from './scenarios.ts';
import { readSettings } from './settings.ts';

/** One `--trace-gc-nvp` line: its `key=value` pairs. */
type TraceLine = Record<string, number> & { kind: string };

interface Row {
  name: string;
  rps: number;
  requests: number;
  /** Answers that were not 2xx, and socket errors or timeouts: a figure over refusals would mean nothing. */
  failed: number;
  scavenges: TraceLine[];
  markCompacts: TraceLine[];
}

const settings = readSettings(process.env);
const seconds = Number(process.env['BENCH_SECONDS'] ?? 10);
const warmup = Number(process.env['BENCH_WARMUP_SECONDS'] ?? 3);
prepareGatewayBuild(settings);
const children = new Children();

try {
  const { urls } = await children.start<{ urls: Record<string, string> }>({ name: 'services', file: 'test/bench/services-child.ts' });
  const otlpSink = await startOtlpSink();
  const env = {
    ...process.env,
    NODE_ENV: settings.nodeEnv,
    NODE_OPTIONS: settings.nodeOptions,
    BENCH_SERVICE_URLS: JSON.stringify(urls),
    BENCH_OTLP_URL: otlpSink.url,
  };
  const token = await mintDevToken({ sub: USER_ID, scopes: ['orders:read'] });
  const graphql = {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: ORDER_HISTORY_QUERY, variables: { id: USER_ID } }),
  };
  const subjects = [
    { name: 'gateway, everything on', file: 'test/bench/gateway-child.ts', env: { ...env, BENCH_OBSERVABILITY: 'on' }, ...graphql },
    { name: 'gateway, observability off', file: 'test/bench/gateway-child.ts', env: { ...env, BENCH_OBSERVABILITY: 'off' }, ...graphql },
    {
      name: 'hand-written aggregator',
      file: 'test/bench/hand-written-aggregator.ts',
      env,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: USER_ID }),
    },
  ];
  const rows: Row[] = [];
  for (const subject of subjects) {
    // One at a time: each has the machine to itself.
    let measuring = false;
    const lines: TraceLine[] = [];
    const { url } = await children.start<{ url: string }>({
      name: subject.name,
      file: subject.file,
      env: subject.env,
      nodeArgs: ['--trace-gc-nvp'],
      onLine: (line) => {
        const parsed = measuring ? parseTraceLine(line) : undefined;
        if (parsed) lines.push(parsed);
      },
    });
    const load = (duration: number) =>
      new Promise<autocannon.Result>((resolve, reject) =>
        autocannon({ url, method: 'POST', headers: subject.headers, body: subject.body, connections: settings.connections, duration }, (error, result) =>
          error ? reject(error) : resolve(result),
        ),
      );
    await load(warmup);
    measuring = true;
    const result = await load(seconds);
    measuring = false;
    rows.push({
      name: subject.name,
      rps: result.requests.total / result.duration,
      requests: result.requests.total,
      failed: result.non2xx + result.errors + result.timeouts,
      scavenges: lines.filter((line) => line.kind === 's'),
      markCompacts: lines.filter((line) => line.kind === 'mc' || line.kind === 'ms'),
    });
    await children.stop(subject.name);
  }
  printRows(rows);
  await otlpSink.close();
} finally {
  await children.stopAll();
}

/** A `--trace-gc-nvp` line (`... pause=1.2 ... gc=s ... promoted=1234 ...`), or undefined for any other output. */
function parseTraceLine(line: string): TraceLine | undefined {
  if (!line.includes(' pause=') || !line.includes(' gc=')) return undefined;
  const fields: Record<string, number | string> = {};
  for (const pair of line.split(/\s+/)) {
    const at = pair.indexOf('=');
    if (at > 0) fields[pair.slice(0, at)] = pair.slice(0, at) === 'gc' ? pair.slice(at + 1) : Number(pair.slice(at + 1));
  }
  return { ...(fields as Record<string, number>), kind: String(fields['gc']) } as TraceLine;
}

function printRows(rows: readonly Row[]): void {
  const sum = (lines: readonly TraceLine[], key: string) => lines.reduce((total, line) => total + (Number.isFinite(line[key]) ? (line[key] as number) : 0), 0);
  const perScavenge = (row: Row, key: string) => (row.scavenges.length === 0 ? Number.NaN : sum(row.scavenges, key) / row.scavenges.length / 1024);
  const perRequest = (row: Row, lines: readonly TraceLine[], key: string) => (sum(lines, key) * 1000) / row.requests;
  console.log(
    `\nGarbage collection under load (${settings.connections} connections, ${seconds} s after ${warmup} s of warm-up, each process alone on the machine; --trace-gc-nvp):\n`,
  );
  const header = ['scenario', 'RPS', 'failed', 'scavenges', 'pause µs/req', 'helpers µs/req', 'survived KB/scav', 'promoted KB/scav', 'mark-compact µs/req'];
  const table = rows.map((row) => [
    row.name,
    row.rps.toFixed(0),
    String(row.failed),
    String(row.scavenges.length),
    perRequest(row, row.scavenges, 'pause').toFixed(0),
    perRequest(row, row.scavenges, 'background.scavenge.parallel').toFixed(0),
    perScavenge(row, 'new_space_survived').toFixed(0),
    perScavenge(row, 'promoted').toFixed(0),
    perRequest(row, row.markCompacts, 'pause').toFixed(0),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...table.map((cells) => cells[column]!.length)));
  const format = (cells: readonly string[]) =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[column]!))).join('  ');
  console.log(format(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const cells of table) console.log(format(cells));
  console.log(
    "\nfailed: answers that were not 2xx, socket errors and timeouts (0, or the row measures refusals); pause: the scavenges' main-thread pause; helpers: their work on V8's helper threads; survived: what a scavenge copied; promoted: what it moved to the old generation.",
  );
}
