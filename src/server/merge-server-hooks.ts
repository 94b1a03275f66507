import type { Plugin, YogaServerOptions } from 'graphql-yoga';
import { bindRun } from '../bind-run.ts';
import { relayPayload, type Relayed } from './relay-payload.ts';
import { runHooksInOrder, type HookRun } from './run-hooks-in-order.ts';
import { takeHooks } from './take-hooks.ts';

/** A plugin as createYoga takes it (of the gateway's context). */
type YogaPlugin = NonNullable<YogaServerOptions<Record<string, unknown>, Record<string, unknown>>['plugins']>[number];
type Merged = 'onRequest' | 'onParams' | 'onExecutionResult' | 'onResultProcess' | 'onResponse';
type Payload<K extends Merged> = Parameters<NonNullable<Plugin[K]>>[0];
type HookResult<K extends Merged> = ReturnType<NonNullable<Plugin[K]>>;
type Hooks<K extends Merged> = readonly ((payload: Payload<K>) => unknown)[];

const requestSetters: Relayed<Payload<'onRequest'>> = [
  ['setRequest', 'request'],
  ['setRequestHandler', 'requestHandler'],
];
const paramsSetters: Relayed<Payload<'onParams'>> = [
  ['setParams', 'params'],
  ['setParamsHandler', 'paramsHandler'],
];
const executionResultSetters: Relayed<Payload<'onExecutionResult'>> = [['setResult', 'result']];
const resultProcessSetters: Relayed<Payload<'onResultProcess'>> = [
  ['setResult', 'result'],
  ['setResultProcessor', 'resultProcessor'],
];
const responseSetters: Relayed<Payload<'onResponse'>> = [['setResponse', 'response']];

/**
 * The gateway's plugins with their `onRequest`, `onParams`, `onExecutionResult`, `onResultProcess`
 * and `onResponse` hooks merged into one plugin, placed first, that calls them in the same order
 * with the same semantics as Yoga and its server adapter (@whatwg-node/server): an `endResponse`
 * with a response stops the later request hooks, and what a hook sets (`setRequest`,
 * `setRequestHandler`, `setParams`, `setParamsHandler`, `setResult`, `setResultProcessor`,
 * `setResponse`) is seen by the later ones.
 *
 * Why: Yoga runs each hook through promise-helpers' `iterateAsync`, which allocates about fifteen
 * objects per hook per request (closures and fake promises) even when the hook returns nothing,
 * and the gateway has some thirty of these. Here they run in a plain loop, synchronously while
 * they answer synchronously; a hook that returns a promise has the rest wait for it. Every other
 * hook (envelop's parse, validate and execute hooks among them) stays on its plugin, in place:
 * hooks of one kind run in plugin order, and the merged ones are the first of the gateway's, as
 * they were, between Yoga's own plugins before and after the gateway's.
 */
export function mergeServerHooks(plugins: readonly YogaPlugin[]): YogaPlugin[] {
  const { hooks, rest } = takeHooks(plugins, ['onRequest', 'onParams', 'onExecutionResult', 'onResultProcess', 'onResponse'] as const);
  const params = hooks.onParams as Hooks<'onParams'>;
  const executionResult = hooks.onExecutionResult as Hooks<'onExecutionResult'>;
  const resultProcess = hooks.onResultProcess as Hooks<'onResultProcess'>;
  const response = hooks.onResponse as Hooks<'onResponse'>;
  const combined: Plugin = {};
  if (hooks.onRequest.length > 0) combined.onRequest = (outer) => runRequestHooks(hooks.onRequest as Hooks<'onRequest'>, outer);
  if (params.length > 0) combined.onParams = (outer) => runHooksInOrder(params, relayPayload(outer, paramsSetters)) as HookResult<'onParams'>;
  if (executionResult.length > 0) {
    combined.onExecutionResult = (outer) => runHooksInOrder(executionResult, relayPayload(outer, executionResultSetters)) as HookResult<'onExecutionResult'>;
  }
  if (resultProcess.length > 0) {
    combined.onResultProcess = (outer) => runHooksInOrder(resultProcess, relayPayload(outer, resultProcessSetters)) as HookResult<'onResultProcess'>;
  }
  if (response.length > 0) combined.onResponse = (outer) => runHooksInOrder(response, relayPayload(outer, responseSetters)) as HookResult<'onResponse'>;
  return [combined, ...rest];
}

function runRequestHooks(hooks: Hooks<'onRequest'>, outer: Payload<'onRequest'>): HookResult<'onRequest'> {
  const run: RequestRun = { stopped: false, outer };
  const payload = relayPayload(outer, requestSetters);
  payload.endResponse = bindRun(endResponse, run);
  return runHooksInOrder(hooks, payload, run) as HookResult<'onRequest'>;
}

interface RequestRun extends HookRun {
  outer: Payload<'onRequest'>;
}

function endResponse(run: RequestRun, response: Response): void {
  run.outer.endResponse(response);
  if (response) run.stopped = true;
}
