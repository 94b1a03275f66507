import type { Executor, ExecutionResult } from '@graphql-tools/utils';
import { GraphQLError, Kind, type SelectionSetNode } from 'graphql';
import { gatewayError } from '../errors.ts';
import { mergeVariable, type Fetch, type PathStep } from './plan-operation.ts';
import type { MergeEntry } from './read-supergraph.ts';
import { applyRenames, renamePath } from './selection.ts';

/** The merged answers of a plan's calls, before shaping, and the errors on their client paths. */
export interface PlanResult {
  data: Record<string, unknown>;
  errors: GraphQLError[];
}

type Data = Record<string, unknown>;

/** An object a call completes, and how to name its path if something fails. */
interface Located {
  object: Data;
  parent: Located | undefined;
  step: string | number;
}

/**
 * Runs a plan: the root calls in parallel (in order when `serial`: a mutation), then each call's children once its answer is merged
 * into the objects it completes (and once the other calls it needs, `after`, are done). An
 * `_entities` call sends each distinct representation once, and none for an object whose key
 * fields came back null (that object stays without the call's fields). A call that fails leaves its
 * fields null with its error on each of their paths, and its children are not made; an upstream
 * error on `_entities.3.price` is moved to the path of every object represented by 3. Objects sent to
 * an `@interfaceObject` are represented as the interface, and keep their own `__typename`.
 */
