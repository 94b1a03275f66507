import { createBurstLog } from '../observability/burst-log.ts';
import { silentDiagnostics, type Diagnostics } from '../observability/gateway-logger.ts';
import { isAsyncIterable } from '@graphql-tools/utils';
import { getOperationAST, print, type DocumentNode, type ExecutionResult, type GraphQLSchema, type OperationTypeNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { consumerOf } from '../auth/consumer.ts';
import { clientOf } from '../clients/client-of.ts';
import { systemClock, type Clock } from '../clock.ts';
import { ConfigError } from '../config/config-error.ts';
import type { NormalizedRedis } from '../redis/redis-config.ts';
import { collectCacheHints } from '../response-cache/cache-hints.ts';
import { audienceOf, cacheKey } from '../response-cache/cache-key.ts';
import { computeCachePolicy, type CachePolicy, type CallerRules } from '../response-cache/cache-policy.ts';
import { takeEntities, withEntityFields } from '../response-cache/entity-fields.ts';
import { cachingHeaders, etagOf, matchesIfNoneMatch, type CacheOutcome } from '../response-cache/http-caching.ts';
import { createMemoryStore } from '../response-cache/memory-store.ts';
import { answerPurge } from '../response-cache/purge-endpoint.ts';
import type { NormalizedResponseCache } from '../response-cache/response-cache-config.ts';
import type { CachedResponse, ResponseStore } from '../response-cache/response-store.ts';
import { collectAuthorizationRules, type AuthorizationRules } from '../security/collect-authorization-rules.ts';
import type { LoadedSource } from '../sources/loaded-source.ts';
import { ObjectSlot } from '../object-slot.ts';

/** What is known of one document and operation before it runs. */
interface Plan {
  kind: OperationTypeNode;
  /** The document as the key sees it (printed, so spacing and comments do not matter). */
  printed: string;
  /** The document that runs: with the fields that say which entities the result holds. */
  executed: DocumentNode;
  policy: CachePolicy;
}

/**
 * Response cache: a query whose every field allows it (see `computeCachePolicy`) is answered from
 * the store when an entry for its key exists (`x-cache: HIT`), else executed and stored (`MISS`)
 * unless its result has errors; a mutation removes the entries holding the entities it returns.
 * Sets `Cache-Control`, `ETag` and `x-cache` on GraphQL responses and answers a matching
 * `If-None-Match` with 304. `POST <purge.path>` purges (see `answerPurge`).
 *
 * A query already running when a mutation invalidates its entities may still store what it read
 * before the change; its maxAge bounds how long that stays.
 *
 * `varyHeaders` are the request headers that reach services (the sources' `forwardHeaders`): their
 * values are part of the key, since a service may answer differently by them (`accept-language`).
 * `clock` dates the entries (`maxAge`, `Age`, the `ttl` of the extension metadata).
 */
export function useResponseCache(
  options: NormalizedResponseCache,
  redis: NormalizedRedis | undefined,
  sources: readonly LoadedSource[],
  varyHeaders: readonly string[] = [],
  shared?: ResponseStore,
  clock: Clock = systemClock,
  diagnostics: Diagnostics = silentDiagnostics,
): Plugin & { close(): Promise<void> } {
  if (!options.enabled) return { close: async () => {} };
  const storeKind = responseStoreKind(options, redis);
  const { hints, problems } = collectCacheHints(sources, options);
  if (storeKind === 'redis' && !redis) problems.unshift('config.responseCache.store: expected a top-level redis: { url } for the "redis" store, found none');
  if (problems.length > 0) throw new ConfigError(problems);
  const rules = callerRules(collectAuthorizationRules(sources));
  // The gateway opens the store once (openResponseStore) and shares it across graph versions; a Redis one is opened only there.
  const store = shared ?? (storeKind === 'memory' ? createMemoryStore(options.maxBytes, clock) : storeNotOpened());
  // An entity changed but its cached answers stay (until their maxAge): told once per burst, counted.
  const invalidation = createBurstLog({
    logger: diagnostics.logger,
    subject: 'response cache invalidation',
    count: () => diagnostics.internalError('response_cache_invalidation'),
    clock,
  });
  const { defaultMaxAge, includeExtensionMetadata, purge } = options;
  const outcomes = new ObjectSlot<Request, CacheOutcome>('response cache outcome');
  const batched = new WeakSet<Request>();
  const plans = new WeakMap<DocumentNode, Map<string, Plan | undefined>>();

  const planFor = (schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): Plan | undefined => {
    let byName = plans.get(document);
    if (!byName) plans.set(document, (byName = new Map()));
    const name = operationName ?? '';
    if (!byName.has(name)) {
      const operation = getOperationAST(document, operationName);
      const policy = computeCachePolicy(schema, document, operationName, hints, defaultMaxAge, rules);
      const used = operation?.operation === 'mutation' || (operation?.operation === 'query' && policy.maxAge > 0);
      byName.set(
        name,
        operation
          ? { kind: operation.operation, policy, printed: used ? print(document) : '', executed: used ? withEntityFields(schema, document) : document }
          : undefined,
      );
    }
    return byName.get(name);
  };
  const answer = (entry: CachedResponse, hit: boolean): ExecutionResult => {
    const result = JSON.parse(entry.body) as ExecutionResult;
    if (!includeExtensionMetadata) return result;
    const ttl = Math.max(0, entry.maxAge - Math.floor((clock.now() - entry.storedAt) / 1000));
    return { ...result, extensions: { ...result.extensions, responseCache: { hit, ttl } } };
  };

  return {
    // Synchronous but for a purge: a promise here makes Yoga chain every later hook.
    onRequest({ request, url, endResponse }) {
      if (url.pathname === purge.path) return answerPurge(request, store, purge.scope).then(endResponse);
    },
    onRequestParse({ request }) {
      return {
        onRequestParseDone({ requestParserResult }) {
          outcomes.set(request, { status: 'BYPASS' });
          if (Array.isArray(requestParserResult)) batched.add(request);
        },
      };
    },
    // Synchronous until the store is asked (a cacheable query): a promise here makes envelop chain every later hook.
    onExecute({ args, setResultAndStopExecution }) {
      const { request } = args.contextValue as { request: Request };
      const plan = planFor(args.schema, args.document, args.operationName);
      if (plan?.kind === 'mutation') {
        args.document = plan.executed;
        return {
          async onExecuteDone({ result }) {
            if (isAsyncIterable(result)) return;
            const { entities } = takeEntities(args.schema, result.data);
            if (entities.size > 0) {
              await store.invalidate([...entities]).then(
                () => invalidation.succeeded(),
                (error: Error) => invalidation.failed(`${error.message}; answers cached with the changed entities stay until their maxAge`),
              );
            }
          },
        };
      }
      if (plan?.kind !== 'query' || plan.policy.maxAge <= 0 || batched.has(request)) return;
      const audience = audienceOf(plan.policy, consumerOf(request));
      if (audience === undefined) return;
      // A client profile's view (its computed fields, its hidden types) shapes the answer: entries are kept per profile.
      const profile = clientOf(request)?.profile.name;
      const headers = [...varyHeaders.map((name) => request.headers.get(name) ?? ''), ...(profile === undefined ? [] : [`client:${profile}`])];
      const key = cacheKey({ document: plan.printed, operationName: args.operationName, variables: args.variableValues, audience, headers });
      const etag = (entry: CachedResponse) => (includeExtensionMetadata ? `W/${entry.etag}` : entry.etag);
      const shared = audience === 'public';
      const { maxAge, scope } = plan.policy;
      return store.get(key).then((cached) => {
        if (cached) {
          outcomes.set(request, { status: 'HIT', entry: cached, etag: etag(cached), shared });
          return setResultAndStopExecution(answer(cached, true));
        }
        args.document = plan.executed;
        return {
          async onExecuteDone({ result, setResult }) {
            if (isAsyncIterable(result)) return;
            const { entities, types } = takeEntities(args.schema, result.data);
            if (result.errors?.length || !result.data) return;
            const body = JSON.stringify(result);
            const entry: CachedResponse = { body, etag: etagOf(body), scope, maxAge, storedAt: clock.now() };
            await store.set(key, { ...entry, entities: [...entities], types: [...types] }, maxAge * 1000);
            outcomes.set(request, { status: 'MISS', entry, etag: etag(entry), shared });
            if (includeExtensionMetadata) setResult(answer(entry, false));
          },
        };
      });
    },
    onResponse({ request, response, setResponse }) {
      const outcome = outcomes.get(request);
      if (!outcome) return;
      const headers = cachingHeaders(outcome, clock.now());
      if (outcome.status !== 'BYPASS' && response.status === 200 && matchesIfNoneMatch(request.headers.get('if-none-match'), outcome.etag)) {
        const kept = new Headers(response.headers);
        for (const name of ['content-length', 'content-encoding', 'transfer-encoding']) kept.delete(name);
        for (const [name, value] of Object.entries(headers)) kept.set(name, value);
        return setResponse(new Response(null, { status: 304, headers: kept }));
      }
      for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    },
    close: () => (shared ? Promise.resolve() : store.close()),
  };
}

/**
 * The cache's store (Redis, or memory bounded by `maxBytes`), its entries expiring on `clock`:
 * opened once per gateway and shared by every graph version's plugin. ioredis loads only for a
 * Redis store.
 */
export async function openResponseStore(
  options: NormalizedResponseCache,
  redis: NormalizedRedis | undefined,
  clock: Clock = systemClock,
  diagnostics: Diagnostics = silentDiagnostics,
): Promise<ResponseStore> {
  // A "redis" store without a redis connection is refused by useResponseCache as a config error.
  if (responseStoreKind(options, redis) !== 'redis' || !redis) return createMemoryStore(options.maxBytes, clock);
  return (await import('../response-cache/redis-store.ts')).createRedisStore(redis, clock, diagnostics);
}

/** The store the cache uses: the configured one, else Redis when the gateway has a redis connection. */
function responseStoreKind(options: NormalizedResponseCache, redis: NormalizedRedis | undefined): 'redis' | 'memory' {
  return options.store ?? (redis ? 'redis' : 'memory');
}

function storeNotOpened(): never {
  throw new Error('useResponseCache: a Redis store is opened by openResponseStore and passed in as `shared`');
}

function callerRules({ fields, types }: AuthorizationRules): CallerRules {
  const requirements = (coordinate: string, typeName: string) => [fields.get(coordinate), types.get(typeName)];
  return {
    byStanding: (coordinate, type) => requirements(coordinate, type.name).some((rule) => rule !== undefined && (rule.authenticated || rule.scopes.length > 0)),
    byPolicy: (coordinate, type) => requirements(coordinate, type.name).some((rule) => rule !== undefined && rule.policies.length > 0),
  };
}
