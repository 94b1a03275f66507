import type { Executor, ExecutionResult } from '@graphql-tools/utils';
import type { DocumentNode, GraphQLError, SelectionSetNode } from 'graphql';
import { copyJson } from '../copy-json.ts';
import { gatewayError } from '../errors.ts';
import { DistinctRepresentations, flatFields } from './distinct-representations.ts';
import { callWithout, completes, internalKeysOf, keysNeeding, keysOn } from './dependent-fields.ts';
import { isPromise, type MaybePromise } from '../maybe-promise.ts';
import { asGraphQLError, fail, locate, merge, pathOf, relocate, represent, type Data, type Located } from './merge-answers.ts';
import type { Fetch } from './fetch.ts';
import { mergeVariable } from './plan-operation.ts';
import type { MergeEntry } from './read-supergraph.ts';
import { RequiredFailures } from './required-failures.ts';
import { applyRenames, isInternalKey, renamePath } from './selection.ts';

/** The merged answers of a plan's calls, before shaping, and the errors on their client paths. */
export interface PlanResult {
  data: Record<string, unknown>;
  errors: GraphQLError[];
}

/**
 * Runs a plan: the root calls in parallel (in order when `serial`: a mutation), then each call's children once its answer is merged
 * into the objects it completes (and once the other calls it needs, `after`, are done). An
 * `_entities` call sends each distinct representation once, and none for an object whose key
 * fields came back null (that object stays without the call's fields). A call that fails leaves its
 * fields null with its error on each of their paths, and its children are not made; an upstream
 * error on `_entities.3.price` is moved to the path of every object represented by 3. Objects sent to
 * an `@interfaceObject` are represented as the interface, and keep their own `__typename`. An object
 * a subgraph answered null, with errors, failed as a whole: every field the call fills on it fails
 * with the first of them. A field the plan fetched for its own calls fails on the client's fields
 * that need it, never on its internal key (see {@link RequiredFailures}).
 */
