import assert from 'node:assert/strict';
import { mulberry32 } from '../../examples/ecommerce/seeded-random.ts';
import type { Answer, Difference } from './differential-compare.ts';
import type { Feature, GeneratedOperation, Random } from './differential-generator.ts';

/** One run of a differential test: its seed, the operations to run and how to replay one. */
export interface DifferentialRun {
  seed: number;
  /** Operation indices to run: `0..DIFF_COUNT-1`, or `DIFF_OP` alone. */
  indices: number[];
  /** The randomness of operation `index`, a stream of its own, so that one operation replays alone. */
  random(index: number): Random;
  /** The command that runs operation `index` of this seed alone. */
  replay(index: number): string;
}

/**
 * The run of `testFile` from the environment: `DIFF_SEED` (default: from the clock), `DIFF_COUNT`
 * (default `defaultCount`) and `DIFF_OP` (one operation index; it has the same query as in the full run).
 */
export function differentialRun(testFile: string, defaultCount: number, env: NodeJS.ProcessEnv = process.env): DifferentialRun {
  const seed = Number(env['DIFF_SEED'] ?? Date.now() % 1_000_000);
  const count = Number(env['DIFF_COUNT'] ?? defaultCount);
  const only = env['DIFF_OP'];
  if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(count) || (only !== undefined && !Number.isSafeInteger(Number(only)))) {
    throw new Error(
      `DIFF_SEED, DIFF_COUNT and DIFF_OP must be integers, but got: ${JSON.stringify({ DIFF_SEED: env['DIFF_SEED'], DIFF_COUNT: env['DIFF_COUNT'], DIFF_OP: only })}`,
    );
  }
  return {
    seed,
    indices: only === undefined ? Array.from({ length: count }, (_, index) => index) : [Number(only)],
    random: (index) => mulberry32(Math.floor(mulberry32((seed ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0)() * 2 ** 32)),
    replay: (index) => `DIFF_SEED=${seed} DIFF_OP=${index} node --import tsx --test ${testFile}`,
  };
}

/** A difference the differential found and the owner of the code has not fixed yet: reported, not failed. */
export interface KnownDifference {
  /** What is wrong and where, for the diagnostic line. */
  bug: string;
  /** Whether a difference is this one. */
  matches(difference: Difference): boolean;
}

/** Collects the differences of a run, so that one failure shows every differing operation. */
export interface Mismatches {
  /** Records `difference` (undefined: none) of operation `index` with the answers compared, by name. */
  check(difference: Difference | undefined, index: number, operation: GeneratedOperation, answers: Record<string, Answer>): void;
  /** The known differences met, one line each, for `t.diagnostic`. */
  known(): string[];
  /** Fails with every unknown difference: seed, the command replaying the operation alone, the operation and the answers. */
  assertNone(): void;
}

/** A {@link Mismatches} over `run`; differences matching one of `knownDifferences` are only counted. */
export function createMismatches(run: DifferentialRun, knownDifferences: readonly KnownDifference[] = []): Mismatches {
  const found: string[] = [];
  const met = new Map<KnownDifference, number[]>();
  const show = (answer: Answer) =>
    JSON.stringify({
      data: answer.data ?? null,
      errors: (answer.errors ?? []).map(({ message, path, extensions }) => ({ message, path, code: extensions?.code })),
    });
  return {
    check(difference, index, operation, answers) {
      if (difference === undefined) return;
      const known = knownDifferences.find((candidate) => candidate.matches(difference));
      if (known) {
        met.set(known, [...(met.get(known) ?? []), index]);
        return;
      }
      found.push(
        [
          `seed ${run.seed}, operation ${index}: ${Object.keys(answers).join(' and ')} answer differently (${difference.description})`,
          `replay it alone: ${run.replay(index)}`,
          `query: ${operation.query}`,
          `variables: ${JSON.stringify(operation.variables)}`,
          ...Object.entries(answers).map(([name, answer]) => `${name}: ${show(answer)}`),
        ].join('\n'),
      );
    },
    known: () =>
      [...met].map(([known, indices]) => `known bug, met by ${indices.length} operations (first: ${run.replay(indices[0] as number)}): ${known.bug}`),
    assertNone() {
      assert.equal(
        found.length,
        0,
        `${found.length} differences (an operation may differ from the reference and from stitching):\n\n${found.slice(0, 5).join('\n\n')}${found.length > 5 ? `\n\n... and ${found.length - 5} more` : ''}`,
      );
    },
  };
}

/** Counts, over a run, the operations showing each feature and each trait of the reference answers. */
export interface Coverage {
  /** Records one operation, its reference answer and any tags of the test's own (an injected fault). */
  record(operation: GeneratedOperation, answer: Answer, tags?: readonly string[]): void;
  /** One line: `ops=250 alias=61 ... error:NOT_FOUND=3`. */
  summary(): string;
}

/** A {@link Coverage} that fails the test, through {@link Coverage.summary}, when a `required` feature never occurred in a run of 100 operations or more. */
export function createCoverage(required: readonly (Feature | string)[] = []): Coverage {
  const counts = new Map<string, number>();
  let operations = 0;
  const add = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  return {
    record(operation, answer, tags = []) {
      operations++;
      const traits = new Set<string>([...operation.features, ...tags]);
      if (answer.data === null || answer.data === undefined) traits.add('data-null');
      else if (holdsNull(answer.data)) traits.add('null-in-data');
      for (const error of answer.errors ?? []) traits.add(`error:${String(error.extensions?.code ?? '-')}`);
      for (const trait of traits) add(trait);
    },
    summary() {
      // A replay of a few operations need not show everything.
      const missing = operations < 100 ? [] : required.filter((feature) => !counts.has(feature));
      assert.deepEqual(missing, [], `features the generator never produced in ${operations} operations: ${missing.join(', ')}`);
      return [`ops=${operations}`, ...[...counts].sort(([a], [b]) => a.localeCompare(b)).map(([key, count]) => `${key}=${count}`)].join(' ');
    },
  };
}

function holdsNull(value: unknown): boolean {
  if (value === null) return true;
  if (typeof value !== 'object') return false;
  return Object.values(value as object).some(holdsNull);
}
