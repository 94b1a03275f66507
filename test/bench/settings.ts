import os from 'node:os';
import { fileURLToPath } from 'node:url';

/** The project root (where gateway.config.ts lives); children run with it as their working directory. */
export const root = fileURLToPath(new URL('../../', import.meta.url));

/** Where `latest.json` goes. */
export const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));

/** How long and how hard to drive each scenario, read from the environment. */
export interface BenchSettings {
  /** Measured seconds per scenario, split over the rounds (BENCH_SECONDS, default 10). */
  seconds: number;
  /**
   * Rounds (BENCH_ROUNDS, default 3): each round measures every scenario in turn for its share of
   * `seconds`, so the machine's drift during the run falls on every scenario alike instead of
   * on whichever ran during a slow minute.
   */
  rounds: number;
  /** Unmeasured warm-up before each measured window (BENCH_WARMUP_SECONDS, default 2). */
  warmupSeconds: number;
  /** Concurrent keep-alive connections (BENCH_CONNECTIONS, default 50). */
  connections: number;
  /** Window of the one-connection latency probe of the one-service pair (BENCH_PROBE_SECONDS, default 3; 0 skips it). */
  probeSeconds: number;
  /** BENCH_PIN=1: pin the load generator to CPU 0 and the children to the other CPUs with taskset. */
  pin: boolean;
  /** BENCH_CPU_PROF=<dir>: run the gateway child with `--cpu-prof --cpu-prof-dir=<dir>`. */
  cpuProfileDir: string | undefined;
  /** BENCH_ONLY=a,b: run only the scenarios whose name contains one of these (case-insensitive). */
  only: string[];
  /** CPUs this process may use. */
  cores: number;
  /**
   * NODE_ENV of every child (gateways, peers, services), as deployed: `production` unless
   * BENCH_NODE_ENV says otherwise. It matters: graphql-js checks every `instanceof` across realms
   * outside production, which doubles its execution time.
   */
  nodeEnv: string;
  /**
   * What the gateway children run (BENCH_GATEWAY_FROM): `dist`, the compiled JavaScript the package
   * ships (built at the start of the bench), or `src`, the TypeScript through tsx.
   */
  gatewayFrom: 'dist' | 'src';
  /**
   * NODE_OPTIONS of every child, peers included: `--max-semi-space-size=64` unless BENCH_NODE_OPTIONS
   * says otherwise, the young-generation size the README recommends for a gateway (Node's default
   * makes it scavenge several times a request under load).
   */
  nodeOptions: string;
}

/** Reads the settings; throws on a value that is not a number in range, naming the variable. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  return {
    seconds: readNumber(env, 'BENCH_SECONDS', 10, 1),
    rounds: Math.round(readNumber(env, 'BENCH_ROUNDS', 3, 1)),
    warmupSeconds: readNumber(env, 'BENCH_WARMUP_SECONDS', 2, 0),
    connections: Math.round(readNumber(env, 'BENCH_CONNECTIONS', 50, 1)),
    probeSeconds: readNumber(env, 'BENCH_PROBE_SECONDS', 3, 0),
    pin: env['BENCH_PIN'] === '1',
    cpuProfileDir: env['BENCH_CPU_PROF'] || undefined,
    only: (env['BENCH_ONLY'] ?? '')
      .split(',')
      .map((part) => part.trim().toLowerCase())
      .filter((part) => part !== ''),
    cores: os.availableParallelism(),
    nodeEnv: env['BENCH_NODE_ENV'] || 'production',
    gatewayFrom: env['BENCH_GATEWAY_FROM'] === 'src' ? 'src' : 'dist',
    nodeOptions: env['BENCH_NODE_OPTIONS'] ?? '--max-semi-space-size=64',
  };
}

function readNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new Error(`${name}: expected a number >= ${min}, got "${raw}"`);
  return value;
}
