/** The bench's results: the printed table, the goal ratios, and test/bench/results/latest.json. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LoadResult } from './load.ts';
import type { ScenarioId } from './scenarios.ts';
import { resultsDir } from './settings.ts';
import type { Counts } from './upstream-calls.ts';

export interface ScenarioReport {
  id: ScenarioId;
  name: string;
  url: string;
  load: LoadResult;
  /** Each round's RPS, in order: how far the machine moved during the run. */
  roundsRps: number[];
  /** Upstream calls of one request made alone, per service and in total. */
  callsOneRequest: { total: number; byService: Counts };
  /** Upstream calls caused by the measured window divided by the requests it sent. */
  callsUnderLoad: number;
  /** CPU milliseconds each process spent per request sent in the window (Linux), or null. */
  cpuMsPerRequest: Record<string, number> | null;
}

/** The one-service pair at a single connection: latency without queueing. */
export interface ProbeReport {
  seconds: number;
  gatewayP50Ms: number;
  directP50Ms: number;
  addedP50Ms: number;
  /** The same gateway query carrying a JWT (ES256, verified on every request). */
  gatewayJwtP50Ms: number;
  /** gatewayJwtP50Ms - gatewayP50Ms: what verifying the token adds. */
  jwtAddedP50Ms: number;
}

export interface Ratios {
  /** Gateway order-history RPS / hand-written RPS, with the access log, metrics and tracing of every request on; goal >= 0.70. */
  gatewayToHandWrittenRps: number | null;
  /**
   * The same ratios round by round, for the gateway with everything on and as the shop ships: each
   * round's windows of the two run next to each other, so a slow minute of the machine falls on both.
   */
  byRound: { gateway: number[]; shipped: number[] } | null;
  /** The same with the example shop's own observability (access log and metrics; no tracing without a collector); goal >= 0.70. */
  shippedToHandWrittenRps: number | null;
  /** The same with access log, metrics and tracing off: like the hand-written aggregator, which has none of them. */
  bareToHandWrittenRps: number | null;
  /** Yoga alone over the same calls / hand-written RPS: what Yoga and graphql-js leave of the hand-written aggregator's throughput. */
  yogaToHandWrittenRps: number | null;
  /** The gateway's plans alone (no Yoga, no plugin), and under Yoga alone, / hand-written RPS: the layers under the gateway. */
  layersToHandWrittenRps: { plans: number; yogaPlans: number } | null;
  /** Order-history RPS with the response cache / without it. */
  cachedToUncachedRps: number | null;
  /** Order-history RPS with access log, metrics and tracing on / all off. */
  observedToBareRps: number | null;
  /** Gateway p50 - direct p50 of the one-service query at the bench's connections; goal <= 1 ms. */
  addedP50Ms: number | null;
  goals: { minRpsRatio: number; maxAddedP50Ms: number };
}

export interface BenchReport {
  finishedAt: string;
  machine: { cores: number; cpu: string; node: string; loadAverageBefore: number; pinned: boolean; note: string };
  settings: { seconds: number; rounds: number; warmupSeconds: number; connections: number };
  scenarios: ScenarioReport[];
  ratios: Ratios;
  probe: ProbeReport | null;
}

export const GOALS = { minRpsRatio: 0.7, maxAddedP50Ms: 1 } as const;

export function computeRatios(scenarios: readonly ScenarioReport[]): Ratios {
  const find = (id: ScenarioId) => scenarios.find((scenario) => scenario.id === id);
  const gateway = find('gateway-order-history')?.load;
  const cached = find('gateway-order-history-cached')?.load;
  const bare = find('gateway-order-history-bare')?.load;
  const shipped = find('gateway-order-history-shipped')?.load;
  const handWritten = find('hand-written-order-history')?.load;
  const yoga = find('yoga-order-history')?.load;
  const plans = find('plans-order-history')?.load;
  const yogaPlans = find('yoga-plans-order-history')?.load;
  const oneGateway = find('gateway-one-service')?.load;
  const oneDirect = find('direct-one-service')?.load;
  const toHandWritten = (load: LoadResult | undefined): number | null => (load && handWritten && handWritten.rps > 0 ? load.rps / handWritten.rps : null);
  const handRounds = find('hand-written-order-history')?.roundsRps;
  const roundRatios = (id: ScenarioId): number[] => find(id)?.roundsRps.map((rps, round) => rps / (handRounds?.[round] ?? Number.NaN)) ?? [];
  const layerPlans = toHandWritten(plans);
  const layerYogaPlans = toHandWritten(yogaPlans);
  return {
    gatewayToHandWrittenRps: toHandWritten(gateway),
    byRound: handRounds ? { gateway: roundRatios('gateway-order-history'), shipped: roundRatios('gateway-order-history-shipped') } : null,
    shippedToHandWrittenRps: toHandWritten(shipped),
    bareToHandWrittenRps: toHandWritten(bare),
    yogaToHandWrittenRps: toHandWritten(yoga),
    layersToHandWrittenRps: layerPlans !== null && layerYogaPlans !== null ? { plans: layerPlans, yogaPlans: layerYogaPlans } : null,
    cachedToUncachedRps: gateway && cached && gateway.rps > 0 ? cached.rps / gateway.rps : null,
    observedToBareRps: gateway && bare && bare.rps > 0 ? gateway.rps / bare.rps : null,
    addedP50Ms: oneGateway && oneDirect ? oneGateway.p50Ms - oneDirect.p50Ms : null,
    goals: { ...GOALS },
  };
}

const fixed = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/** `goal >= 0.70: met` (or `NOT met`) for a throughput ratio. */
const rpsVerdict = (ratio: number): string => `goal >= ${GOALS.minRpsRatio.toFixed(2)}: ${ratio >= GOALS.minRpsRatio ? 'met' : 'NOT met'}`;

