import type { LoadBalancing } from './instances-config.ts';

/** What a balancer reads of an instance. */
export interface Balanced {
  weight: number;
  /** Calls in flight. */
  outstanding: number;
  /** Peak-sensitive moving average of latency, in milliseconds; 0 before the first answer. */
  latencyMs: number;
}

/** Picks one instance per call among the candidates it is given (never an empty list). */
export interface LoadBalancer {
  pick<T extends Balanced>(candidates: readonly T[]): T;
}

/**
 * The balancer of `kind` (see {@link LoadBalancing}). `random` returns numbers in [0, 1), like
 * `Math.random`, which it defaults to; tests pass a seeded one.
 */
export function createLoadBalancer(kind: LoadBalancing, random: () => number = Math.random): LoadBalancer {
  if (kind === 'round-robin') return smoothRoundRobin();
  if (kind === 'least-request') return leastRequest(random);
  const cost = (instance: Balanced) => (instance.latencyMs * (instance.outstanding + 1)) / instance.weight;
  return {
    pick(candidates) {
      const [first, second] = twoAtRandom(candidates, random);
      return second !== undefined && cost(second) < cost(first) ? second : first;
    },
  };
}

/**
 * Envoy's LEAST_REQUEST: with equal weights, the better of two drawn at random (fewer calls in
 * flight; the first drawn on a tie, so idle instances share evenly); with unequal weights, one
 * drawn with the chance `weight / (outstanding + 1)`, so an idle pool follows the weights and a
 * slow instance, whose calls pile up, is drawn less.
 */
function leastRequest(random: () => number): LoadBalancer {
  return {
    pick(candidates) {
      const weight = candidates[0]?.weight;
      if (candidates.some((candidate) => candidate.weight !== weight)) {
        return weightedDraw(candidates, random, (candidate) => candidate.weight / (candidate.outstanding + 1));
      }
      const [first, second] = twoAtRandom(candidates, random);
      return second !== undefined && second.outstanding < first.outstanding ? second : first;
    },
  };
}

/**
 * nginx's smooth weighted round robin: each pick adds every candidate's weight to its running
 * score, takes the highest, and lowers the winner by the total. Weights 5, 1, 1 give a a b a c a a,
 * not a a a a a b c. Scores live per instance object, so instances that come and go keep theirs.
 */
function smoothRoundRobin(): LoadBalancer {
  const scores = new WeakMap<Balanced, number>();
  return {
    pick(candidates) {
      let total = 0;
      let best = candidates[0] as (typeof candidates)[number];
      let bestScore = -Infinity;
      for (const candidate of candidates) {
        const score = (scores.get(candidate) ?? 0) + candidate.weight;
        scores.set(candidate, score);
        total += candidate.weight;
        if (score > bestScore) [best, bestScore] = [candidate, score];
      }
      scores.set(best, bestScore - total);
      return best;
    },
  };
}

/** Two distinct candidates drawn at random in proportion to their weights (one when there is one). */
function twoAtRandom<T extends Balanced>(candidates: readonly T[], random: () => number): [T, T | undefined] {
  const first = weightedDraw(candidates, random);
  if (candidates.length < 2) return [first, undefined];
  return [
    first,
    weightedDraw(
      candidates.filter((candidate) => candidate !== first),
      random,
    ),
  ];
}

function weightedDraw<T extends Balanced>(candidates: readonly T[], random: () => number, weightOf = (candidate: T) => candidate.weight): T {
  const total = candidates.reduce((sum, candidate) => sum + weightOf(candidate), 0);
  let point = random() * total;
  for (const candidate of candidates) {
    point -= weightOf(candidate);
    if (point < 0) return candidate;
  }
  return candidates[candidates.length - 1] as T;
}
