import type { Plugin } from 'graphql-yoga';
import { clientOf } from './client-of.ts';

/** The request of a hook's payload, wherever that hook carries it. */
function requestOf(payload: Record<string, unknown>): Request | undefined {
  const context = (payload['context'] ?? (payload['args'] as { contextValue?: unknown } | undefined)?.contextValue) as { request?: Request } | undefined;
  return (payload['request'] as Request | undefined) ?? context?.request;
}

const hooks = ['onRequestParse', 'onParams', 'onValidate', 'onExecute', 'onResultProcess'] as const;

/**
 * One plugin per profile in one place of the list: each request runs the plugin of its profile
 * when the profile has its own (its trusted documents, its limits), else the gateway's. The same
 * hooks run in the same place, so a profile's plugin behaves exactly as the gateway's would.
 */
export function usePerClient(gateway: Plugin, byProfile: ReadonlyMap<string, Plugin>): Plugin {
  if (byProfile.size === 0) return gateway;
  const pick = (payload: Record<string, unknown>): Plugin => {
    const request = requestOf(payload);
    const client = request && clientOf(request);
    return (client && byProfile.get(client.profile.name)) ?? gateway;
  };
  const plugin: Record<string, unknown> = {};
  for (const hook of hooks) {
    if (![gateway, ...byProfile.values()].some((candidate) => candidate[hook])) continue;
    plugin[hook] = (payload: Record<string, unknown>) => (pick(payload)[hook] as ((payload: unknown) => unknown) | undefined)?.(payload);
  }
  return plugin as Plugin;
}
