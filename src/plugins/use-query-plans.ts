import { isAsyncIterable } from '@graphql-tools/utils';
import type { ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { consumerOf } from '../auth/consumer.ts';
import type { NormalizedQueryPlanner } from '../config/query-planner-config.ts';
import type { QueryPlan, QueryPlanner } from '../execution/create-query-planner.ts';
import { printPlan } from '../execution/print-plan.ts';
import { ObjectSlot } from '../object-slot.ts';

/** How a request's operation was executed: by its query plan (its id), or by stitching (what the planner does not cover) and why. */
export type Execution = { path: 'plan'; planId: string } | { path: 'stitching'; reason: string };

/** What `extensions.queryPlan` holds for a caller allowed to see it: the plan's id and text, or why stitching executed the operation. */
export type ExposedPlan = { id: string; text: string } | { fallback: string };

/** The request header that asks for {@link ExposedPlan} (`true`); ignored unless the consumer has the configured scope. */
export const exposePlanHeader = 'concierge-expose-query-plan';

const executions = new ObjectSlot<Request, Execution>('plan execution');

/** How a request's operation was executed, for the access log and metrics; `undefined` when it was not executed (a refusal, a cache hit) or there is no planner. */
export function executionOf(request: Request): Execution | undefined {
  return executions.get(request);
}

/**
 * Executes the operations the query planner covers with their cached plan, and hands
 * every other operation to stitching's execution unchanged. It sees the document the plugins
 * before it left (fields cut by authorization and rate limits are gone). With `exposePlan`, a
 * caller with its scope who sends {@link exposePlanHeader} gets the plan in `extensions.queryPlan`.
 *
 * The plan joins the result in `onExecuteDone`, which envelop calls in plugin order: the response
 * cache, earlier in the list, has stored the result by then, so no stored answer carries a plan
 * another caller could be served. The answer is `Cache-Control: no-store` for the same reason.
 */
export function useQueryPlans(planner: QueryPlanner, options: NormalizedQueryPlanner | false = {}): Plugin {
  const scope = options ? options.exposePlan?.scope : undefined;
  const exposed = new WeakSet<Request>();
  const mayExpose = (request: Request | undefined): request is Request =>
    scope !== undefined &&
    request !== undefined &&
    request.headers.get(exposePlanHeader)?.trim().toLowerCase() === 'true' &&
    (consumerOf(request)?.scopes.includes(scope) ?? false);
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const request = (args.contextValue as { request?: Request } | undefined)?.request;
      let ran: { plan: QueryPlan } | { reason: string } | undefined;
      setExecuteFn((executed: ExecutionArgs) => {
        const planned = planner.execute(executed);
        ran = 'reason' in planned ? { reason: planned.reason } : { plan: planned.plan };
        if (request) executions.set(request, 'reason' in planned ? { path: 'stitching', reason: planned.reason } : { path: 'plan', planId: planned.plan.id });
        return 'reason' in planned ? executeFn(executed) : planned.result;
      });
      if (!mayExpose(request)) return;
      return {
        onExecuteDone({ result, setResult }) {
          if (!ran || isAsyncIterable(result)) return;
          const queryPlan: ExposedPlan = 'reason' in ran ? { fallback: ran.reason } : { id: ran.plan.id, text: printPlan(ran.plan) };
          exposed.add(request);
          setResult({ ...result, extensions: { ...result.extensions, queryPlan } });
        },
      };
    },
    onResponse({ request, response }) {
      if (exposed.has(request)) response.headers.set('cache-control', 'no-store');
    },
  };
}
