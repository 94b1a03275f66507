import type { Plugin, YogaServerOptions } from 'graphql-yoga';
import { runHooksInOrder } from './run-hooks-in-order.ts';

/** A plugin as createYoga takes it (of the gateway's context). */
type YogaPlugin = NonNullable<YogaServerOptions<Record<string, unknown>, Record<string, unknown>>['plugins']>[number];
type RequestPayload = Parameters<NonNullable<Plugin['onRequest']>>[0];
type ParamsPayload = Parameters<NonNullable<Plugin['onParams']>>[0];
type ResultProcessPayload = Parameters<NonNullable<Plugin['onResultProcess']>>[0];
type ResponsePayload = Parameters<NonNullable<Plugin['onResponse']>>[0];
const merged = ['onRequest', 'onParams', 'onResultProcess', 'onResponse'] as const;

/**
 * The gateway's plugins with their `onRequest`, `onParams`, `onResultProcess` and `onResponse`
 * hooks merged into one plugin, placed first, that calls them in the same order with the same
 * semantics as Yoga and its server adapter (@whatwg-node/server): an `endResponse` with a response
 * stops the later request hooks, and what a hook sets (`setRequest`, `setRequestHandler`,
 * `setParams`, `setParamsHandler`, `setResult`, `setResultProcessor`, `setResponse`) is seen by
 * the later ones.
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
  const hooksOf = <K extends (typeof merged)[number]>(kind: K) => plugins.flatMap((plugin) => (plugin as Plugin)[kind] ?? []) as NonNullable<Plugin[K]>[];
  const request = hooksOf('onRequest');
  const params = hooksOf('onParams');
  const resultProcess = hooksOf('onResultProcess');
  const response = hooksOf('onResponse');
  const rest = plugins.map((plugin) => {
    const { onRequest, onParams, onResultProcess, onResponse, ...others } = plugin as Plugin;
    return onRequest || onParams || onResultProcess || onResponse ? others : plugin;
  });
  const combined: Plugin = {};
  if (request.length > 0) combined.onRequest = (outer) => runRequestHooks(request, outer);
  if (params.length > 0) {
    combined.onParams = (outer) => {
      const payload: ParamsPayload = {
        ...outer,
        setParams(value) {
          payload.params = value;
          outer.setParams(value);
        },
        setParamsHandler(handler) {
          payload.paramsHandler = handler;
          outer.setParamsHandler(handler);
        },
      };
      return runHooksInOrder(params, payload) as ReturnType<NonNullable<Plugin['onParams']>>;
    };
  }
  if (resultProcess.length > 0) {
    combined.onResultProcess = (outer) => {
      const payload: ResultProcessPayload = {
        ...outer,
        setResult(result) {
          payload.result = result;
          outer.setResult(result);
        },
        setResultProcessor(processor, mediaType) {
          payload.resultProcessor = processor;
          outer.setResultProcessor(processor, mediaType);
        },
      };
      return runHooksInOrder(resultProcess, payload) as ReturnType<NonNullable<Plugin['onResultProcess']>>;
    };
  }
  if (response.length > 0) {
    combined.onResponse = (outer) => {
      const payload: ResponsePayload = {
        ...outer,
        setResponse(value) {
          payload.response = value;
          outer.setResponse(value);
        },
      };
      return runHooksInOrder(response, payload) as ReturnType<NonNullable<Plugin['onResponse']>>;
    };
  }
  return [combined, ...rest];
}

function runRequestHooks(hooks: readonly ((payload: RequestPayload) => unknown)[], outer: RequestPayload): ReturnType<NonNullable<Plugin['onRequest']>> {
  let ended = false;
  const payload: RequestPayload = {
    ...outer,
    setRequest(request) {
      payload.request = request;
      outer.setRequest(request);
    },
    setRequestHandler(handler) {
      payload.requestHandler = handler;
      outer.setRequestHandler(handler);
    },
    endResponse(response) {
      outer.endResponse(response);
      if (response) ended = true;
    },
  };
  return runHooksInOrder(hooks, payload, () => ended) as ReturnType<NonNullable<Plugin['onRequest']>>;
}
