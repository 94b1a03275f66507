import type { SelectionSetNode } from 'graphql';

/**
 * The selection sets a document walk has taken, each under a key of what it was walked with (the
 * type, and what else the walk's outcome depends on). A walk whose outcome for a selection set
 * depends on nothing else gains nothing from taking it again: asking {@link first} before each one
 * makes fragments that spread the next one twice cost the document's size, not 2^depth.
 */
export class WalkedSelections {
  readonly #walked = new Map<SelectionSetNode, Set<string>>();

  /** Whether `selectionSet` is met under `key` for the first time; it counts as walked from now on. */
  first(selectionSet: SelectionSetNode, key: string): boolean {
    let keys = this.#walked.get(selectionSet);
    if (!keys) this.#walked.set(selectionSet, (keys = new Set()));
    if (keys.has(key)) return false;
    keys.add(key);
    return true;
  }
}