export async function executePlan(
  fetches: readonly Fetch[],
  executors: ReadonlyMap<string, Executor>,
  variables: Record<string, unknown>,
  context: unknown,
  serial = false,
): Promise<PlanResult> {
  const data: Data = {};
  const errors: GraphQLError[] = [];
  const failures = new RequiredFailures(data, errors, fetches);
  // Each settled call's failure (undefined: it answered), and a promise for a call waited on before it settled:
  // most calls are waited on by none (`after`, shares), and make none.
  const settled = new Map<Fetch, unknown>();
  const waiting = new Map<Fetch, { promise: Promise<unknown>; resolve: (failure: unknown) => void }>();
  /** The call's failure once it has settled, synchronously when it has. */
  const completion = (fetch: Fetch): MaybePromise<unknown> => {
    if (settled.has(fetch)) return settled.get(fetch);
    let entry = waiting.get(fetch);
    if (!entry) {
      let resolve: (failure: unknown) => void = () => undefined;
      const promise = new Promise<unknown>((settle) => (resolve = settle));
      waiting.set(fetch, (entry = { promise, resolve }));
    }
    return entry.promise;
  };
  /** A call that ends without running its children settles them (and theirs) too, with its failure if any. The first settling holds. */
  const settle = (fetch: Fetch, failure: unknown, withChildren: boolean): void => {
    if (!settled.has(fetch)) {
      settled.set(fetch, failure);
      waiting.get(fetch)?.resolve(failure);
    }
    if (withChildren) for (const child of fetch.children) settle(child, failure, true);
  };
  const call = (fetch: Fetch, document: DocumentNode, extra?: Record<string, unknown>): Promise<ExecutionResult> => {
    const executor = executors.get(fetch.graph) as Executor;
    const passed: Record<string, unknown> = { ...extra };
    for (const name of fetch.variables) if (name in variables) passed[name] = variables[name];
    return Promise.resolve(executor({ document, variables: passed, context: context as Record<string, unknown> })) as Promise<ExecutionResult>;
  };

  /** A failed call's fields are null with its error, and so are those of the calls that needed its answer on the same objects (`@requires`). */
  const failWithDependents = (fetch: Fetch, targets: readonly Located[], error: unknown): void => {
    for (const target of targets) {
      if (fetch.entity && !completes(fetch.entity, target.object)) continue;
      fail(target.object, keysOn(fetch, target.object), error, pathOf(target), errors);
      for (const key of internalKeysOf(fetch)) failures.record(target.object, key, error);
    }
    for (const child of fetch.children)
      if (child.entity && fetch.entity && child.entity.path.join('.') === fetch.entity.path.join('.')) failWithDependents(child, targets, error);
  };

  /** One `_entities` call for some objects, without what needs the `lost` fields; its failure, if the call itself failed. */
  const callEntities = async (fetch: Fetch, lost: readonly string[], located: readonly Located[]): Promise<unknown> => {
    const entity = fetch.entity as NonNullable<Fetch['entity']>;
    const { document, representation } =
      lost.length === 0 ? { document: fetch.document, representation: entity.representation } : callWithout(fetch, new Set(keysNeeding(fetch, lost)), lost);
    const { representations, targets, slots } = representationsOf(entity, representation, located);
    if (targets.length === 0) return undefined;
    let result: ExecutionResult;
    try {
      result = await call(fetch, document, entity.merge ? mergeVariables(entity.merge, representations) : { representations });
    } catch (error) {
      failWithDependents(fetch, targets, error);
      return error;
    }
    const entities = (result.data as { _entities?: unknown } | null | undefined)?._entities;
    if (!Array.isArray(entities)) {
      const error =
        result.errors?.[0] ??
        gatewayError('DOWNSTREAM_SERVICE_ERROR', `Service "${fetch.graph}" answered _entities without a list.`, {
          rejectsRequest: false,
          extensions: { service: fetch.graph },
        });
      failWithDependents(fetch, targets, error);
      return error;
    }
    if (fetch.renames) applyRenames(entities, fetch.renames);
    // An @interfaceObject answers the interface's name as __typename: the object keeps its own.
    if (entity.representedAs !== undefined)
      for (const answer of entities) if (answer !== null && typeof answer === 'object') delete (answer as Data)['__typename'];
    const required: Array<[(string | number)[], unknown]> = [];
    const firstErrors = new Map<number, unknown>();
    /** The objects an error landed on, and the client's fields of each object one landed on or under. */
    const erred = new Set<string>();
    for (const error of result.errors ?? []) {
      const index = error.path?.[0] === '_entities' ? error.path[1] : undefined;
      const sharing = typeof index === 'number' ? targets.filter((_, position) => slots[position] === index) : [];
      if (typeof index === 'number' && !firstErrors.has(index)) firstErrors.set(index, error);
      // An error on `_entities.3.price` goes to the path of each object represented by 3.
      if (sharing.length === 0) errors.push(relocate(error, undefined));
      // A `@merge` field's error on a whole object (`_entities.3`): its fields fail, as stitching's merged fields do.
      const whole = entity.merge !== undefined && error.path?.length === 2;
      for (const target of sharing) {
        const at = pathOf(target);
        if (whole) {
          fail(target.object, keysOn(fetch, target.object), error, at, errors);
          continue;
        }
        const path = [...at, ...renamePath((error.path as readonly (string | number)[]).slice(2), fetch.renames)];
        if (path.some(isInternalKey)) required.push([path, error]);
        else errors.push(relocate(error, path));
        erred.add(JSON.stringify(path.slice(0, at.length + 1)));
      }
    }
    // An answer merged into several objects (one representation they share) is copied for all but the first.
    const merged = new Uint8Array(entities.length);
    for (let position = 0; position < targets.length; position++) {
      const slot = slots[position] as number;
      const answer: unknown = entities[slot];
      if (answer === null || typeof answer !== 'object') continue;
      merge((targets[position] as Located).object, (merged[slot] === 1 ? copyJson(answer) : answer) as Data);
      merged[slot] = 1;
    }
    for (const [path, error] of required) failures.fail(path, error);
    // An object answered null with errors failed as a whole: so did every field the call fills on it.
    targets.forEach((target, position) => {
      const slot = slots[position] as number;
      const error = firstErrors.get(slot);
      if (error === undefined || (entities[slot] !== null && typeof entities[slot] === 'object')) return;
      const at = pathOf(target);
      if (!erred.has(JSON.stringify(at)))
        fail(
          target.object,
          keysOn(fetch, target.object).filter((key) => !erred.has(JSON.stringify([...at, key]))),
          error,
          at,
          errors,
        );
      for (const key of internalKeysOf(fetch)) failures.record(target.object, key, error);
    });
    return undefined;
  };

  const runEntities = async (fetch: Fetch): Promise<void> => {
    // No await when there is nothing to wait for (the usual case): a call starts in the turn its parent merged.
    const after = fetch.after?.map(completion) ?? [];
    const waited = (after.some(isPromise) ? await Promise.all(after) : after).find((failure) => failure !== undefined);
    const entity = fetch.entity as NonNullable<Fetch['entity']>;
    const located = locate(data, entity.path, (object) => completes(entity, object));
    if (waited !== undefined) {
      failWithDependents(fetch, located, waited);
      return settle(fetch, waited, true);
    }
    // Objects a field the representation sends failed on: called together, without the fields that need it, which fail with its error.
    const groups = new Map<string, { lost: string[]; targets: Located[] }>();
    for (const target of located) {
      const lost = failures.lost(target.object, entity.representation);
      if (lost) {
        const needing = keysNeeding(fetch, lost.keys, target.object);
        fail(
          target.object,
          needing.filter((key) => !isInternalKey(key)),
          lost.error,
          pathOf(target),
          errors,
        );
        for (const key of needing.filter(isInternalKey)) failures.record(target.object, key, lost.error);
        if (lost.keys.some((key) => entity.keyFields.includes(key))) continue;
      }
      const id = lost ? JSON.stringify(lost.keys) : '';
      let group = groups.get(id);
      if (!group) groups.set(id, (group = { lost: lost?.keys ?? [], targets: [] }));
      group.targets.push(target);
    }
    // One group (the usual case) is awaited alone: Promise.all would cost a promise and a reaction per call.
    const calls = [...groups.values()];
    const outcomes =
      calls.length === 1
        ? [await callEntities(fetch, (calls[0] as (typeof calls)[number]).lost, (calls[0] as (typeof calls)[number]).targets)]
        : await Promise.all(calls.map(({ lost, targets }) => callEntities(fetch, lost, targets)));
    // Children run where any call answered; a call that failed failed its objects' fields and those of the children on them.
    const failure = outcomes.length > 0 && outcomes.every((outcome) => outcome !== undefined) ? outcomes[0] : undefined;
    if (failure !== undefined || outcomes.length === 0) return settle(fetch, failure, true);
    settle(fetch, undefined, false);
    const children = runChildren(fetch);
    if (children) await children;
  };
  /** A call's children, once it has merged: none and one without Promise.all. */
  const runChildren = (fetch: Fetch): Promise<unknown> | undefined => {
    const { children } = fetch;
    if (children.length === 0) return undefined;
    return children.length === 1 ? runEntities(children[0] as Fetch) : Promise.all(children.map(runEntities));
  };

  const runRoot = async (fetch: Fetch): Promise<void> => {
    let result: ExecutionResult;
    try {
      result = await call(fetch, fetch.document);
    } catch (error) {
      if (fetch.shares) await sharesReady(fetch.shares);
      fail(
        data,
        fetch.keys.filter((key) => !fetch.shares?.[key]),
        error,
        [],
        errors,
      );
      for (const [key, { fields }] of Object.entries(fetch.shares ?? {}))
        onObjectsAt(data[key], [key], (object, path) => fail(object, fields, error, path, errors));
      return settle(fetch, error, true);
    }
    // A share merges into the objects the call it shares a root field with answered, once it has; a
    // share answered without them fails its fields on those objects, with its error.
    const unanswered = new Map<string, unknown>();
    if (fetch.shares) {
      await sharesReady(fetch.shares);
      const answered = (result.data ?? {}) as Data;
      for (const key of Object.keys(fetch.shares)) {
        const present = data[key];
        if (present !== null && typeof present === 'object' && (answered[key] === null || typeof answered[key] !== 'object')) unanswered.set(key, undefined);
        if (present === null || typeof present !== 'object' || answered[key] === null || typeof answered[key] !== 'object') delete answered[key];
        // In a list too, the chosen call's answer decides which items are there: no share adds one.
        else if (Array.isArray(present) && Array.isArray(answered[key]))
          answered[key] = (answered[key] as unknown[]).slice(0, present.length).map((item, index) => (present[index] === null ? null : item));
      }
    }
    // A root call's paths are the client's (its aliases kept); its locations are the call's document's: dropped.
    const required: Array<[(string | number)[], unknown]> = [];
    for (const error of result.errors ?? []) {
      const original = asGraphQLError(error).path;
      const path = original && renamePath(original, fetch.renames);
      const share = path?.[0] === undefined ? undefined : String(path[0]);
      if (share !== undefined && unanswered.has(share) && (path?.length ?? 0) <= 2) unanswered.set(share, unanswered.get(share) ?? error);
      else if (path?.some(isInternalKey)) required.push([path, error]);
      else errors.push(relocate(error, path));
    }
    for (const [key, error] of unanswered) {
      const reason =
        error ??
        gatewayError('DOWNSTREAM_SERVICE_ERROR', `Service "${fetch.graph}" answered no ${key}.`, {
          rejectsRequest: false,
          extensions: { service: fetch.graph },
        });
      onObjectsAt(data[key], [key], (object, path) => fail(object, fetch.shares?.[key]?.fields ?? [], reason, path, errors));
    }
    if (result.data && fetch.renames) applyRenames(result.data, fetch.renames);
    if (result.data) merge(data, result.data as Data);
    else for (const key of fetch.keys) if (data[key] === undefined) data[key] = null;
    for (const [path, error] of required) failures.fail(path, error);
    settle(fetch, undefined, false);
    const children = runChildren(fetch);
    if (children) await children;
  };
  const sharesReady = (shares: NonNullable<Fetch['shares']>) => Promise.all(Object.values(shares).map(({ primary }) => completion(primary)));
  // A mutation's root calls run one after the other, each with its entity calls, as graphql-js runs its root fields.
  if (serial) for (const fetch of fetches) await runRoot(fetch);
  else if (fetches.length === 1) await runRoot(fetches[0] as Fetch);
  else await Promise.all(fetches.map(runRoot));
  return { data, errors };
}

