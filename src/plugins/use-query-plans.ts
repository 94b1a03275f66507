import type { ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { QueryPlanner } from '../execution/create-query-planner.ts';

/**
 * Executes the queries the federation query planner covers with their cached plan, and hands
 * every other operation to stitching's execution unchanged. It sees the document the plugins
 * before it left (fields cut by authorization and rate limits are gone).
 */
export function useQueryPlans(planner: QueryPlanner): Plugin {
  return {
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn((args: ExecutionArgs) => planner.execute(args) ?? executeFn(args));
    },
  };
}
