import { systemClock as processClock, type Clock } from '../../clock.ts';

/**
 * Time as discovery reads it: the current time and one-shot timers. Tests hand in a clock they
 * advance themselves, so refreshes and expiries happen without waiting.
 */
export interface DiscoveryClock extends Clock {
  /** Calls `callback` once after `ms`; the timer must not keep the process alive. */
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The process's clock, with unref'ed timers. */
export const systemClock: DiscoveryClock = {
  now: processClock.now,
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
