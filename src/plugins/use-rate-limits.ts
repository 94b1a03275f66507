import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { systemClock, type Clock } from '../clock.ts';
import { errorCodes } from '../errors.ts';
import { operationCostOf } from '../limits/operation-cost.ts';
import { callerIdentity } from '../rate-limits/caller-identity.ts';
import { collectFieldLimits } from '../rate-limits/collect-field-limits.ts';
import { createMemoryRateLimitStore } from '../rate-limits/memory-rate-limit-store.ts';
import type { Hit, HitResult, RateLimitStore } from '../rate-limits/rate-limit-store.ts';
import type { NormalizedPlanLimits, NormalizedRateLimits } from '../rate-limits/rate-limits-config.ts';
import { createRedisRateLimitStore } from '../rate-limits/redis-rate-limit-store.ts';
import { createOutageLog } from '../redis/outage-log.ts';
import { silentDiagnostics, type Diagnostics } from '../observability/gateway-logger.ts';
import type { NormalizedRedis } from '../redis/redis-config.ts';
import { applyDenials } from '../security/apply-denials.ts';
import { restrictDocument, type Decide, type MayRestrict, type RestrictedDocument } from '../security/restrict-document.ts';
import type { LoadedSource } from '../sources/loaded-source.ts';
import { isPromise, type MaybePromise } from '../maybe-promise.ts';
import { ObjectSlot } from '../object-slot.ts';

/** The request budget's state, for the RateLimit-* response headers. */
export interface Budget {
  limit: number;
  result: HitResult;
}

/**
 * Rate limits. Per plan: requests per window (checked once per operation) and summed static cost
 * per window (checked before execution); either refuses the whole operation with 429
 * `RATE_LIMITED`, `Retry-After` and `RateLimit-*` headers. Per field (`@rateLimit` or config): a
 * field over its limit is cut from the document before any service is called, and answers `null`
 * with `RATE_LIMITED` on its path, while the rest of the operation runs. When the store fails,
 * `onStoreFailure` decides: `'open'` lets the check pass; `'closed'` answers as the limit would, with
 * `SERVICE_UNAVAILABLE` instead: a plan budget refuses the whole operation with 503, a field limit
 * cuts its field. Either way the outage is logged when it starts and when it ends, with the number
 * of checks decided without the store.
 */
