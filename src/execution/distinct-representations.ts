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
    let node = this.#tree;
    for (let depth = 0; depth < values.length - 1; depth++) {
      const next = node.get(values[depth]);
      if (next === undefined) node.set(values[depth], (node = new Map()));
      else if (typeof next === 'number') return this.#indexByText(representation);
      else node = next;
    }
    const last = values[values.length - 1];
    const known = node.get(last);
    if (typeof known === 'number') return known;
    if (known !== undefined) return this.#indexByText(representation);
    const index = this.list.push(representation) - 1;
    node.set(last, index);
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
