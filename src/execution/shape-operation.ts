import {
  getNamedType,
  type FieldNode,
  isAbstractType,
  isInterfaceType,
  isLeafType,
  type GraphQLLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { NotPlannable, collectFields, dependsOnType, subSelections, type OperationScope } from './collect-fields.ts';

/** What the client asked for at one position of the answer: how to shape the merged upstream data. */
export interface OutputShape {
  nonNull: boolean;
  /** The position is a list of this. */
  list?: OutputShape;
  /** The position is an object with these fields. */
  object?: ObjectShape;
  /** The position is an interface or union: the fields by the object's `__typename`. */
  objects?: Record<string, ObjectShape>;
  /** The interface or union's name, for the error on a `__typename` that is no type of the supergraph. */
  abstract?: string;
  /** Object types `@inaccessible` hides: an object of one here is answered as null (see {@link OperationScope}). */
  hiddenTypes?: ReadonlySet<string>;
  /** The position is a scalar or enum: its values are serialized by the gateway's type. */
  leaf?: GraphQLLeafType;
  /** Enum values the schema still lists but `@inaccessible` hides: answered as null. */
  hidden?: ReadonlySet<string>;
}

/** The fields the client selected on an object, in document order. */
export interface ObjectShape {
  typeName: string;
  fields: FieldShape[];
}

export interface FieldShape {
  key: string;
  /** `__typename`: answered from the data, or the type's name. */
  typename: boolean;
  /** The field's declaration, for errors: `Product.price`. */
  coordinate: string;
  type: OutputShape;
  /** The field in the client's document: an error on its path gets its location. */
  node?: FieldNode;
}

/** The shape of an operation's answer: the fields to keep, in order, with their nullability. */
export function shapeOperation(schema: GraphQLSchema, scope: OperationScope, type: GraphQLObjectType, selectionSet: SelectionSetNode): ObjectShape {
  return shapeObject(schema, scope, type, [selectionSet]);
}

function shapeObject(
  schema: GraphQLSchema,
  scope: OperationScope,
  type: GraphQLObjectType | GraphQLInterfaceType,
  selectionSets: readonly SelectionSetNode[],
): ObjectShape {
  const fields: FieldShape[] = [];
  for (const [key, nodes] of collectFields(schema, scope, type, selectionSets)) {
    const name = (nodes[0] as (typeof nodes)[number]).name.value;
    if (name === '__typename') {
      fields.push({ key, typename: true, coordinate: `${type.name}.__typename`, type: { nonNull: true } });
      continue;
    }
    const field = type.getFields()[name];
    if (!field) throw new NotPlannable(`${type.name}.${name} is not in the schema`);
    fields.push({
      key,
      typename: false,
      coordinate: `${type.name}.${name}`,
      type: shapeOutput(schema, scope, field.type, subSelections(nodes)),
      node: nodes[0] as FieldNode,
    });
  }
  return { typeName: type.name, fields };
}

function shapeOutput(schema: GraphQLSchema, scope: OperationScope, type: GraphQLOutputType, selectionSets: readonly SelectionSetNode[]): OutputShape {
  const nonNull = isNonNullType(type);
  const inner = nonNull ? type.ofType : type;
  if (isListType(inner)) return { nonNull, list: shapeOutput(schema, scope, inner.ofType, selectionSets) };
  const named = getNamedType(inner);
  if (isLeafType(named)) {
    const hidden = scope.hiddenEnumValues?.get(named.name);
    return { nonNull, leaf: named, ...(hidden ? { hidden } : {}) };
  }
  if (isAbstractType(named)) {
    const objects: Record<string, ObjectShape> = {};
    const possibleTypes = schema.getPossibleTypes(named);
    for (const possible of possibleTypes) objects[possible.name] = shapeObject(schema, scope, possible, selectionSets);
    // An @interfaceObject's objects keep the interface's name when nothing selected depends on their type.
    const byType = possibleTypes.map((possible) => collectFields(schema, scope, possible, selectionSets));
    if (isInterfaceType(named) && !dependsOnType(collectFields(schema, scope, named, selectionSets), byType))
      objects[named.name] = shapeObject(schema, scope, named, selectionSets);
    return { nonNull, objects, abstract: named.name, ...(scope.hiddenTypes?.size ? { hiddenTypes: scope.hiddenTypes } : {}) };
  }
  if (!isObjectType(named)) throw new NotPlannable(`${String(named)} has no fields to select`);
  return { nonNull, object: shapeObject(schema, scope, named, selectionSets) };
}
