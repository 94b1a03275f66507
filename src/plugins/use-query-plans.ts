import type { ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { QueryPlanner } from '../execution/create-query-planner.ts';

/** How a request's operation was executed: by its query plan, or by stitching (what the planner does not cover) and why. */
export type Execution = { path: 'plan' } | { path: 'stitching'; reason: string };

const executions = new WeakMap<Request, Execution>();

/** How a request's operation was executed, for the access log and metrics; `undefined` when it was not executed (a refusal, a cache hit) or there is no planner. */
export function executionOf(request: Request): Execution | undefined {
  return executions.get(request);
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
        if (request) executions.set(request, 'reason' in planned ? { path: 'stitching', reason: planned.reason } : { path: 'plan' });
        return 'reason' in planned ? executeFn(args) : planned;
      });
    },
  };
}
