import type { Plugin } from 'graphql-yoga';
import { isPromise } from '../maybe-promise.ts';
import { runHooksInOrder } from './run-hooks-in-order.ts';

type ExecuteHook = NonNullable<Plugin['onExecute']>;
type ExecutePayload = Parameters<ExecuteHook>[0];
type ExecuteHookResult = Exclude<Awaited<ReturnType<ExecuteHook>>, void>;
type DoneHook = NonNullable<ExecuteHookResult['onExecuteDone']>;
type DonePayload = Parameters<DoneHook>[0];
type DoneHookResult = Exclude<Awaited<ReturnType<DoneHook>>, void>;
type NextHook = NonNullable<DoneHookResult['onNext']>;
type NextPayload = Parameters<NextHook>[0];

/**
 * The plugins with their `onExecute` hooks merged into one plugin, placed first, that calls them in
 * the same order with envelop's semantics: each sees the `executeFn` the earlier ones set;
 * `setResultAndStopExecution` stops the later ones; the `onExecuteDone` hooks they return run in
 * the same order, each seeing the result the earlier ones set, and so do the `onNext` and `onEnd`
 * hooks those return for a stream.
 *
 * Why: envelop runs each of these hooks through promise-helpers' `iterateAsync`, which allocates
 * about fifteen objects per hook per operation even when the hook returns nothing; see
 * {@link mergeServerHooks} for Yoga's own hooks.
 */
export function mergeExecuteHooks<P>(plugins: readonly P[]): P[] {
  const hooks = plugins.flatMap((plugin) => (plugin as Plugin).onExecute ?? []);
  if (hooks.length < 2) return [...plugins];
  const rest = plugins.map((plugin) => {
    const { onExecute, ...others } = plugin as Plugin;
    return (onExecute ? others : plugin) as P;
  });
  const combined: Plugin = { onExecute: (outer) => runExecuteHooks(hooks, outer) };
  return [combined as P, ...rest];
}

function runExecuteHooks(hooks: readonly ExecuteHook[], outer: ExecutePayload): ReturnType<ExecuteHook> {
  let stopped = false;
  const afters: ExecuteHookResult[] = [];
  const payload: ExecutePayload = {
    ...outer,
    setExecuteFn(executeFn) {
      payload.executeFn = executeFn;
      outer.setExecuteFn(executeFn);
    },
    setResultAndStopExecution(result) {
      stopped = true;
      outer.setResultAndStopExecution(result);
    },
  };
  const ran = runHooksInOrder(hooks, payload, () => stopped, afters);
  const done = () => (afters.some((after) => after.onExecuteDone) ? { onExecuteDone: (event: DonePayload) => runDoneHooks(afters, event) } : undefined);
  return isPromise(ran) ? ran.then(done) : done();
}

function runDoneHooks(afters: readonly ExecuteHookResult[], outer: DonePayload): ReturnType<DoneHook> {
  const payload: DonePayload = {
    ...outer,
    setResult(result) {
      payload.result = result;
      outer.setResult(result);
    },
  };
  const streams: DoneHookResult[] = [];
  const ran = runHooksInOrder(
    afters.flatMap((after) => after.onExecuteDone ?? []),
    payload,
    undefined,
    streams,
  );
  const done = (): DoneHookResult | undefined => {
    const onNexts = streams.flatMap((stream) => stream.onNext ?? []);
    const onEnds = streams.flatMap((stream) => stream.onEnd ?? []);
    if (onNexts.length === 0 && onEnds.length === 0) return undefined;
    return {
      ...(onNexts.length > 0 ? { onNext: (event: NextPayload) => runNextHooks(onNexts, event) } : {}),
      ...(onEnds.length > 0 ? { onEnd: () => onEnds.forEach((onEnd) => onEnd()) } : {}),
    };
  };
  return isPromise(ran) ? ran.then(done) : done();
}

function runNextHooks(hooks: readonly NextHook[], outer: NextPayload): ReturnType<NextHook> {
  const payload: NextPayload = {
    ...outer,
    setResult(result) {
      payload.result = result;
      outer.setResult(result);
    },
  };
  return runHooksInOrder(hooks, payload);
}
