import {
  Kind,
  TypeInfo,
  getNamedType,
  isLeafType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type InlineFragmentNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';

/** Response key of the `__typename` the gateway adds to every object of a cached or mutation result. */
export const typenameKey = 'concierge__typename';
/** Response key of the `id` the gateway adds where the client did not select `id` itself. */
export const idKey = 'concierge__id';

/** The objects a result holds: `Type:id` of each entity, and every object type's name. */
export interface ResultEntities {
  entities: Set<string>;
  types: Set<string>;
}

const field = (alias: string, name: string): FieldNode => ({
  kind: Kind.FIELD,
  alias: { kind: Kind.NAME, value: alias },
  name: { kind: Kind.NAME, value: name },
});
const typenameField = field(typenameKey, '__typename');
const idField = field(idKey, 'id');

/**
 * The document with `concierge__typename: __typename` in every object's selection set, and
 * `concierge__id: id` where the type has an `id` the client did not select, so that the result
 * says which entities it holds whatever the client asked for. {@link takeEntities} removes them.
 */
export function withEntityFields(schema: GraphQLSchema, document: DocumentNode): DocumentNode {
  const typeInfo = new TypeInfo(schema);
  const roots = new Set<GraphQLNamedType | null | undefined>([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]);
  return visit(
    document,
    visitWithTypeInfo(typeInfo, {
      SelectionSet: {
        leave(node) {
          const type = typeInfo.getParentType();
          if (!type || roots.has(type)) return undefined;
          const added: SelectionNode[] = [typenameField];
          if (isUnionType(type)) added.push(...type.getTypes().filter(hasId).map(idOn));
          else if (hasId(type) && !selectsId(node)) added.push(idField);
          return { ...node, selections: [...node.selections, ...added] };
        },
      },
    }),
  );
}

/**
 * Removes the fields {@link withEntityFields} added from `data`, in place, and returns what it
 * holds: an object is an entity when its type has an `id` field.
 */
export function takeEntities(schema: GraphQLSchema, data: unknown): ResultEntities {
  const found: ResultEntities = { entities: new Set(), types: new Set() };
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (value === null || typeof value !== 'object') return;
    const object = value as Record<string, unknown>;
    const typename = object[typenameKey];
    if (typeof typename === 'string') {
      found.types.add(typename);
      const type = schema.getType(typename);
      const id = object[idKey] ?? (isObjectType(type) && hasId(type) ? object['id'] : undefined);
      if (typeof id === 'string' || typeof id === 'number') found.entities.add(`${typename}:${id}`);
    }
    delete object[typenameKey];
    delete object[idKey];
    for (const child of Object.values(object)) if (child !== null && typeof child === 'object') walk(child);
  };
  walk(data);
  return found;
}

function hasId(type: unknown): boolean {
  if (!isObjectType(type) && !isInterfaceType(type)) return false;
  const id = type.getFields()['id'];
  return id !== undefined && id.args.length === 0 && isLeafType(getNamedType(id.type));
}

function selectsId(selectionSet: SelectionSetNode): boolean {
  return selectionSet.selections.some(
    (selection) => selection.kind === Kind.FIELD && selection.name.value === 'id' && (!selection.alias || selection.alias.value === 'id'),
  );
}

function idOn(type: { name: string }): InlineFragmentNode {
  return {
    kind: Kind.INLINE_FRAGMENT,
    typeCondition: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: type.name } },
    selectionSet: { kind: Kind.SELECTION_SET, selections: [idField] },
  };
}
