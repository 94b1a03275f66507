/** One upstream call about to be made, as the gateway's observers see it. */
export interface FetchEvent {
  /** The source's name. */
  service: string;
  /** The instance called: the service URL's origin. */
  instance: string;
  method: string;
  path: string;
  /** The headers about to be sent; an observer may add to them (trace context, request id). */
  headers: Record<string, string>;
  /** The client request the call serves, when there is one. */
  origin?: Request;
}

/** How an upstream call ended. */
export interface FetchResult {
  /** The HTTP status, when the service answered. */
  status?: number;
  /** The error the call failed with (timeout, unreachable, unreadable answer). */
  error?: Error;
  durationMs: number;
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
      return done.length === 0 ? undefined : (result) => done.forEach((hook) => hook(result));
    },
  };
}
