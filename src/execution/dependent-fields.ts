import { Kind, type DocumentNode, type FieldNode, type SelectionNode, type SelectionSetNode } from 'graphql';
import { typeOfStep, type Fetch, type PathStep } from './fetch.ts';
import { isInternalKey } from './selection.ts';

type Data = Record<string, unknown>;
type Entity = NonNullable<Fetch['entity']>;

/** Whether an entity call completes an object: one of its type (or of the implementations sharing a call to an `@interfaceObject`). */
export function completes(entity: Entity, object: Data): boolean {
  const typename = object['__typename'];
  return (
    typename === undefined ||
    typename === entity.typeName ||
    (typeof typename === 'string' && entity.keysByType !== undefined && Object.hasOwn(entity.keysByType, typename))
  );
}

/** The client's keys a call fills on an object: those of the object's type when implementations share the call. */
export function keysOn(fetch: Fetch, object: Data | undefined): readonly string[] {
  const byType = fetch.entity?.keysByType;
  const typename = object?.['__typename'];
  return byType && typeof typename === 'string' ? (byType[typename] ?? fetch.keys) : fetch.keys;
}

/**
 * The response keys of an entity call (the client's, and the internal ones it fetches for other
 * calls) that can't be had once the fields fetched under the `lost` internal keys failed on an
 * object: those whose `@requires` include one of them, or all of them when one is a field of the
 * call's key (the object can't be represented at all).
 */
export function keysNeeding(fetch: Fetch, lost: readonly string[], object?: Data): string[] {
  const entity = fetch.entity as Entity;
  const clientKeys = keysOn(fetch, object);
  if (lost.some((key) => entity.keyFields.includes(key))) return [...clientKeys, ...internalKeysOf(fetch)];
  return Object.entries(entity.requires ?? {}).flatMap(([key, required]) =>
    required.some((internal) => lost.includes(internal)) && (isInternalKey(key) || clientKeys.includes(key)) ? [key] : [],
  );
}

/**
 * The client's fields that a failed internal key (`__key_price`) of a null object at `path` leaves
 * without a value: the keys that need it of the entity calls at that path, then the keys that need
 * those calls' own internal keys, and so on. (An object that is there meets its failures as each
 * call runs; a null one is never called, so its failure is placed at once.)
 */
export type DependentFields = (path: readonly (string | number)[], internal: string) => string[];

/** The {@link DependentFields} of a plan: read from its calls, once, when the first required field of a null object fails. */
export function dependentFieldsOf(roots: readonly Fetch[]): DependentFields {
  const calls: Fetch[] = [];
  const add = (fetch: Fetch) => {
    if (calls.includes(fetch)) return;
    calls.push(fetch);
    fetch.children.forEach(add);
  };
  roots.forEach(add);
  return (path, internal) => {
    const keys = new Set<string>();
    const visited = new Set<string>();
    const visit = (key: string) => {
      if (visited.has(key)) return;
      visited.add(key);
      for (const call of calls) {
        if (!call.entity || !atPath(call.entity.path, path) || !sends(call.entity.representation, key)) continue;
        for (const needing of keysNeeding(call, [key])) isInternalKey(needing) ? visit(needing) : keys.add(needing);
      }
    };
    visit(internal);
    return [...keys];
  };
}

/** The internal keys an entity call fills on each object it completes (renamed as the answer is). */
export function internalKeysOf(fetch: Fetch): string[] {
  return (entitySelection(fetch.document)?.selections ?? []).flatMap((selection) => {
    const key = selection.kind === Kind.FIELD ? clientKey(fetch, selection) : undefined;
    return key !== undefined && isInternalKey(key) ? [key] : [];
  });
}

/** Whether a representation sends the field fetched under an internal key. */
export function sends(representation: SelectionSetNode, key: string): boolean {
  return representation.selections.some((selection) =>
    selection.kind === Kind.INLINE_FRAGMENT
      ? sends(selection.selectionSet, key)
      : selection.kind === Kind.FIELD && (selection.alias?.value ?? selection.name.value) === key,
  );
}

/**
 * An entity call without some of its response keys (renamed keys by the client's), and its
 * representation without the `lost` internal keys: made for the objects those failed on.
 */
export function callWithout(fetch: Fetch, keys: ReadonlySet<string>, lost: readonly string[]): { document: DocumentNode; representation: SelectionSetNode } {
  const keep = (selection: SelectionNode) => selection.kind !== Kind.FIELD || !keys.has(clientKey(fetch, selection));
  const document = replaceEntitySelection(fetch.document, (selections) => {
    const kept = selections.filter(keep);
    return kept.length > 0 ? kept : [{ kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } }];
  });
  const representation = (fetch.entity as Entity).representation;
  return {
    document,
    representation: {
      ...representation,
      selections: representation.selections.filter(
        (selection) => selection.kind !== Kind.FIELD || !lost.includes(selection.alias?.value ?? selection.name.value),
      ),
    },
  };
}

function clientKey(fetch: Fetch, field: FieldNode): string {
  const key = field.alias?.value ?? field.name.value;
  return fetch.renames?.fields.get(key)?.target ?? key;
}

/** The selection of an entity call's document on the objects it completes: `{ _entities(...) { ... on T { here } } }`. */
function entitySelection(document: DocumentNode): SelectionSetNode | undefined {
  const definition = document.definitions[0];
  const entities = definition?.kind === Kind.OPERATION_DEFINITION ? definition.selectionSet.selections[0] : undefined;
  const fragment = entities?.kind === Kind.FIELD ? entities.selectionSet?.selections[0] : undefined;
  return fragment?.kind === Kind.INLINE_FRAGMENT ? fragment.selectionSet : undefined;
}

function replaceEntitySelection(document: DocumentNode, replace: (selections: readonly SelectionNode[]) => SelectionNode[]): DocumentNode {
  const [definition, ...rest] = document.definitions;
  if (definition?.kind !== Kind.OPERATION_DEFINITION) return document;
  const [entities, ...others] = definition.selectionSet.selections;
  if (entities?.kind !== Kind.FIELD || !entities.selectionSet) return document;
  const [fragment, ...siblings] = entities.selectionSet.selections;
  if (fragment?.kind !== Kind.INLINE_FRAGMENT) return document;
  const inner = { ...fragment, selectionSet: { ...fragment.selectionSet, selections: replace(fragment.selectionSet.selections) } };
  const field = { ...entities, selectionSet: { ...entities.selectionSet, selections: [inner, ...siblings] } };
  return { ...document, definitions: [{ ...definition, selectionSet: { ...definition.selectionSet, selections: [field, ...others] } }, ...rest] };
}

/** Whether an entity call's path (`@` for list items) leads to the object at a client path. */
function atPath(pattern: readonly PathStep[], path: readonly (string | number)[]): boolean {
  const steps = pattern.filter((step) => typeOfStep(step) === undefined);
  return steps.length === path.length && steps.every((step, index) => (step === '@' ? typeof path[index] === 'number' : step === path[index]));
}
