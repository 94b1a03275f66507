import {
  Kind,
  getNamedType,
  getNullableType,
  isListType,
  isCompositeType,
  isInterfaceType,
  isNonNullType,
  isObjectType,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** A step of a response path: the response key, whether the field is non-null, and whether its list items are. */
export interface PathStep {
  key: string;
  nonNull: boolean;
  itemsNonNull: boolean;
}

/** Why a field was cut from the document, and where its null goes in the response. */
export interface Denial {
  path: PathStep[];
  code: 'UNAUTHENTICATED' | 'FORBIDDEN' | 'RATE_LIMITED' | 'SERVICE_UNAVAILABLE';
  message: string;
}

/** One occurrence of a field in the operation, as a decider sees it. */
export interface FieldVisit {
  /** `Type.field` of the parent type the field is selected on. */
  coordinate: string;
  field: GraphQLField<unknown, unknown>;
  node: FieldNode;
}

function nullability(type: GraphQLOutputType): Pick<PathStep, 'nonNull' | 'itemsNonNull'> {
  const nullable = getNullableType(type);
  return { nonNull: isNonNullType(type), itemsNonNull: isListType(nullable) && isNonNullType(nullable.ofType) };
}

/** Decides one field occurrence; `undefined` allows it. */
export type Decide = (visit: FieldVisit) => Promise<Omit<Denial, 'path'> | undefined>;

/** The response key of the `__typename` that keeps an emptied selection set valid; removed from results. */
export const placeholderKey = 'concierge__cut';

/**
 * Cuts every field `decide` refuses out of the operation, before execution, so no service
 * is ever asked for it; returns the cut document and where each cut field was. A selection set left
 * empty keeps an aliased `__typename` ({@link placeholderKey}), so the document stays valid.
 * Returns `undefined` when nothing is cut.
 */
export async function restrictDocument(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, decide: Decide): Promise<{ document: DocumentNode; denials: Denial[] } | undefined> {
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION && (!operationName || definition.name?.value === operationName),
  );
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return undefined;
  const fragments = new Map(document.definitions.filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION).map((fragment) => [fragment.name.value, fragment]));
  const removed = new Set<FieldNode>();
  const denials: Denial[] = [];

  const walk = async (selectionSet: SelectionSetNode, parent: GraphQLCompositeType, path: PathStep[], seen: ReadonlySet<string>): Promise<void> => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (type && isCompositeType(type)) await walk(selection.selectionSet, type, path, seen);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        const type = fragment && schema.getType(fragment.typeCondition.name.value);
        if (fragment && type && isCompositeType(type) && !seen.has(fragment.name.value)) await walk(fragment.selectionSet, type, path, new Set([...seen, fragment.name.value]));
      } else if (!selection.name.value.startsWith('__') && (isObjectType(parent) || isInterfaceType(parent))) {
        const field = parent.getFields()[selection.name.value];
        if (!field) continue;
        const named = getNamedType(field.type);
        const coordinate = `${parent.name}.${field.name}`;
        const step = { key: selection.alias?.value ?? selection.name.value, ...nullability(field.type) };
        const denial = await decide({ coordinate, field, node: selection });
        if (denial) {
          removed.add(selection);
          denials.push({ ...denial, path: [...path, step] });
        } else if (selection.selectionSet && isCompositeType(named)) {
          await walk(selection.selectionSet, named, [...path, step], seen);
        }
      }
    }
  };
  await walk(operation.selectionSet, root, [], new Set());
  if (removed.size === 0) return undefined;

  const typename: FieldNode = { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: placeholderKey }, name: { kind: Kind.NAME, value: '__typename' } };
  const restricted = visit(document, {
    Field: { enter: (node) => (removed.has(node) ? null : undefined) },
    SelectionSet: { leave: (node) => (node.selections.length === 0 ? { ...node, selections: [typename] } : undefined) },
  });
  return { document: restricted, denials };
}
