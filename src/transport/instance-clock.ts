import { systemClock as processClock, type Clock } from '../clock.ts';

/** The time and the repeating timers of an instance pool: the system's, or a test's. */
export interface InstanceClock extends Clock {
  /** Calls `run` every `ms` until the returned function is called; never keeps the process alive. */
  every(ms: number, run: () => void): () => void;
}

/** `Date.now()` (which `mock.timers` moves) and unref'ed `setInterval`. */
export const systemClock: InstanceClock = {
  now: processClock.now,
  every(ms, run) {
    const timer = setInterval(run, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};
