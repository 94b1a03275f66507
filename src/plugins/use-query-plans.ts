import type { ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { QueryPlanner } from '../execution/create-query-planner.ts';

/** How an operation was executed: by its query plan, or by stitching (what the planner does not cover). */
export type ExecutionPath = 'plan' | 'stitching';

const executionPaths = new WeakMap<Request, ExecutionPath>();

/** How a request's operation was executed, for the access log; `undefined` when it was not executed (a refusal, a cache hit) or there is no planner. */
export function executionPathOf(request: Request): ExecutionPath | undefined {
  return executionPaths.get(request);
}

/**
 * Executes the operations the query planner covers with their cached plan, and hands
 * every other operation to stitching's execution unchanged. It sees the document the plugins
 * before it left (fields cut by authorization and rate limits are gone).
 */
export function useQueryPlans(planner: QueryPlanner): Plugin {
  return {
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn((args: ExecutionArgs) => {
        const planned = planner.execute(args);
        const request = (args.contextValue as { request?: Request } | undefined)?.request;
        if (request) executionPaths.set(request, planned ? 'plan' : 'stitching');
        return planned ?? executeFn(args);
      });
    },
  };
}