export async function useRateLimits(
  limits: NormalizedRateLimits,
  redis: NormalizedRedis | undefined,
  sources: readonly LoadedSource[],
  shared?: RateLimitStoreUse,
): Promise<Plugin & { close(): Promise<void> }> {
  const fieldLimits = collectFieldLimits(sources, limits.fields);
  // graphql-rate-limit (with graphql-shield, lodash and yup under it: some 300 files) loads only when a field has a limit.
  const { getFieldIdentity } = fieldLimits.size > 0 ? await import('graphql-rate-limit') : { getFieldIdentity: noFieldLimit };
  // One filter for every request, so that restrictDocument remembers what it said of each document.
  const limited: MayRestrict = (type, field) => fieldLimits.has(`${type.name}.${field.name}`);
  const { store, outage, close } = shared ? { ...shared, close: async () => {} } : await openRateLimitStore(limits, redis);
  const budgets = new ObjectSlot<Request, Budget>('rate-limit budget');
  const planOf = (name: string): NormalizedPlanLimits | undefined => limits.plans.get(name) ?? limits.plans.get('default');
  const attempt = (kind: 'sliding' | 'fixed', hit: Hit) => attemptHit({ store, outage }, limits.onStoreFailure, kind, hit);

  type ExecuteHook = NonNullable<Plugin['onExecute']>;
  // The counters are asked when a budget or a field limit applies: the hooks are synchronous otherwise, since a promise makes
  // Yoga and envelop chain every later hook.
  return {
    onParams({ request, setResult }) {
      const planned = planRequestBudget(limits, request);
      if (!planned) return;
      return countRequest({ store, outage }, limits.onStoreFailure, planned.key, planned.budget).then((counted) => {
        if (counted.budget) budgets.set(request, counted.budget);
        if (counted.refusal) setResult({ errors: [counted.refusal] });
      });
    },
    onExecute({ args, setResultAndStopExecution }) {
      const { key, plan } = callerIdentity((args.contextValue as { request: Request }).request);
      const budget = planOf(plan)?.cost;
      const cost = operationCostOf(args.contextValue as object);
      if (budget && cost !== undefined && cost > 0) return chargeCost(args, setResultAndStopExecution, key, budget, cost);
      return limitFields(args, key);
    },
    onResponse({ request, response }) {
      const budget = budgets.get(request);
      if (!budget) return;
      for (const [name, value] of Object.entries(rateLimitHeaders(budget))) response.headers.set(name, value);
    },
    close,
  };

  type ExecuteArgs = Parameters<ExecuteHook>[0]['args'];
  type ExecuteHookResult = Awaited<ReturnType<ExecuteHook>>;

  /** The operation's cost charged to the caller's budget: refused when over it, else on to the field limits. */
  async function chargeCost(
    args: ExecuteArgs,
    setResultAndStopExecution: Parameters<ExecuteHook>[0]['setResultAndStopExecution'],
    key: string,
    budget: NonNullable<NormalizedPlanLimits['cost']>,
    cost: number,
  ): Promise<ExecuteHookResult> {
    const verdict = await attempt('fixed', { key: `cost:${key}`, windowMs: budget.windowMs, max: budget.max, weight: cost, record: 'allowed' });
    if (verdict === 'unavailable') return setResultAndStopExecution({ errors: [unavailable()] });
    if (verdict && !verdict.allowed)
      return setResultAndStopExecution({
        errors: [tooMany(`Cost limit of ${budget.max} per ${seconds(budget.windowMs)} s reached: this operation costs ${cost}.`, budget.max, verdict)],
      });
    return limitFields(args, key);
  }

  /** Fields over their limit cut from the document, answered null with an error: synchronous when the document selects none that has one. */
  function limitFields(args: ExecuteArgs, key: string): MaybePromise<ExecuteHookResult> {
    if (fieldLimits.size === 0) return;
    const decide: Decide = async ({ coordinate, field, args: values }) => {
      const limit = fieldLimits.get(coordinate);
      if (!limit) return undefined;
      const listLength = limit.arrayLengthField ? (values[limit.arrayLengthField] as unknown[] | undefined)?.length : undefined;
      const verdict = await attempt('sliding', {
        key: `field:${coordinate}:${getFieldIdentity(field.name, limit.identityArgs, values)}:${key}`,
        windowMs: limit.windowMs,
        max: limit.max,
        weight: listLength || 1,
        record: limit.readOnly ? 'never' : limit.uncountRejected ? 'allowed' : 'always',
      });
      if (verdict === 'unavailable') return { code: 'SERVICE_UNAVAILABLE', message: `Rate limits cannot be checked right now, so ${coordinate} is refused.` };
      if (!verdict || verdict.allowed) return undefined;
      return { code: 'RATE_LIMITED', message: limit.message ?? `You are trying to access '${field.name}' too often` };
    };
    const apply = (restricted: RestrictedDocument | undefined): ExecuteHookResult => {
      if (!restricted) return;
      args.document = restricted.document;
      return {
        onExecuteDone({ result, setResult }) {
          if ('data' in result) setResult(applyDenials(result, restricted.denials));
        },
      };
    };
    const restricted = restrictDocument(args.schema, args.document, args.operationName, decide, args.variableValues ?? {}, limited);
    return isPromise(restricted) ? restricted.then(apply) : apply(restricted);
  }
}

/** The counters' store and its outage log: opened once per gateway and shared by every graph version's plugin. */
export interface RateLimitStoreUse {
  store: RateLimitStore;
  outage: ReturnType<typeof createOutageLog>;
  close(): Promise<void>;
}

/**
 * Opens the counters' store: Redis with `store: 'redis'`, else memory, whose windows run on
 * `clock`. Redis's windows run on Redis's own clock (see redis-rate-limit-store.ts), so that
 * replicas agree.
 */
export async function openRateLimitStore(
  limits: NormalizedRateLimits,
  redis: NormalizedRedis | undefined,
  clock: Clock = systemClock,
  { logger, internalError }: Diagnostics = silentDiagnostics,
): Promise<RateLimitStoreUse> {
  const outage = createOutageLog({
    logger,
    count: () => internalError('rate_limit_store'),
    purpose: 'rate limits',
    ...storeFailurePolicies[limits.onStoreFailure],
  });
  let store: RateLimitStore = createMemoryRateLimitStore(clock);
  if (limits.store === 'redis' && redis) {
    // ioredis loads only for a Redis store.
    const { createRedisClient, waitUntilReady } = await import('../redis/create-redis-client.ts');
    const client = createRedisClient(redis, outage);
    await waitUntilReady(client, 2_000);
    store = createRedisRateLimitStore(client, redis.keyPrefix);
  }
  return { store, outage, close: () => store.close() };
}

