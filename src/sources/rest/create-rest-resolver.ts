import { getNullableType, isListType, isNonNullType, type GraphQLFieldResolver, type GraphQLOutputType } from 'graphql';
import { gatewayError } from '../../errors.ts';
import { sendWithUpstreamHeaders, type RequestContext } from '../../transport/upstream-headers.ts';
import type { HttpClient, UpstreamRequest, UpstreamResponse } from '../../transport/http-client.ts';
import type { RestMapping } from './read-rest-mappings.ts';
import { upstreamStatusError } from './upstream-status-error.ts';
import { BatchGroup, type KeyGroup } from './batch-group.ts';
import { isPromise } from '../../maybe-promise.ts';
import type { ObjectSlot } from '../../object-slot.ts';
import { infoFree } from './execute-in-process.ts';
import { batchMark, readPath, type TemplateValues } from './url-template.ts';

type HttpMapping = Extract<RestMapping, { kind: 'http' }>;

/** What a REST source's resolvers share. */
export interface RestSourceRuntime {
  service: string;
  client: HttpClient;
  forwardHeaders: readonly string[];
  maxBatchSize: number;
  /** Per-request state of the whole source (all its fields share loaders), by request context. */
  requestStates: ObjectSlot<object, RequestState>;
}

/**
 * Per-request state, keyed by the request's context so it dies with it: batch groups by grouping
 * key, and the promises of GET calls by path, so identical calls within a request go out once.
 */
export interface RequestState {
  batches: Map<string, BatchGroup>;
  gets: Map<string, Promise<UpstreamResponse>>;
}

/**
 * The resolver of one mapped field, whose type is `returnType`. It reads nothing of its resolve
 * info, and says so (see {@link infoFree}): the in-process executor then builds none for it.
 */
export function createRestResolver(mapping: RestMapping, runtime: RestSourceRuntime, returnType: GraphQLOutputType): GraphQLFieldResolver<unknown, unknown> {
  return infoFree(resolverOf(mapping, runtime, returnType));
}

function resolverOf(mapping: RestMapping, runtime: RestSourceRuntime, returnType: GraphQLOutputType): GraphQLFieldResolver<unknown, unknown> {
  const stateOf = (context: RequestContext | undefined): RequestState => {
    const fresh = (): RequestState => ({ batches: new Map(), gets: new Map() });
    if (!context) return fresh();
    let state = runtime.requestStates.get(context);
    if (!state) runtime.requestStates.set(context, (state = fresh()));
    return state;
  };

  switch (mapping.kind) {
    case 'ref':
      return (parent) => toReference(readPath(parent, mapping.from), mapping.key);
    case 'stub':
      return (_parent, args) => (args[mapping.argument] as unknown[]).map((key) => ({ [mapping.keyField]: key }));
    case 'http':
      return (parent, args, rawContext) => {
        const values: TemplateValues = { args, parent };
        const context = rawContext as RequestContext | undefined;
        return mapping.batch
          ? resolveBatched(mapping, values, stateOf(context), context, runtime, returnType)
          : resolveSingle(mapping, values, stateOf(context), context, runtime, returnType);
      };
  }
}

function toReference(value: unknown, key: string): unknown {
  if (value === null || value === undefined) return null;
  if (!Array.isArray(value)) return { [key]: value };
  const references: unknown[] = new Array(value.length);
  for (let index = 0; index < value.length; index++) references[index] = toReference(value[index], key);
  return references;
}

async function resolveSingle(
  mapping: HttpMapping,
  values: TemplateValues,
  state: RequestState,
  context: RequestContext | undefined,
  runtime: RestSourceRuntime,
  returnType: GraphQLOutputType,
): Promise<unknown> {
  const path = mapping.template.fill(values);
  if (path === null) return null;
  // The call goes out in this turn when the identity headers are at hand (the usual case), as a batch's does.
  const sendWith = (headers: Record<string, string>) => {
    const call = upstreamCall(mapping.method, path, headers, context);
    if (mapping.body) call.body = JSON.stringify(readPath(values.args, mapping.body.path) ?? null);
    return runtime.client.request(call);
  };
  const send = () => sendWithUpstreamHeaders(context, runtime.service, runtime.forwardHeaders, sendWith, undefined);
  let response: Promise<UpstreamResponse>;
  if (mapping.method === 'GET') {
    response = state.gets.get(path) ?? send();
    state.gets.set(path, response);
  } else {
    response = send();
  }
  const { status, body } = await response;
  if (status >= 200 && status < 300) return body === undefined ? null : readPath(body, mapping.select);
  if (status === 404 && !isNonNullType(returnType)) return null;
  throw upstreamStatusError(runtime.service, status, body);
}

/**
 * A batched field's value, from its group's call (see {@link BatchGroup}): a list of keys (`ids:
 * [ID!]!`) gives one item or null per key, a failed call's keys each their error; a single key
 * gives its items (a list field) or its first item. Synchronous when every key was answered already.
 */
