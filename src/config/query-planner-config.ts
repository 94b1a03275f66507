import { isPlainObject } from './config-checker.ts';
import type { FeatureContext } from './feature-options.ts';

/** Options of Concierge's query planner, when `queryPlanner` is an object (which turns it on). */
export interface QueryPlannerConfig {
  /**
   * Show trusted callers how their operation was executed, as Apollo Router's `expose_query_plan`
   * does: a request whose consumer was granted `scope` (a JWT scope, or a declared consumer's
   * `scopes`) and that sends the header `concierge-expose-query-plan: true` gets
   * `extensions.queryPlan`: `{ id, text }` (the plan's id, as the access log's `queryPlanId`, and
   * the plan as `concierge plan` prints it), or `{ fallback: reason }` when stitching executed the
   * operation. The header of any other caller is ignored. An answer from the response cache was not
   * planned and has none. Off when unset.
   * @example { scope: 'debug:plan' }
   */
  exposePlan?: ExposePlanConfig;
}

/** Who may see query plans in `extensions`. */
export interface ExposePlanConfig {
  /**
   * The scope a consumer needs: one scope, no spaces.
   * @example 'debug:plan'
   */
  scope: string;
}

/** The query planner's options, checked; `queryPlanner: true` is `{}`. */
export interface NormalizedQueryPlanner {
  /** Who may see plans; `undefined`: nobody. */
  exposePlan?: ExposePlanConfig;
}

/** Checks `config.queryPlanner`: `false` (every operation through stitching), `true` or an object. */
export function normalizeQueryPlannerOptions(value: unknown, { check }: FeatureContext): false | NormalizedQueryPlanner {
  if (value === undefined || value === true) return {};
  if (value === false) return false;
  if (!isPlainObject(value)) {
    check.fail('config.queryPlanner', 'true, false or an object such as { exposePlan: { scope: "debug:plan" } }', value);
    return false;
  }
  check.knownKeys('config.queryPlanner', value, ['exposePlan']);
  const exposePlan = value['exposePlan'];
  if (exposePlan === undefined) return {};
  if (!isPlainObject(exposePlan)) {
    check.fail('config.queryPlanner.exposePlan', 'an object naming the scope that may see plans, such as { scope: "debug:plan" }', exposePlan);
    return {};
  }
  check.knownKeys('config.queryPlanner.exposePlan', exposePlan, ['scope']);
  const scope = exposePlan['scope'];
  if (typeof scope !== 'string' || !/^\S+$/.test(scope)) {
    check.fail('config.queryPlanner.exposePlan.scope', 'one scope (a non-empty string without spaces), such as "debug:plan"', scope);
    return {};
  }
  return { exposePlan: { scope } };
}
