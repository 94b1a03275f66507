import { isObjectType, type GraphQLCompositeType, type GraphQLField, type GraphQLInterfaceType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';

/** A type that declares fields, and one of its fields. */
export interface FieldDeclaration {
  type: GraphQLObjectType | GraphQLInterfaceType;
  field: GraphQLField<unknown, unknown>;
}

/**
 * Answers by type (a schema's types are immutable objects of that schema alone): the walks ask the
 * same questions for every request.
 */
const fieldsOfType = new WeakMap<GraphQLObjectType | GraphQLInterfaceType, Map<string, readonly FieldDeclaration[]>>();
const valuesOfType = new WeakMap<GraphQLCompositeType, readonly GraphQLCompositeType[]>();
const coverage = new WeakMap<GraphQLCompositeType, WeakMap<GraphQLCompositeType, boolean>>();

/** The object types a value of `type` can be: itself for an object type, else its implementations or members. */
export function possibleObjectTypes(schema: GraphQLSchema, type: GraphQLCompositeType): readonly GraphQLObjectType[] {
  return isObjectType(type) ? [type] : schema.getPossibleTypes(type);
}

/**
 * Every type a value of `type` is an instance of: `type` itself, each object type it can be, and
 * each interface those implement. A rule or hint on any of them applies to a field returning `type`.
 */
export function typesOfValue(schema: GraphQLSchema, type: GraphQLCompositeType): readonly GraphQLCompositeType[] {
  let types = valuesOfType.get(type);
  if (!types) {
    const objects = possibleObjectTypes(schema, type);
    valuesOfType.set(type, (types = [...new Set<GraphQLCompositeType>([type, ...objects, ...objects.flatMap((object) => object.getInterfaces())])]));
  }
  return types;
}

/** Whether every object `inner` can be is also one `outer` can be: a fragment on `outer` then applies to each. */
export function coversType(schema: GraphQLSchema, outer: GraphQLCompositeType, inner: GraphQLCompositeType): boolean {
  if (outer === inner) return true;
  let byInner = coverage.get(outer);
  if (!byInner) coverage.set(outer, (byInner = new WeakMap()));
  let covers = byInner.get(inner);
  if (covers === undefined) {
    const names = new Set(possibleObjectTypes(schema, outer).map((type) => type.name));
    byInner.set(inner, (covers = possibleObjectTypes(schema, inner).every((type) => names.has(type.name))));
  }
  return covers;
}

/**
 * Every declaration a field selected on `parent` can resolve through: the field on `parent`
 * first, then on each object type `parent` can be, and on each interface those implement that
 * declares it. `Account.email` with `User` and `Robot` implementing `Node` and `Account` gives
 * `Account.email`, `User.email`, `Robot.email`; `User.email` gives `User.email`, `Account.email`.
 */
export function fieldDeclarations(schema: GraphQLSchema, parent: GraphQLObjectType | GraphQLInterfaceType, fieldName: string): readonly FieldDeclaration[] {
  let byName = fieldsOfType.get(parent);
  if (!byName) fieldsOfType.set(parent, (byName = new Map()));
  let known = byName.get(fieldName);
  if (!known) {
    const declarations = new Map<string, FieldDeclaration>();
    for (const type of [parent, ...possibleObjectTypes(schema, parent).flatMap((object) => [object, ...object.getInterfaces()])]) {
      const field = type.getFields()[fieldName];
      if (field && !declarations.has(type.name)) declarations.set(type.name, { type, field });
    }
    byName.set(fieldName, (known = [...declarations.values()]));
  }
  return known;
}