function resolveBatched(
  mapping: HttpMapping,
  values: TemplateValues,
  state: RequestState,
  context: RequestContext | undefined,
  runtime: RestSourceRuntime,
  returnType: GraphQLOutputType,
): unknown {
  const { by } = mapping.batch!;
  const keys = by.from === 'args' ? readPath(values.args, by.path) : readPath(values.parent, by.path);
  if (keys === null || keys === undefined) return null;
  const groupKey = groupKeyOf(mapping, values);
  let batch = state.batches.get(groupKey);
  if (!batch) {
    batch = new BatchGroup((batched) => loadBatch(mapping, values, batched, context, runtime), runtime.maxBatchSize);
    state.batches.set(groupKey, batch);
  }
  if (Array.isArray(keys)) {
    const groups = batch.groups(keys.map(String));
    return isPromise(groups) ? groups.then(firstItems) : firstItems(groups);
  }
  const groups = batch.groups([String(keys)]);
  const list = isListType(getNullableType(returnType));
  return isPromise(groups) ? itemsLater(groups, list) : itemsOf(groups[0] as KeyGroup, list);
}

/** {@link itemsOf} once the call is answered (a function of its own, so that resolving allocates no closure when answered already). */
function itemsLater(groups: Promise<KeyGroup[]>, list: boolean): Promise<unknown> {
  return groups.then((settled) => itemsOf(settled[0] as KeyGroup, list));
}

/** One item per key (its first, or null), or the key's failure. */
function firstItems(groups: KeyGroup[]): unknown[] {
  const items: unknown[] = new Array(groups.length);
  for (let index = 0; index < groups.length; index++) {
    const group = groups[index] as KeyGroup;
    items[index] = group instanceof Error ? group : (group[0] ?? null);
  }
  return items;
}

/** A single key's value: its items for a list field, else its first item or null; its call's failure is thrown. */
function itemsOf(group: KeyGroup, list: boolean): unknown {
  if (group instanceof Error) throw group;
  return list ? group : (group[0] ?? null);
}

/** Per batched mapping whose template reads nothing but the batched keys: its one group key. */
const constantGroupKeys = new WeakMap<HttpMapping, string>();

/**
 * The loader group of a batched field's call: the calls of a request that differ only in their
 * batched keys share one loader, so one upstream call. A template that reads nothing else has one
 * group, whatever the object (the usual `/payments?orderIds={parent.id}`): its key is made once.
 */
function groupKeyOf(mapping: HttpMapping, values: TemplateValues): string {
  const known = constantGroupKeys.get(mapping);
  if (known !== undefined) return known;
  const { key: itemKey, by } = mapping.batch!;
  const key = `${mapping.method} ${mapping.template.fill(values, new Map([[by.text, batchMark]]))} ${mapping.select.join('.')} ${itemKey}`;
  if (mapping.template.placeholders.every((placeholder) => placeholder.text === by.text)) constantGroupKeys.set(mapping, key);
  return key;
}

/** One call to a batch endpoint for all keys of a window: each key's items, in key order (see {@link groupedByKey}). */
function loadBatch(
  mapping: HttpMapping,
  values: TemplateValues,
  keys: readonly string[],
  context: RequestContext | undefined,
  runtime: RestSourceRuntime,
): Promise<unknown[][]> {
  let path: string | null;
  try {
    path = mapping.template.fill(values, new Map([[mapping.batch!.by.text, keys]]));
  } catch (error) {
    return Promise.reject(error);
  }
  if (path === null) return Promise.resolve(keys.map(() => []));
  // Not an async function: with the identity headers at hand (the usual case), the call costs the
  // client's promise and one `then`.
  return sendWithUpstreamHeaders(
    context,
    runtime.service,
    runtime.forwardHeaders,
    (headers, at: string) => runtime.client.request(upstreamCall('GET', at, headers, context)),
    path,
  ).then((response) => groupedByKey(mapping, keys, runtime, response));
}

/**
 * A batch endpoint's answer as each key's items, in key order: grouped by their key field, a key
 * with no item getting an empty group (null or []), so one missing key never fails the others.
 */
function groupedByKey(mapping: HttpMapping, keys: readonly string[], runtime: RestSourceRuntime, { status, body }: UpstreamResponse): unknown[][] {
  const itemKey = mapping.batch!.key;
  if (status === 404) return keys.map(() => []);
  if (status < 200 || status >= 300) throw upstreamStatusError(runtime.service, status, body);
  const items = readPath(body, mapping.select);
  if (!Array.isArray(items)) {
    throw gatewayError(
      'DOWNSTREAM_SERVICE_ERROR',
      `Service "${runtime.service}" answered its batch endpoint without a list${mapping.select.length ? ` at "${mapping.select.join('.')}"` : ''}.`,
      {
        rejectsRequest: false,
        extensions: { service: runtime.service, upstreamStatus: status },
      },
    );
  }
  const groups = new Map<string, unknown[]>();
  const keyPath = [itemKey];
  for (const item of items) {
    const itemId = String(readPath(item, keyPath));
    const group = groups.get(itemId);
    if (group) group.push(item);
    else groups.set(itemId, [item]);
  }
  return keys.map((key) => groups.get(key) ?? []);
}

/**
 * One upstream call of the source, built field by field: not spread from a conditional object,
 * which made V8 keep the client request it names (see bindRun in src/bind-run.ts).
 */
function upstreamCall(method: string, path: string, headers: Record<string, string>, context: RequestContext | undefined): UpstreamRequest {
  const call: UpstreamRequest = { method, path, headers };
  if (context?.request) call.origin = context.request;
  return call;
}
