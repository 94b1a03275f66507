import { Kind, type FieldNode, type SelectionSetNode } from 'graphql';
import type { Data } from './merge-answers.ts';

type Tree = Map<unknown, Tree | number>;

/**
 * The distinct representations of one `_entities` call, each kept once, and the index of each.
 * They are looked up in a tree of Maps over their field names and values in order, with no key
 * text to build and hash: the names are the selection's and the values the answer's own strings,
 * each hashed once. Two representations meet at the same leaf exactly when their JSON texts are
 * equal. One with a nested value (a compound key's object), or whose fields end where another's go
 * on, is looked up by its {@link representationKey} instead.
 */
export class DistinctRepresentations {
  /** The distinct representations, in the order first seen. */
  readonly list: Data[] = [];
  readonly #tree: Tree = new Map();
  readonly #byText = new Map<string, number>();

  /** The index of `representation` in {@link list}, added when new. */
  indexOf(representation: Data): number {
    const values: unknown[] = [];
    for (const name in representation) {
      const value = representation[name];
      if (value !== null && typeof value === 'object') return this.#indexByText(representation);
      values.push(name, value);
    }
    let node: Tree | undefined = this.#tree;
    for (let depth = 0; depth < values.length - 1 && node; depth++) node = descend(node, values[depth]);
    return this.#indexAt(node, values[values.length - 1], representation);
  }

  /**
   * The index of the representation of `object` by `fields` (each a plain field, no two of one
   * name, see {@link flatFields}) and `typename`: the one `represent` gives, looked up before it is
   * built, so an object represented already builds nothing. `undefined` when a field's value is
   * missing (no representation); a nested value goes through {@link indexOf}.
   */
  indexOfFields(typename: string, fields: readonly FieldNode[], object: Data): number | undefined {
    let node: Tree | undefined = descend(this.#tree, '__typename');
    let key: unknown = typename;
    let nested = false;
    for (const field of fields) {
      const value = object[field.alias?.value ?? field.name.value];
      if (value === undefined) return undefined;
      if (value !== null && typeof value === 'object') nested = true;
      else if (node) {
        node = descend(node, key);
        node = node && descend(node, field.name.value);
        key = value;
      }
    }
    if (nested) return this.indexOf(build(typename, fields, object));
    return this.#indexAt(node, key, undefined, typename, fields, object);
  }

  /**
   * The index at `key` of `node`, where a representation's last value leads: the one found, or the
   * one given (`representation`, or else the one {@link build} makes of the rest), added. By its
   * text instead when the tree cannot hold it (`node` is `undefined`, or `key` leads on to longer
   * representations). The representation is passed in parts rather than made by a callback: a
   * closure would be allocated, with the variables it captures, on every lookup.
   */
  #indexAt(node: Tree | undefined, key: unknown, representation: Data | undefined, typename?: string, fields?: readonly FieldNode[], object?: Data): number {
    const known = node?.get(key);
    if (typeof known === 'number') return known;
    const made = representation ?? build(typename as string, fields as readonly FieldNode[], object as Data);
    if (node === undefined || known !== undefined) return this.#indexByText(made);
    const index = this.list.push(made) - 1;
    node.set(key, index);
    return index;
  }

  #indexByText(representation: Data): number {
    const text = representationKey(representation);
    let index = this.#byText.get(text);
    if (index === undefined) this.#byText.set(text, (index = this.list.push(representation) - 1));
    return index;
  }
}

/**
 * A text equal for two representations exactly when their JSON texts are equal (the same keys in
 * the same order, equal values). Names end with a NUL (a GraphQL name has none), strings carry
 * their length, other scalars and nested values (as JSON, which escapes NUL) end with a NUL.
 */
export function representationKey(representation: Data): string {
  let key = '';
  for (const name in representation) {
    const value = representation[name];
    if (typeof value === 'string') key += `${name}\0s${value.length}:${value}`;
    else if (value === null || typeof value !== 'object') key += `${name}\0${typeof value === 'number' ? 'n' : 'b'}${String(value)}\0`;
    else key += `${name}\0o${JSON.stringify(value)}\0`;
  }
  return key;
}

/** The subtree at `step`, made when missing; `undefined` when a representation ends there (a shorter field list's). */
function descend(node: Tree, step: unknown): Tree | undefined {
  const child = node.get(step);
  if (child === undefined) {
    const made: Tree = new Map();
    node.set(step, made);
    return made;
  }
  return typeof child === 'number' ? undefined : child;
}

const flat = new WeakMap<SelectionSetNode, readonly FieldNode[] | null>();

/**
 * The fields of a representation's selection when each is a plain field (no sub-selection, no
 * fragment) and no two share a name: the usual key and `@requires` fields, which
 * {@link DistinctRepresentations.indexOfFields} can look up before building; `undefined` otherwise.
 */
export function flatFields(selectionSet: SelectionSetNode): readonly FieldNode[] | undefined {
  let fields = flat.get(selectionSet);
  if (fields === undefined) {
    const plain = selectionSet.selections.filter((selection): selection is FieldNode => selection.kind === Kind.FIELD && !selection.selectionSet);
    const names = new Set(plain.map((field) => field.name.value));
    fields = plain.length === selectionSet.selections.length && names.size === plain.length && !names.has('__typename') ? plain : null;
    flat.set(selectionSet, fields);
  }
  return fields ?? undefined;
}

/** The representation `represent` gives for a flat selection: `__typename`, then each field's value under its name. */
function build(typename: string, fields: readonly FieldNode[], object: Data): Data {
  const representation: Data = { __typename: typename };
  for (const field of fields) representation[field.name.value] = object[field.alias?.value ?? field.name.value];
  return representation;
}
