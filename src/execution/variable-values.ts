import {
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLID,
  GraphQLInt,
  GraphQLString,
  Kind,
  getVariableValues,
  type GraphQLError,
  type GraphQLScalarType,
  type GraphQLSchema,
  type TypeNode,
  type VariableDefinitionNode,
} from 'graphql';

/** Whether a value is what a built-in scalar's input coercion returns unchanged. */
const unchanged = new Map<GraphQLScalarType, (value: unknown) => boolean>([
  [GraphQLID, (value) => typeof value === 'string'],
  [GraphQLString, (value) => typeof value === 'string'],
  [GraphQLBoolean, (value) => typeof value === 'boolean'],
  [GraphQLInt, (value) => Number.isInteger(value) && (value as number) <= 2147483647 && (value as number) >= -2147483648],
  [GraphQLFloat, (value) => typeof value === 'number' && Number.isFinite(value)],
]);

/**
 * graphql-js's `getVariableValues`, with a shortcut for the variables the query planner sends
 * (`$__merge_ids: [ID!]!`, keys and arguments of built-in scalar types): when every variable is
 * given, of a built-in scalar type or lists of one, and already the value coercion would return
 * (a string for `ID`, an `Int` in range, no single value where a list goes), the values are used
 * as they are. Anything else (defaults, missing or null non-null variables, enums, input objects,
 * custom scalars, an integer `ID`) goes through graphql-js, so the result and its errors are
 * always graphql-js's.
 */
export function variableValues(
  schema: GraphQLSchema,
  definitions: readonly VariableDefinitionNode[],
  raw: Readonly<Record<string, unknown>>,
): { coerced: Record<string, unknown>; errors?: never } | { errors: readonly GraphQLError[]; coerced?: never } {
  const coerced: Record<string, unknown> = {};
  for (const definition of definitions) {
    const name = definition.variable.name.value;
    const value = raw[name];
    if (value === undefined || !isUnchanged(schema, definition.type, value)) return getVariableValues(schema, definitions, raw) as never;
    coerced[name] = value;
  }
  return { coerced };
}

function isUnchanged(schema: GraphQLSchema, type: TypeNode, value: unknown): boolean {
  if (type.kind === Kind.NON_NULL_TYPE) return value !== null && isUnchanged(schema, type.type, value);
  if (value === null) return true;
  if (type.kind === Kind.LIST_TYPE) {
    if (!Array.isArray(value)) return false;
    for (const item of value) if (!isUnchanged(schema, type.type, item)) return false;
    return true;
  }
  const named = schema.getType(type.name.value);
  return named !== undefined && unchanged.get(named as GraphQLScalarType)?.(value) === true;
}
