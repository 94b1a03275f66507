import { Kind, print, visit, type DocumentNode, type FieldNode, type SelectionNode, type SelectionSetNode } from 'graphql';

/** The response key of the `__typename` that keeps an emptied selection set valid; removed from results. */
export const placeholderKey = 'concierge__cut';

const prefixes = new WeakMap<DocumentNode, string>();
const printedFields = new WeakMap<FieldNode, string>();

/** Restricted documents by source document and decisions, so that equal decisions give the same document object (and its caches). */
const restrictedDocuments = new WeakMap<DocumentNode, Map<string, DocumentNode>>();

/**
 * The document with the `removed` fields cut and the `added` ones added (each selection set left
 * empty keeps an aliased `__typename`, {@link placeholderKey}); one document object per source
 * document and `signature` (the decisions), so that equal decisions share it and its caches.
 */
export function rewriteRestricted(
  document: DocumentNode,
  signature: string,
  removed: ReadonlySet<FieldNode>,
  added: ReadonlyMap<SelectionSetNode, ReadonlyMap<string, ReadonlyMap<string, FieldNode>>>,
): DocumentNode {
  const known = restrictedDocuments.get(document) ?? new Map<string, DocumentNode>();
  restrictedDocuments.set(document, known);
  const cached = known.get(signature);
  if (cached) return cached;
  const typename: FieldNode = { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: placeholderKey }, name: { kind: Kind.NAME, value: '__typename' } };
  const restricted = visit(document, {
    Field: { enter: (node) => (removed.has(node) ? null : undefined) },
    SelectionSet: {
      enter: (node) => {
        const extra = added.get(node);
        return extra
          ? { ...node, selections: [...node.selections, ...[...extra].flatMap(([condition, fields]) => selectionsOf(condition, [...fields.values()]))] }
          : undefined;
      },
      leave: (node) => (node.selections.length === 0 ? { ...node, selections: [typename] } : undefined),
    },
  });
  known.set(signature, restricted);
  return restricted;
}

/** The fields, under an inline fragment on the type named `condition` when there is one. */
function selectionsOf(condition: string, fields: FieldNode[]): SelectionNode[] {
  if (!condition) return fields;
  return [
    {
      kind: Kind.INLINE_FRAGMENT,
      typeCondition: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: condition } },
      selectionSet: { kind: Kind.SELECTION_SET, selections: fields },
    },
  ];
}

/**
 * Aliases for the fields decisions add: one per type and field (printed), all starting with a
 * prefix no response key of the document starts with, so that they never clobber a client's
 * field and can be removed from answers wherever they are.
 */
export function internalAliases(document: DocumentNode): (typeName: string, field: FieldNode) => string {
  const prefix = prefixOf(document);
  const aliases = new Map<string, string>();
  return (typeName, field) => {
    let printed = printedFields.get(field);
    if (printed === undefined) printedFields.set(field, (printed = print(field)));
    const key = `${typeName} ${printed}`;
    let alias = aliases.get(key);
    if (!alias) aliases.set(key, (alias = `${prefix}${aliases.size}`));
    return alias;
  };
}

function prefixOf(document: DocumentNode): string {
  const known = prefixes.get(document);
  if (known !== undefined) return known;
  const keys: string[] = [];
  visit(document, { Field: (node) => void keys.push(node.alias?.value ?? node.name.value) });
  let prefix = 'concierge__policy';
  const taken = (candidate: string) => keys.some((key) => key.startsWith(candidate));
  while (taken(prefix)) prefix += '_';
  prefixes.set(document, prefix);
  return prefix;
}
