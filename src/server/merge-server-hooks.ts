import type { Plugin, YogaServerOptions } from 'graphql-yoga';
import { isPromise } from '../maybe-promise.ts';

/** A plugin as createYoga takes it (of the gateway's context). */
type YogaPlugin = NonNullable<YogaServerOptions<Record<string, unknown>, Record<string, unknown>>['plugins']>[number];
type RequestHook = NonNullable<Plugin['onRequest']>;
type ResponseHook = NonNullable<Plugin['onResponse']>;
type RequestPayload = Parameters<RequestHook>[0];
type ResponsePayload = Parameters<ResponseHook>[0];

/**
 * The gateway's plugins with their `onRequest` and `onResponse` hooks merged into one plugin, placed
 * first, that calls them in the same order with the same semantics as the server adapter
 * (@whatwg-node/server): an `endResponse` with a response stops the later request hooks, and a
 * `setRequest`, `setRequestHandler` or `setResponse` is seen by the later ones.
 *
 * Why: the adapter runs each hook through promise-helpers' `iterateAsync`, which allocates about
 * fifteen objects per hook per request (closures and fake promises) even when the hook returns
 * nothing, and the gateway has some twenty of them. Here they run in a plain loop, synchronously
 * while they answer synchronously; a hook that returns a promise has the rest wait for it. Every
 * other hook stays on its plugin, in place: hooks of one kind run in plugin order, and the merged
 * ones are the first of the gateway's, as they were.
 */
export function mergeServerHooks(plugins: readonly YogaPlugin[]): YogaPlugin[] {
  const hooksOf = (plugin: YogaPlugin): Pick<Plugin, 'onRequest' | 'onResponse'> => plugin;
  const requestHooks = plugins.flatMap((plugin) => hooksOf(plugin).onRequest ?? []);
  const responseHooks = plugins.flatMap((plugin) => hooksOf(plugin).onResponse ?? []);
  const rest = plugins.map((plugin) => {
    const { onRequest, onResponse, ...others } = plugin as Plugin;
    return onRequest || onResponse ? others : plugin;
  });
  const merged: Plugin = {};
  if (requestHooks.length > 0) merged.onRequest = (payload) => runRequestHooks(requestHooks, payload);
  if (responseHooks.length > 0) merged.onResponse = (payload) => runResponseHooks(responseHooks, payload);
  return [merged, ...rest];
}

function runRequestHooks(hooks: readonly RequestHook[], outer: RequestPayload): ReturnType<RequestHook> {
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
  const from = (index: number): ReturnType<RequestHook> => {
    for (let at = index; at < hooks.length && !ended; at++) {
      const result = hooks[at]!(payload);
      if (isPromise(result)) return result.then(() => from(at + 1));
    }
  };
  return from(0);
}

function runResponseHooks(hooks: readonly ResponseHook[], outer: ResponsePayload): ReturnType<ResponseHook> {
  const payload: ResponsePayload = {
    ...outer,
    setResponse(response) {
      payload.response = response;
      outer.setResponse(response);
    },
  };
  const from = (index: number): ReturnType<ResponseHook> => {
    for (let at = index; at < hooks.length; at++) {
      const result = hooks[at]!(payload);
      if (isPromise(result)) return result.then(() => from(at + 1));
    }
  };
  return from(0);
}
