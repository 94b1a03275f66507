import type { NormalizedOutlierDetection } from './instances-config.ts';

/**
 * One instance's passive circuit: closed (in rotation), open (ejected until `ejectedUntil`),
 * half-open (`probation`: back in rotation, but its next failure ejects it again at once).
 */
export interface OutlierState {
  consecutiveFailures: number;
  /** Ejections since the instance joined, for metrics. */
  ejections: number;
  /** The n of the next ejection's `n × baseEjectionTime`; back to 1 after `maxEjectionTime` without one. */
  multiplier: number;
  ejectedAt?: number;
  ejectedUntil?: number;
  probation: boolean;
  readmittedAt?: number;
}

/** Where an instance stands: `ejected` is out of rotation. */
export type OutlierPhase = 'closed' | 'ejected' | 'probation';

/** A closed circuit. */
export function createOutlierState(): OutlierState {
  return { consecutiveFailures: 0, ejections: 0, multiplier: 1, probation: false };
}

/** The instance's phase at `now`; an ejection that has run out turns into probation here. */
export function outlierPhase(state: OutlierState, now: number): OutlierPhase {
  if (state.ejectedUntil !== undefined && now >= state.ejectedUntil) {
    state.ejectedUntil = undefined;
    state.probation = true;
    state.readmittedAt = now;
  }
  if (state.ejectedUntil !== undefined) return 'ejected';
  return state.probation ? 'probation' : 'closed';
}

/**
 * Counts one call's outcome (a failure: not reachable, timeout, 5xx). Answers `true` when it
 * ejects the instance: the failures in a row reached `consecutiveFailures`, or it failed on
 * probation, and `mayEject()` (the pool's `maxEjectionPercent`) allows one more out.
 */
export function recordOutcome(state: OutlierState, failed: boolean, now: number, options: NormalizedOutlierDetection, mayEject: () => boolean): boolean {
  const phase = outlierPhase(state, now);
  if (!failed) {
    state.consecutiveFailures = 0;
    state.probation = false;
    return false;
  }
  // A call that was sent before the ejection and fails after it changes nothing.
  if (phase === 'ejected') return false;
  state.consecutiveFailures += 1;
  if (phase !== 'probation' && state.consecutiveFailures < options.consecutiveFailures) return false;
  if (!mayEject()) return false;
  if (state.readmittedAt !== undefined && now - state.readmittedAt > options.maxEjectionTime) state.multiplier = 1;
  state.ejections += 1;
  state.ejectedAt = now;
  state.ejectedUntil = now + Math.min(options.baseEjectionTime * state.multiplier, options.maxEjectionTime);
  state.multiplier += 1;
  state.consecutiveFailures = 0;
  state.probation = false;
  return true;
}