/** Calls `visit` with the object at a root key, or each object of the list there, and its path. */
function onObjectsAt(value: unknown, path: (string | number)[], visit: (object: Data, path: (string | number)[]) => void): void {
  if (Array.isArray(value)) value.forEach((item, index) => onObjectsAt(item, [...path, index], visit));
  else if (value !== null && typeof value === 'object') visit(value as Data, path);
}

/**
 * The distinct representations of the objects a call completes (each sent once), the objects sent
 * and, for each, the index of its representation. An object whose key fields came back null (or
 * never came) can't be represented, and keeps no answer from the call.
 */
function representationsOf(
  entity: NonNullable<Fetch['entity']>,
  fields: SelectionSetNode,
  located: readonly Located[],
): { representations: Data[]; targets: Located[]; slots: number[] } {
  const distinct = new DistinctRepresentations();
  const targets: Located[] = [];
  const slots: number[] = [];
  const typename = entity.representedAs ?? entity.typeName;
  const plain = flatFields(fields);
  for (const target of located) {
    if (lacksKey(target.object, entity.keyFields)) continue;
    let slot: number | undefined;
    if (plain) slot = distinct.indexOfFields(typename, plain, target.object);
    else {
      const representation = represent(target.object, fields, { __typename: typename });
      slot = representation && distinct.indexOf(representation);
    }
    if (slot === undefined) continue;
    targets.push(target);
    slots.push(slot);
  }
  return { representations: distinct.list, targets, slots };
}

/** Whether a key field of `object` came back null (or never came). A loop, not `some` with a callback: it runs for every object sent. */
function lacksKey(object: Data, keyFields: readonly string[]): boolean {
  for (let index = 0; index < keyFields.length; index++) {
    const value = object[keyFields[index] as string];
    if (value === null || value === undefined) return true;
  }
  return false;
}

/** The variables of a `@merge` entry point's call: its arguments for the keys of the representations, in their order. */
function mergeVariables(merge: MergeEntry, representations: readonly Data[]): Data {
  const variables: Data = {};
  for (const [name, value] of Object.entries(merge.argumentsFor(representations))) variables[mergeVariable(name)] = value;
  return variables;
}
