import { Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

/** The sizes of one operation that the limits bound. */
export interface OperationMeasures {
  /** Deepest field nesting; introspection fields count as one level. */
  depth: number;
  /** Aliased fields, fragments counted each time they are spread. */
  aliases: number;
  /** Directive uses, fragments counted each time they are spread. */
  directives: number;
  /** Distinct response keys of the root selection. */
  rootFields: number;
}

interface Sizes {
  depth: number;
  aliases: number;
  directives: number;
}

const introspectionRoots = new Set(['__schema', '__type']);
const none: Sizes = { depth: 0, aliases: 0, directives: 0 };

/**
 * Measures every operation of a parsed (not yet validated) document in one pass. A fragment is
 * measured once and reused wherever it is spread, so fragments that spread each other many times
 * cost linear time while their counts grow as the executed operation would; a fragment spread
 * within itself counts as empty (validation reports the cycle).
 */
export function measureOperations(document: DocumentNode): Array<{ operation: OperationDefinitionNode; measures: OperationMeasures }> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const measured = new Map<string, Sizes>();
  const fragmentSizes = (name: string): Sizes => {
    const known = measured.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    measured.set(name, none);
    if (!fragment) return none;
    const inner = selectionSizes(fragment.selectionSet);
    const sizes = { ...inner, directives: inner.directives + (fragment.directives?.length ?? 0) };
    measured.set(name, sizes);
    return sizes;
  };
  const selectionSizes = (selectionSet: SelectionSetNode): Sizes => {
    const total = { depth: 0, aliases: 0, directives: 0 };
    for (const selection of selectionSet.selections) {
      let sizes: Sizes;
      if (selection.kind === Kind.FIELD) {
        const inner = selection.selectionSet ? selectionSizes(selection.selectionSet) : none;
        sizes = {
          depth: introspectionRoots.has(selection.name.value) ? 1 : 1 + inner.depth,
          aliases: inner.aliases + (selection.alias ? 1 : 0),
          directives: inner.directives,
        };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        sizes = selectionSizes(selection.selectionSet);
      } else {
        sizes = fragmentSizes(selection.name.value);
      }
      total.depth = Math.max(total.depth, sizes.depth);
      total.aliases += sizes.aliases;
      total.directives += sizes.directives + (selection.directives?.length ?? 0);
    }
    return total;
  };
  const rootKeys = (selectionSet: SelectionSetNode, keys: Set<string>, seen: Set<string>): Set<string> => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) keys.add(selection.alias?.value ?? selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) rootKeys(selection.selectionSet, keys, seen);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) rootKeys(fragment.selectionSet, keys, seen);
      }
    }
    return keys;
  };
  return document.definitions.flatMap((operation) => {
    if (operation.kind !== Kind.OPERATION_DEFINITION) return [];
    const sizes = selectionSizes(operation.selectionSet);
    const rootFields = rootKeys(operation.selectionSet, new Set(), new Set()).size;
    return [{ operation, measures: { ...sizes, directives: sizes.directives + (operation.directives?.length ?? 0), rootFields } }];
  });
}
