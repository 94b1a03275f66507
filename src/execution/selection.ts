import { Kind, print, type FieldNode, type SelectionSetNode } from 'graphql';
import { NotPlannable } from './collect-fields.ts';

/**
 * The response keys under which the plan's own fields travel (the keys and `@requires` fields of
 * entity calls): never a key the client may use, so a client alias (`product { upc: name }`) can't
 * overwrite a key the plan fetched. Client response keys starting with `__` are renamed before
 * planning (useReservedAliases), and not planned should one remain.
 */
export const internalKey = (name: string): string => `__key_${name}`;

/**
 * The internal key of a field the plan fetches for an entity call (a key or `@requires` field):
 * {@link internalKey} of its name, and when it has arguments anywhere in it (`price(currency:
 * "EUR")`, `category { average(currency: "USD") }`), a suffix from its printed form too, so that the
 * same field with other arguments, needed by another field, travels under a key of its own.
 */
export function requiredKey(field: FieldNode): string {
  const key = internalKey(field.name.value);
  return hasArguments(field) ? `${key}_${fnv1a(print(field))}` : key;
}

function hasArguments(field: FieldNode): boolean {
  return Boolean(field.arguments?.length) || (field.selectionSet !== undefined && selectsArguments(field.selectionSet));
}

function selectsArguments({ selections }: SelectionSetNode): boolean {
  return selections.some((selection) =>
    selection.kind === Kind.FIELD ? hasArguments(selection) : selection.kind === Kind.INLINE_FRAGMENT && selectsArguments(selection.selectionSet),
  );
}

/** A 32-bit FNV-1a hash in base 36: short and stable; two texts that meet still differ in their fields, which {@link Selection.add} refuses. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  return (hash >>> 0).toString(36);
}

/** Whether a step of an answer's path is one of the plan's {@link internalKey}s, never shown to a client. */
export const isInternalKey = (step: string | number): step is string => typeof step === 'string' && step.startsWith('__key_');

/**
 * How to turn a subgraph's answer back into the client's response keys: the fields the subgraph
 * answered under another key (`__t1_id` for `id`), with what to do inside them, and inside the
 * fragments of each object type.
 */
export interface Renames {
  fields: Map<string, { target?: string; sub?: Renames }>;
  fragments: Map<string, Renames>;
}

/** A subgraph selection under construction: response keys in order, each with its field text and sub-selection. */
export class Selection {
  private readonly entries = new Map<string, { head: string; sub?: Selection; target?: string }>();

  /** Adds a field (once per key); `target` is the client's key when the field travels under another one. */
  add(key: string, head: string, sub?: Selection, target?: string): Selection | undefined {
    const existing = this.entries.get(key);
    if (!existing) {
      this.entries.set(key, { head, ...(sub ? { sub } : {}), ...(target === undefined ? {} : { target }) });
      return sub;
    }
    if (existing.head !== head || Boolean(existing.sub) !== Boolean(sub)) throw new NotPlannable(`the response key ${key} is used for two different fields`);
    return existing.sub;
  }

  /** The selection as GraphQL; one whose fields are all skipped (`items { quantity @skip(if: true) }`) still selects `__typename`. */
  toString(): string {
    if (this.entries.size === 0) return '{ __typename }';
    return `{ ${[...this.entries.values()].map(({ head, sub }) => (sub ? `${head} ${sub.toString()}` : head)).join(' ')} }`;
  }

  /** What must be renamed in an answer to this selection; `undefined` when nothing. */
  renames(): Renames | undefined {
    const renames: Renames = { fields: new Map(), fragments: new Map() };
    for (const [key, { sub, target }] of this.entries) {
      const inner = sub?.renames();
      if (key.startsWith('... on ')) {
        if (inner) renames.fragments.set(key.slice('... on '.length), inner);
      } else if (inner || target !== undefined) renames.fields.set(key, { ...(target === undefined ? {} : { target }), ...(inner ? { sub: inner } : {}) });
    }
    return renames.fields.size > 0 || renames.fragments.size > 0 ? renames : undefined;
  }
}

/** Renames, in place, the keys of an answer the subgraph gave under other keys. */
export function applyRenames(value: unknown, renames: Renames): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) applyRenames(item, renames);
    return;
  }
  const object = value as Record<string, unknown>;
  const fragment = renames.fragments.get(String(object['__typename']));
  if (fragment) applyRenames(object, fragment);
  for (const [key, { target, sub }] of renames.fields) {
    if (!(key in object)) continue;
    const inner = object[key];
    if (sub) applyRenames(inner, sub);
    if (target === undefined) continue;
    delete object[key];
    object[target] = inner;
  }
}

/**
 * A subgraph's error path with the client's response keys for the fields it answered under other
 * keys (`__t_item_Book` for `item`), so the error lands where the client's data is.
 */
export function renamePath(path: readonly (string | number)[], renames: Renames | undefined): (string | number)[] {
  let current = renames;
  return path.map((step) => {
    if (typeof step === 'number' || !current) return step;
    const rename =
      current.fields.get(step) ?? [...current.fragments.values()].map((fragment) => fragment.fields.get(step)).find((found) => found !== undefined);
    current = rename?.sub;
    return rename?.target ?? step;
  });
}
