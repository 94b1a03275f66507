import { isObjectType, type GraphQLCompositeType, type GraphQLField, type GraphQLInterfaceType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';

/** A type that declares fields, and one of its fields. */
export interface FieldDeclaration {
  type: GraphQLObjectType | GraphQLInterfaceType;
  field: GraphQLField<unknown, unknown>;
}

/** Answers by schema and question: the schema is immutable, and the walks ask the same questions for every request. */
const memos = new WeakMap<GraphQLSchema, Map<string, unknown>>();

function memo<T>(schema: GraphQLSchema, key: string, compute: () => T): T {
  let known = memos.get(schema);
  if (!known) memos.set(schema, (known = new Map()));
  if (known.has(key)) return known.get(key) as T;
  const value = compute();
  known.set(key, value);
  return value;
}

/** The object types a value of `type` can be: itself for an object type, else its implementations or members. */
export function possibleObjectTypes(schema: GraphQLSchema, type: GraphQLCompositeType): readonly GraphQLObjectType[] {
  return isObjectType(type) ? [type] : schema.getPossibleTypes(type);
}

/**
 * Every type a value of `type` is an instance of: `type` itself, each object type it can be, and
 * each interface those implement. A rule or hint on any of them applies to a field returning `type`.
 */
export function typesOfValue(schema: GraphQLSchema, type: GraphQLCompositeType): readonly GraphQLCompositeType[] {
  return memo(schema, `values ${type.name}`, () => {
    const objects = possibleObjectTypes(schema, type);
    return [...new Set<GraphQLCompositeType>([type, ...objects, ...objects.flatMap((object) => object.getInterfaces())])];
  });
}

/** Whether every object `inner` can be is also one `outer` can be: a fragment on `outer` then applies to each. */
export function coversType(schema: GraphQLSchema, outer: GraphQLCompositeType, inner: GraphQLCompositeType): boolean {
  if (outer === inner) return true;
  return memo(schema, `covers ${outer.name} ${inner.name}`, () => {
    const names = new Set(possibleObjectTypes(schema, outer).map((type) => type.name));
    return possibleObjectTypes(schema, inner).every((type) => names.has(type.name));
  });
}

/**
 * Every declaration a field selected on `parent` can resolve through: the field on `parent`
 * first, then on each object type `parent` can be, and on each interface those implement that
 * declares it. `Account.email` with `User` and `Robot` implementing `Node` and `Account` gives
 * `Account.email`, `User.email`, `Robot.email`; `User.email` gives `User.email`, `Account.email`.
 */
export function fieldDeclarations(schema: GraphQLSchema, parent: GraphQLObjectType | GraphQLInterfaceType, fieldName: string): readonly FieldDeclaration[] {
  return memo(schema, `fields ${parent.name}.${fieldName}`, () => {
    const declarations = new Map<string, FieldDeclaration>();
    for (const type of [parent, ...possibleObjectTypes(schema, parent).flatMap((object) => [object, ...object.getInterfaces()])]) {
      const field = type.getFields()[fieldName];
      if (field && !declarations.has(type.name)) declarations.set(type.name, { type, field });
    }
    return [...declarations.values()];
  });
}
