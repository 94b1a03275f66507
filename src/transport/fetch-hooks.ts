import { bindRun } from '../bind-run.ts';
import type { MirrorOutcome } from './with-mirror.ts';

/** One upstream call about to be made, as the gateway's observers see it. */
export interface FetchEvent {
  /** The source's name. */
  service: string;
  /**
   * The instance called, as an origin. A GraphQL or REST call picks its instance only once the
   * cache and in-flight dedupe let it through (and each retry picks again), so before the call
   * this is the source's first instance; by `done` it is the one that answered, or the last one
   * tried (also in {@link FetchResult.instance}). A pass-through (`proxy`) call knows it from the start.
   */
  instance: string;
  method: string;
  path: string;
  /** The headers about to be sent; an observer may add to them (trace context, request id). */
  headers: Record<string, string>;
  /** The client request the call serves, when there is one. */
  origin?: Request;
  /** The version of the source called (`stable`, `v2`), when the source has versions. */
  version?: string;
  /**
   * A version choice of the client (header or cookie) that was not followed, and why: told on the
   * first call of a request to the source only.
   */
  ignoredOverride?: string;
  /**
   * A shadow copy of a call (the source's `mirror`), whose answer no client sees: its result tells
   * how it compared. Observers of the client's own calls (access log lines, per-source metrics) leave it out.
   */
  mirror?: true;
}

/** How an upstream call ended. */
export interface FetchResult {
  /** The HTTP status, when the service answered. */
  status?: number;
  /** The error the call failed with (timeout, unreachable, unreadable answer). */
  error?: Error;
  durationMs: number;
  /** The instance (origin) that answered, or the last one tried when none did. */
  instance?: string;
  /** For a shadow copy (`mirror` on the event): how its answer compared with the source's. */
  mirror?: MirrorOutcome;
}

/**
 * An observer of upstream calls, shaped like envelop's hooks: called before the call, it may
 * return its "done" hook, called with the result.
 */
export type OnFetch = (event: FetchEvent) => ((result: FetchResult) => void) | void;

/** A gateway's upstream-call observers: sources dispatch, plugins add. */
export interface FetchHooks {
  add(listener: OnFetch): void;
  dispatch: OnFetch;
}

/** An empty set of observers; `dispatch` calls each in the order added. */
export function createFetchHooks(): FetchHooks {
  const listeners: OnFetch[] = [];
  return {
    add: (listener) => void listeners.push(listener),
    dispatch(event) {
      if (listeners.length === 0) return;
      const done = listeners.map((listener) => listener(event)).filter((hook): hook is (result: FetchResult) => void => typeof hook === 'function');
      // Bound, not a closure over the call's hooks (see bindRun).
      return done.length === 0 ? undefined : done.length === 1 ? done[0] : bindRun(runDoneHooks, done);
    },
  };
}

function runDoneHooks(done: readonly ((result: FetchResult) => void)[], result: FetchResult): void {
  for (const hook of done) hook(result);
}
