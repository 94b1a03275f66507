import { isPromise, type MaybePromise } from '../maybe-promise.ts';

/** What stops a loop of {@link runHooksInOrder}: a hook's `endResponse` or `setResultAndStopExecution` sets `stopped`. */
export interface HookRun {
  stopped: boolean;
}

/**
 * Calls `hooks` in order with `payload` until `run.stopped` is set, keeping what each returns
 * (when anything) in `results`: synchronously while they return no promise; a hook that returns
 * one has the rest wait for it. The loop of the merged hooks (see mergeServerHooks and
 * mergeExecuteHooks), which allocates nothing per hook where Yoga's and envelop's loops allocate
 * some fifteen objects.
 */
export function runHooksInOrder<P, R = unknown>(
  hooks: readonly ((payload: P) => unknown)[],
  payload: P,
  run?: HookRun,
  results?: R[],
  from = 0,
): MaybePromise<void> {
  for (let at = from; at < hooks.length && !run?.stopped; at++) {
    const result = hooks[at]!(payload);
    if (isPromise(result)) {
      return result.then((settled) => {
        if (settled && results) results.push(settled as R);
        return runHooksInOrder(hooks, payload, run, results, at + 1);
      });
    }
    if (result && results) results.push(result as R);
  }
}
