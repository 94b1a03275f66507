import type { Plugin } from 'graphql-yoga';
import { isPromise } from '../maybe-promise.ts';
import { bindRun } from '../bind-run.ts';
import { relayPayload, type Relayed } from './relay-payload.ts';
import { runHooksInOrder, type HookRun } from './run-hooks-in-order.ts';
import { takeHooks } from './take-hooks.ts';

type ExecuteHook = NonNullable<Plugin['onExecute']>;
type ExecutePayload = Parameters<ExecuteHook>[0];
type ExecuteHookResult = Exclude<Awaited<ReturnType<ExecuteHook>>, void>;
type DoneHook = NonNullable<ExecuteHookResult['onExecuteDone']>;
type DonePayload = Parameters<DoneHook>[0];
type DoneHookResult = Exclude<Awaited<ReturnType<DoneHook>>, void>;
type NextHook = NonNullable<DoneHookResult['onNext']>;
type NextPayload = Parameters<NextHook>[0];

const executeSetters: Relayed<ExecutePayload> = [['setExecuteFn', 'executeFn']];
const doneSetters: Relayed<DonePayload> = [['setResult', 'result']];
const nextSetters: Relayed<NextPayload> = [['setResult', 'result']];

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
  const { hooks, rest } = takeHooks(plugins, ['onExecute'] as const);
  if (hooks.onExecute.length < 2) return [...plugins];
  const combined: Plugin = { onExecute: (outer) => runExecuteHooks(hooks.onExecute as ExecuteHook[], outer) };
  return [combined as P, ...rest];
}

// Like relayPayload's setters, every function handed out per operation below is bound, not a closure (see bindRun).

function runExecuteHooks(hooks: readonly ExecuteHook[], outer: ExecutePayload): ReturnType<ExecuteHook> {
  const run: ExecuteRun = { stopped: false, outer, afters: [] };
  const payload = relayPayload(outer, executeSetters);
  payload.setResultAndStopExecution = bindRun(stopExecution, run);
  const ran = runHooksInOrder(hooks, payload, run, run.afters);
  return isPromise(ran) ? ran.then(bindRun(afterExecute, run.afters)) : afterExecute(run.afters);
}

interface ExecuteRun extends HookRun {
  outer: ExecutePayload;
  afters: ExecuteHookResult[];
}

function stopExecution(run: ExecuteRun, result: Parameters<ExecutePayload['setResultAndStopExecution']>[0]): void {
  run.stopped = true;
  run.outer.setResultAndStopExecution(result);
}

function afterExecute(afters: readonly ExecuteHookResult[]): ExecuteHookResult | undefined {
  return afters.some((after) => after.onExecuteDone) ? { onExecuteDone: bindRun(runDoneHooks, afters) } : undefined;
}

function runDoneHooks(afters: readonly ExecuteHookResult[], outer: DonePayload): ReturnType<DoneHook> {
  const payload = relayPayload(outer, doneSetters);
  const streams: DoneHookResult[] = [];
  const ran = runHooksInOrder(
    afters.flatMap((after) => after.onExecuteDone ?? []),
    payload,
    undefined,
    streams,
  );
  return isPromise(ran) ? ran.then(bindRun(afterDone, streams)) : afterDone(streams);
}

function afterDone(streams: readonly DoneHookResult[]): DoneHookResult | undefined {
  const onNexts = streams.flatMap((stream) => stream.onNext ?? []);
  const onEnds = streams.flatMap((stream) => stream.onEnd ?? []);
  if (onNexts.length === 0 && onEnds.length === 0) return undefined;
  // Built field by field, not from spreads (see bindRun).
  const after: DoneHookResult = {};
  if (onNexts.length > 0) after.onNext = bindRun(runNextHooks, onNexts);
  if (onEnds.length > 0) after.onEnd = bindRun(endStreams, onEnds);
  return after;
}

function runNextHooks(hooks: readonly NextHook[], outer: NextPayload): ReturnType<NextHook> {
  return runHooksInOrder(hooks, relayPayload(outer, nextSetters));
}

function endStreams(onEnds: readonly (() => void)[]): void {
  for (const onEnd of onEnds) onEnd();
}