/** Prints the table and the ratios to stdout. */
export function printReport(report: BenchReport): void {
  const { settings } = report;
  console.log(
    `\n\nResults: ${settings.seconds} s measured per scenario in ${settings.rounds} round${settings.rounds === 1 ? '' : 's'} (each scenario in turn, ${settings.warmupSeconds} s warm-up before each window), ${settings.connections} connections, pipelining 1; latencies are the median of the rounds'\n`,
  );
  const header = ['scenario', 'RPS', 'p50 ms', 'p99 ms', 'errors/non-2xx/wrong', 'upstream calls/req (1 req; under load)'];
  const rows = report.scenarios.map((scenario) => [
    scenario.name,
    fixed(scenario.load.rps, 0),
    fixed(scenario.load.p50Ms, 2),
    fixed(scenario.load.p99Ms, 2),
    `${scenario.load.errors}/${scenario.load.non2xx}/${scenario.load.wrongBodies}`,
    `${scenario.callsOneRequest.total}; ${fixed(scenario.callsUnderLoad, 2)}`,
  ]);
  printTable(header, rows);
  if (report.scenarios.some((scenario) => scenario.cpuMsPerRequest)) {
    console.log('\nCPU ms per request (user + system, from /proc; the busiest process limits the scenario):');
    for (const scenario of report.scenarios) {
      if (!scenario.cpuMsPerRequest) continue;
      const parts = Object.entries(scenario.cpuMsPerRequest).map(([name, ms]) => `${name} ${ms.toFixed(2)}`);
      console.log(`  ${scenario.name.padEnd(widthOf(report))}  ${parts.join(', ')}`);
    }
  }

  const { gatewayToHandWrittenRps: rpsRatio, cachedToUncachedRps: cachedRatio, addedP50Ms } = report.ratios;
  console.log('');
  if (cachedRatio !== null) console.log(`order-history RPS, response cache on / off: ${cachedRatio.toFixed(2)}`);
  if (report.ratios.observedToBareRps !== null)
    console.log(`order-history RPS, access log + metrics + tracing on / all off: ${report.ratios.observedToBareRps.toFixed(2)}`);
  console.log(
    rpsRatio === null
      ? 'gateway / hand-written RPS: n/a (a scenario was skipped)'
      : `gateway / hand-written RPS: ${rpsRatio.toFixed(2)}  (access log, metrics and tracing on; ${rpsVerdict(rpsRatio)})`,
  );
  const { bareToHandWrittenRps: bareRatio, layersToHandWrittenRps: layers, shippedToHandWrittenRps: shippedRatio, byRound } = report.ratios;
  if (shippedRatio !== null)
    console.log(
      `gateway as the shop ships / hand-written RPS: ${shippedRatio.toFixed(2)}  (access log and metrics on, no tracing without a collector; ${rpsVerdict(shippedRatio)})`,
    );
  if (byRound && byRound.gateway.length > 1)
    console.log(
      `  the same round by round: everything on ${byRound.gateway.map((ratio) => fixed(ratio, 2)).join(', ')}${byRound.shipped.length > 0 ? `; as shipped ${byRound.shipped.map((ratio) => fixed(ratio, 2)).join(', ')}` : ''}  (their spread is the machine's noise)`,
    );
  if (bareRatio !== null)
    console.log(
      `gateway with access log, metrics and tracing off / hand-written RPS: ${bareRatio.toFixed(2)}  (like for like: the hand-written aggregator has none of them; ${rpsVerdict(bareRatio)})`,
    );
  if (layers !== null)
    console.log(`the layers under it / hand-written RPS: its plans alone ${layers.plans.toFixed(2)}, under Yoga alone ${layers.yogaPlans.toFixed(2)}`);
  if (report.ratios.yogaToHandWrittenRps !== null)
    console.log(
      `Yoga alone over the same calls / hand-written RPS: ${report.ratios.yogaToHandWrittenRps.toFixed(2)}  (what any gateway built on Yoga can reach here, before doing anything of its own)`,
    );
  console.log(
    addedP50Ms === null
      ? 'added p50, one-service query: n/a (a scenario was skipped)'
      : `added p50, one-service query (gateway - direct, ${settings.connections} connections): ${addedP50Ms.toFixed(2)} ms  (goal <= ${GOALS.maxAddedP50Ms} ms: ${addedP50Ms <= GOALS.maxAddedP50Ms ? 'met' : 'NOT met'})`,
  );
  if (report.probe) {
    const { probe } = report;
    console.log(
      `added p50, one-service query at 1 connection (no queueing): ${probe.addedP50Ms.toFixed(2)} ms  ` +
        `(gateway ${probe.gatewayP50Ms.toFixed(2)} ms, direct ${probe.directP50Ms.toFixed(2)} ms, ${probe.seconds} s each)`,
    );
    console.log(
      `added p50 of JWT verification (ES256), one-service query at 1 connection: ${probe.jwtAddedP50Ms.toFixed(2)} ms  (with token ${probe.gatewayJwtP50Ms.toFixed(2)} ms)`,
    );
  }
  console.log(`\nNote: ${report.machine.note}`);
}

function widthOf(report: BenchReport): number {
  return Math.max(...report.scenarios.map((scenario) => scenario.name.length));
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  // Text columns left-aligned, numbers right-aligned.
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row));
}

/** Writes the report to test/bench/results/latest.json and returns the path. */
export async function writeReport(report: BenchReport): Promise<string> {
  await mkdir(resultsDir, { recursive: true });
  const file = path.join(resultsDir, 'latest.json');
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
