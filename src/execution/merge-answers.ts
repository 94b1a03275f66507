import { GraphQLError, Kind, type SelectionSetNode } from 'graphql';
import { typeOfStep, withoutTypeSteps, type PathStep } from './fetch.ts';

/** An answer's object, as the plan's calls merge into it. */
export type Data = Record<string, unknown>;

/** An object a call completes, and how to name its path if something fails. */
export interface Located {
  object: Data;
  parent: Located | undefined;
  step: string | number;
  /** Set on a list's item reached from its parent object: the key of the list, `step` being the item's index (no `Located` for the list itself). */
  list?: string;
}

/**
 * The objects at a path of the answer (`@` walks into every item of a list, `|Type` keeps the
 * objects of that type) that `keep` keeps. A key followed by `@` is one step: the items point to
 * the object holding the list.
 */
export function locate(root: Data, path: readonly PathStep[], keep: (object: Data) => boolean = () => true): Located[] {
  let current: Located[] = [{ object: root, parent: undefined, step: '' }];
  // `|Type` steps keep the objects of one type where they are; those at the end filter the last step's objects.
  const walked = withoutTypeSteps(path);
  const typeNames = path.slice(walked.length).map(typeOfStep);
  if (typeNames.length > 0) {
    const inner = keep;
    keep = (object) => typeNames.every((typeName) => object['__typename'] === typeName) && inner(object);
    path = walked;
  }
  for (let index = 0; index < path.length; index++) {
    const step = path[index] as PathStep;
    const typeName = typeOfStep(step);
    if (typeName !== undefined) {
      current = current.filter(({ object }) => object['__typename'] === typeName);
      continue;
    }
    const last = index === path.length - 1 || (step !== '@' && index === path.length - 2 && path[index + 1] === '@');
    const next: Located[] = [];
    const add = (object: unknown, parent: Located, at: string | number, list?: string) => {
      if (object === null || typeof object !== 'object' || (last && !keep(object as Data))) return;
      next.push(list === undefined ? { object: object as Data, parent, step: at } : { object: object as Data, parent, step: at, list });
    };
    if (step !== '@' && path[index + 1] === '@') {
      index++;
      for (const located of current) {
        const items = located.object[step];
        if (Array.isArray(items)) for (let item = 0; item < items.length; item++) add(items[item], located, item, step);
      }
    } else if (step === '@') {
      for (const located of current) {
        const items = located.object as unknown;
        if (Array.isArray(items)) for (let item = 0; item < items.length; item++) add(items[item], located, item);
      }
    } else {
      for (const located of current) add(located.object[step], located, step);
    }
    current = next;
  }
  return path.length === 0 ? current.filter(({ object }) => keep(object)) : current;
}

/** The object at a client path of the answer, if it is one. */
export function objectAt(root: Data, path: readonly (string | number)[]): Data | undefined {
  let current: unknown = root;
  for (const step of path) current = current !== null && typeof current === 'object' ? (current as Record<string | number, unknown>)[step] : undefined;
  return current !== null && typeof current === 'object' && !Array.isArray(current) ? (current as Data) : undefined;
}

/** The client path of a located object. */
export function pathOf(located: Located): (string | number)[] {
  const path: (string | number)[] = [];
  for (let current: Located | undefined = located; current?.parent; current = current.parent) {
    path.unshift(current.step);
    if (current.list !== undefined) path.unshift(current.list);
  }
  return path;
}

/**
 * The representation of an object: the values of the key (and `@requires`) fields, read under the
 * keys the plan fetched them by (their aliases), and of the fragments that match an object's
 * `__typename`; `undefined` when a key field is null or missing.
 */
export function represent(object: Data, fields: SelectionSetNode, representation: Data = {}): Data | undefined {
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
    else if (Array.isArray(value))
      representation[field.name.value] = value.map((item: unknown) =>
        item !== null && typeof item === 'object' ? (represent(item as Data, sub) ?? null) : item,
      );
    else representation[field.name.value] = represent(value as Data, sub) ?? null;
  }
  return representation;
}

/** Deep-merges an answer into the object it completes; lists merge item by item. */
export function merge(target: Data, source: Data): void {
  for (const key in source) {
    const incoming = source[key];
    const present = target[key];
    if (present !== null && typeof present === 'object' && incoming !== null && typeof incoming === 'object') {
      if (Array.isArray(present) && Array.isArray(incoming)) mergeItems(present, incoming);
      else merge(present as Data, incoming as Data);
    } else target[key] = incoming;
  }
}

/**
 * Lists merge item by item. A loop of its own, not a callback in {@link merge}: a closure there
 * would capture the loop's variables, which V8 then allocates on the heap for every key merged.
 */
function mergeItems(present: unknown[], incoming: unknown[]): void {
  for (let index = 0; index < incoming.length; index++) {
    const item: unknown = incoming[index];
    const existing: unknown = present[index];
    if (existing !== null && typeof existing === 'object' && item !== null && typeof item === 'object') merge(existing as Data, item as Data);
    else present[index] = item;
  }
}

/** A failed call: its fields become null on the object, each with the error on its path. */
export function fail(object: Data, keys: readonly string[], error: unknown, path: readonly (string | number)[], errors: GraphQLError[]): void {
  for (const key of keys) {
    if (object[key] !== undefined) continue;
    object[key] = null;
    errors.push(relocate(error, [...path, key]));
  }
}

/** The error on a path of the client's answer (none: a subgraph's own path means nothing to the client). */
export function relocate(error: unknown, path: readonly (string | number)[] | undefined): GraphQLError {
  const original = asGraphQLError(error);
  return new GraphQLError(original.message, { ...(path ? { path } : {}), extensions: original.extensions, originalError: original.originalError ?? undefined });
}

/** An upstream error (a GraphQLError, an Error or a plain error object of an answer) as a GraphQLError. */
export function asGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  if (error instanceof Error) return new GraphQLError(error.message, { originalError: error });
  const { message, path, extensions } = error as { message?: unknown; path?: readonly (string | number)[]; extensions?: Record<string, unknown> };
  return new GraphQLError(typeof message === 'string' ? message : String(error), { ...(path ? { path } : {}), ...(extensions ? { extensions } : {}) });
}