export async function executePlan(fetches: readonly Fetch[], executors: ReadonlyMap<string, Executor>, variables: Record<string, unknown>, context: unknown, serial = false): Promise<PlanResult> {
  const data: Data = {};
  const errors: GraphQLError[] = [];
  const done = new Map<Fetch, { promise: Promise<unknown>; resolve: (failure: unknown) => void }>();
  const completion = (fetch: Fetch) => {
    let entry = done.get(fetch);
    if (!entry) {
      let resolve: (failure: unknown) => void = () => undefined;
      const promise = new Promise<unknown>((settle) => (resolve = settle));
      done.set(fetch, (entry = { promise, resolve }));
    }
    return entry;
  };
  /** A call that ends without running its children settles them (and theirs) too, with its failure if any. */
  const settle = (fetch: Fetch, failure: unknown, withChildren: boolean): void => {
    completion(fetch).resolve(failure);
    if (withChildren) for (const child of fetch.children) settle(child, failure, true);
  };
  const call = (fetch: Fetch, extra?: Record<string, unknown>): Promise<ExecutionResult> => {
    const executor = executors.get(fetch.graph) as Executor;
    const passed: Record<string, unknown> = { ...extra };
    for (const name of fetch.variables) if (name in variables) passed[name] = variables[name];
    return Promise.resolve(executor({ document: fetch.document, variables: passed, context: context as Record<string, unknown> })) as Promise<ExecutionResult>;
  };

  /** A failed call's fields are null with its error, and so are those of the calls that needed its answer on the same objects (`@requires`). */
  const failWithDependents = (fetch: Fetch, targets: readonly Located[], error: unknown): void => {
    for (const target of targets) if (!fetch.entity || completes(fetch.entity, target.object)) fail(target.object, keysOn(fetch, target.object), error, pathOf(target), errors);
    for (const child of fetch.children) if (child.entity && fetch.entity && child.entity.path.join('.') === fetch.entity.path.join('.')) failWithDependents(child, targets, error);
  };

  const runEntities = async (fetch: Fetch): Promise<void> => {
    const failures = (await Promise.all((fetch.after ?? []).map((other) => completion(other).promise))).filter((failure) => failure !== undefined);
    const entity = fetch.entity as NonNullable<Fetch['entity']>;
    const located = locate(data, entity.path).filter(({ object }) => completes(entity, object));
    if (failures.length > 0) {
      failWithDependents(fetch, located, failures[0]);
      return settle(fetch, failures[0], true);
    }
    const representations: Data[] = [];
    const indexOf = new Map<string, number>();
    const targets: Located[] = [];
    const slots: number[] = [];
    for (const target of located) {
      const representation = entity.keyFields.some((key) => target.object[key] === null || target.object[key] === undefined) ? undefined : represent(target.object, entity.representation, { __typename: entity.representedAs ?? entity.typeName });
      // Key fields that came back null (or never came): the object can't be represented, and keeps no answer from this call.
      if (representation === undefined) continue;
      const text = JSON.stringify(representation);
      let index = indexOf.get(text);
      if (index === undefined) {
        index = representations.push(representation) - 1;
        indexOf.set(text, index);
      }
      targets.push(target);
      slots.push(index);
    }
    if (targets.length === 0) return settle(fetch, undefined, true);
    let result: ExecutionResult;
    try {
      result = await call(fetch, entity.merge ? mergeVariables(entity.merge, representations) : { representations });
    } catch (error) {
      failWithDependents(fetch, targets, error);
      return settle(fetch, error, true);
    }
    const entities = (result.data as { _entities?: unknown } | null | undefined)?._entities;
    if (!Array.isArray(entities)) {
      const error = result.errors?.[0] ?? gatewayError('DOWNSTREAM_SERVICE_ERROR', `Service "${fetch.graph}" answered _entities without a list.`, { rejectsRequest: false, extensions: { service: fetch.graph } });
      failWithDependents(fetch, targets, error);
      return settle(fetch, error, true);
    }
    if (fetch.renames) applyRenames(entities, fetch.renames);
    // An @interfaceObject answers the interface's name as __typename: the object keeps its own.
    if (entity.representedAs !== undefined) for (const answer of entities) if (answer !== null && typeof answer === 'object') delete (answer as Data)['__typename'];
    for (const error of result.errors ?? []) {
      const index = error.path?.[0] === '_entities' ? error.path[1] : undefined;
      const sharing = typeof index === 'number' ? targets.filter((_, position) => slots[position] === index) : [];
      // An error on `_entities.3.price` goes to the path of each object represented by 3.
      if (sharing.length === 0) errors.push(relocate(error, undefined));
      // A `@merge` field's error on a whole object (`_entities.3`): its fields fail, as stitching's merged fields do.
      const whole = entity.merge !== undefined && error.path?.length === 2;
      for (const target of sharing) {
        if (whole) fail(target.object, keysOn(fetch, target.object), error, pathOf(target), errors);
        else errors.push(relocate(error, [...pathOf(target), ...renamePath((error.path as readonly (string | number)[]).slice(2), fetch.renames)]));
      }
    }
    // An answer merged into several objects (one representation they share) is copied for all but the first.
    const merged = new Set<number>();
    targets.forEach(({ object }, position) => {
      const slot = slots[position] as number;
      const answer: unknown = entities[slot];
      if (answer === null || typeof answer !== 'object') return;
      merge(object, (merged.has(slot) ? cloneJson(answer) : answer) as Data);
      merged.add(slot);
    });
    settle(fetch, undefined, false);
    await Promise.all(fetch.children.map(runEntities));
  };

  const runRoot = async (fetch: Fetch): Promise<void> => {
    let result: ExecutionResult;
    try {
      result = await call(fetch);
    } catch (error) {
      fail(data, fetch.keys, error, [], errors);
      return settle(fetch, error, true);
    }
    // A root call's paths are the client's (its aliases kept); its locations are the call's document's: dropped.
    for (const error of result.errors ?? []) {
      const path = asGraphQLError(error).path;
      errors.push(relocate(error, path && renamePath(path, fetch.renames)));
    }
    if (result.data && fetch.renames) applyRenames(result.data, fetch.renames);
    if (result.data) merge(data, result.data as Data);
    else for (const key of fetch.keys) if (data[key] === undefined) data[key] = null;
    settle(fetch, undefined, false);
    await Promise.all(fetch.children.map(runEntities));
  };
  // A mutation's root calls run one after the other, each with its entity calls, as graphql-js runs its root fields.
  if (serial) for (const fetch of fetches) await runRoot(fetch);
  else await Promise.all(fetches.map(runRoot));
  return { data, errors };
}

/** Whether an entity call completes an object: one of its type (or of the implementations sharing a call to an `@interfaceObject`). */
function completes(entity: NonNullable<Fetch['entity']>, object: Data): boolean {
  const typename = object['__typename'];
  return typename === undefined || typename === entity.typeName || (typeof typename === 'string' && entity.keysByType !== undefined && Object.hasOwn(entity.keysByType, typename));
}

/** The client's keys a call fills on an object: those of the object's type when implementations share the call. */
function keysOn(fetch: Fetch, object: Data): readonly string[] {
  const byType = fetch.entity?.keysByType;
  const typename = object['__typename'];
  return byType && typeof typename === 'string' ? (byType[typename] ?? fetch.keys) : fetch.keys;
}