/** What each failure policy does, as the outage log says it. */
const storeFailurePolicies = {
  open: { policy: "limited requests pass unchecked (rateLimits.onStoreFailure: 'open')", consequence: 'rate-limit checks let through unchecked' },
  closed: {
    policy: "plan budgets refuse operations with 503 and limited fields answer null, with SERVICE_UNAVAILABLE (rateLimits.onStoreFailure: 'closed')",
    consequence: 'rate-limit checks answered SERVICE_UNAVAILABLE',
  },
} as const;

/** A store verdict, or `undefined` when the store failed and the policy lets the request through. */
async function attemptHit(
  { store, outage }: Pick<RateLimitStoreUse, 'store' | 'outage'>,
  onStoreFailure: NormalizedRateLimits['onStoreFailure'],
  kind: 'sliding' | 'fixed',
  hit: Hit,
): Promise<HitResult | 'unavailable' | undefined> {
  try {
    const verdict = await store[kind](hit);
    outage.answered();
    return verdict;
  } catch (error) {
    outage.failedCommand((error as Error).message);
    return onStoreFailure === 'closed' ? 'unavailable' : undefined;
  }
}

/** One request counted against a budget: its state for the RateLimit-* headers, and the refusal when over it (or when the store failed closed). */
export interface CountedRequest {
  budget?: Budget;
  refusal?: GraphQLError;
}

/**
 * Counts one request against a request budget (a plan's `requests`, a route's `rateLimit`) under
 * `key`, in a fixed window; refused attempts count too. Over the budget: 429 `RATE_LIMITED` with
 * `Retry-After`; with the store down and `onStoreFailure: 'closed'`: 503 `SERVICE_UNAVAILABLE`.
 */
export async function countRequest(
  use: Pick<RateLimitStoreUse, 'store' | 'outage'>,
  onStoreFailure: NormalizedRateLimits['onStoreFailure'],
  key: string,
  budget: { max: number; windowMs: number },
): Promise<CountedRequest> {
  const verdict = await attemptHit(use, onStoreFailure, 'fixed', { key, windowMs: budget.windowMs, max: budget.max, weight: 1, record: 'always' });
  if (verdict === 'unavailable') return { refusal: unavailable() };
  if (!verdict) return {};
  const counted = { limit: budget.max, result: verdict };
  return verdict.allowed
    ? { budget: counted }
    : { budget: counted, refusal: tooMany(`Request limit of ${budget.max} per ${seconds(budget.windowMs)} s reached.`, budget.max, verdict) };
}

/** The plan of a caller's requests: its request budget and counter key, when its plan has one. */
export function planRequestBudget(limits: NormalizedRateLimits, request: Request): { key: string; budget: { max: number; windowMs: number } } | undefined {
  const { key, plan } = callerIdentity(request);
  const budget = (limits.plans.get(plan) ?? limits.plans.get('default'))?.requests;
  return budget && { key: `req:${key}`, budget };
}

/** The `RateLimit-Limit`, `-Remaining` and `-Reset` headers of a budget's state. */
export function rateLimitHeaders(budget: Budget): Record<string, string> {
  return {
    'ratelimit-limit': String(budget.limit),
    'ratelimit-remaining': String(Math.max(0, budget.limit - budget.result.used)),
    'ratelimit-reset': String(seconds(budget.result.resetMs)),
  };
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

function tooMany(message: string, limit: number, verdict: HitResult): GraphQLError {
  const reset = String(seconds(verdict.resetMs));
  return new GraphQLError(message, {
    extensions: {
      code: 'RATE_LIMITED',
      http: {
        status: errorCodes.RATE_LIMITED,
        headers: { 'retry-after': reset, 'ratelimit-limit': String(limit), 'ratelimit-remaining': '0', 'ratelimit-reset': reset },
      },
    },
  });
}

function unavailable(): GraphQLError {
  return new GraphQLError('Rate limits cannot be checked right now; try again shortly.', {
    extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: errorCodes.SERVICE_UNAVAILABLE, headers: { 'retry-after': '1' } } },
  });
}

/** Stands for graphql-rate-limit's `getFieldIdentity` where no field has a limit: never called there. */
function noFieldLimit(): never {
  throw new Error('getFieldIdentity called with no field limit configured');
}
