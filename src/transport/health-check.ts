import type { Dispatcher } from 'undici';
import type { NormalizedHealthCheck } from './instances-config.ts';

/** One instance's active health: out of rotation while `healthy` is false. */
export interface HealthState {
  healthy: boolean;
  /** Checks passed, or failed, in a row. */
  passes: number;
  failures: number;
  /** When it was last found unhealthy. */
  unhealthySince?: number;
  /** The last check, when one ran. */
  last?: { at: number; passed: boolean };
}

/** A healthy instance that has not been checked yet. */
export function createHealthState(): HealthState {
  return { healthy: true, passes: 0, failures: 0 };
}

/**
 * Asks `path` of one instance (on its origin) and answers whether it passed: a 2xx within
 * `timeout`. The body is read and dropped, so the connection goes back to the pool.
 */
export async function probeInstance(dispatcher: Dispatcher, options: NormalizedHealthCheck): Promise<boolean> {
  try {
    const response = await dispatcher.request({ method: 'GET', path: options.path, signal: AbortSignal.timeout(options.timeout) });
    await response.body.dump();
    return response.statusCode >= 200 && response.statusCode < 300;
  } catch {
    return false;
  }
}

/**
 * Counts one check's result and answers the change it makes, if any: `unhealthy` after
 * `unhealthyThreshold` failures in a row, `healthy` again after `healthyThreshold` passes in a row.
 */
export function recordCheck(state: HealthState, passed: boolean, now: number, options: NormalizedHealthCheck): 'healthy' | 'unhealthy' | undefined {
  state.last = { at: now, passed };
  state.passes = passed ? state.passes + 1 : 0;
  state.failures = passed ? 0 : state.failures + 1;
  if (state.healthy && state.failures >= options.unhealthyThreshold) {
    state.healthy = false;
    state.unhealthySince = now;
    return 'unhealthy';
  }
  if (!state.healthy && state.passes >= options.healthyThreshold) {
    state.healthy = true;
    return 'healthy';
  }
  return undefined;
}