/** The variables of a `@merge` entry point's call: its arguments for the keys of the representations, in their order. */
function mergeVariables(merge: MergeEntry, representations: readonly Data[]): Data {
  const variables: Data = {};
  for (const [name, value] of Object.entries(merge.argsFromKeys(representations.map((representation) => merge.key(representation))))) variables[mergeVariable(name)] = value;
  return variables;
}

/** A deep copy of a JSON value (an answer as parsed): several times cheaper than `structuredClone`. */
function cloneJson(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(cloneJson);
  const copy: Data = {};
  for (const key in value) copy[key] = cloneJson((value as Data)[key]);
  return copy;
}

/** The objects at a path of the answer (`@` walks into every item of a list). */
function locate(root: Data, path: readonly PathStep[]): Located[] {
  let current: Located[] = [{ object: root, parent: undefined, step: '' }];
  for (const step of path) {
    const next: Located[] = [];
    for (const located of current) {
      if (step === '@') {
        const items = located.object as unknown;
        if (Array.isArray(items)) items.forEach((item: unknown, index) => item !== null && typeof item === 'object' && next.push({ object: item as Data, parent: located, step: index }));
      } else {
        const value = located.object[step];
        if (value !== null && typeof value === 'object') next.push({ object: value as Data, parent: located, step });
      }
    }
    current = next;
  }
  return current;
}

function pathOf(located: Located): (string | number)[] {
  const path: (string | number)[] = [];
  for (let current: Located | undefined = located; current?.parent; current = current.parent) path.unshift(current.step);
  return path;
}

/**
 * The representation of an object: the values of the key (and `@requires`) fields, read under the
 * keys the plan fetched them by (their aliases), and of the fragments that match an object's
 * `__typename`; `undefined` when a key field is null or missing.
 */
function represent(object: Data, fields: SelectionSetNode, representation: Data = {}): Data | undefined {
  for (const field of fields.selections) {
    if (field.kind === Kind.INLINE_FRAGMENT) {
      if (field.typeCondition?.name.value === object['__typename'] && !represent(object, field.selectionSet, representation)) return undefined;
      continue;
    }
    if (field.kind !== Kind.FIELD) continue;
    const value = object[field.alias?.value ?? field.name.value];
    if (value === undefined) return undefined;
    const sub = field.selectionSet;
    if (!sub || value === null || typeof value !== 'object') representation[field.name.value] = value;
    else if (Array.isArray(value)) representation[field.name.value] = value.map((item: unknown) => (item !== null && typeof item === 'object' ? (represent(item as Data, sub) ?? null) : item));
    else representation[field.name.value] = represent(value as Data, sub) ?? null;
  }
  return representation;
}

/** Deep-merges an answer into the object it completes; lists merge item by item. */
function merge(target: Data, source: Data): void {
  for (const key in source) {
    const incoming = source[key];
    const present = target[key];
    if (present !== null && typeof present === 'object' && incoming !== null && typeof incoming === 'object') {
      if (Array.isArray(present) && Array.isArray(incoming)) {
        incoming.forEach((item: unknown, index) => {
          const existing: unknown = present[index];
          if (existing !== null && typeof existing === 'object' && item !== null && typeof item === 'object') merge(existing as Data, item as Data);
          else present[index] = item;
        });
      } else merge(present as Data, incoming as Data);
    } else target[key] = incoming;
  }
}

/** A failed call: its fields become null on the object, each with the error on its path. */
function fail(object: Data, keys: readonly string[], error: unknown, path: readonly (string | number)[], errors: GraphQLError[]): void {
  for (const key of keys) {
    if (object[key] !== undefined) continue;
    object[key] = null;
    errors.push(relocate(error, [...path, key]));
  }
}

/** The error on a path of the client's answer (none: a subgraph's own path means nothing to the client). */
function relocate(error: unknown, path: readonly (string | number)[] | undefined): GraphQLError {
  const original = asGraphQLError(error);
  return new GraphQLError(original.message, { ...(path ? { path } : {}), extensions: original.extensions, originalError: original.originalError ?? undefined });
}

function asGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  if (error instanceof Error) return new GraphQLError(error.message, { originalError: error });
  const { message, path, extensions } = error as { message?: unknown; path?: readonly (string | number)[]; extensions?: Record<string, unknown> };
  return new GraphQLError(typeof message === 'string' ? message : String(error), { ...(path ? { path } : {}), ...(extensions ? { extensions } : {}) });
}
