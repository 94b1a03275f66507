import type { Change } from '@graphql-inspector/core';
import { getNamedType, isEnumType, isInputObjectType, isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';

/**
 * The schema coordinates whose use a breaking change breaks, read against the schema before it:
 * an operation that used none of them runs as before. Coordinates are those `operationCoordinates`
 * records: `Type.field`, `Type.field(arg:)`, `Input.field`, `Enum.VALUE`, and `Type` for a type
 * condition. A removed type touches its fields, every field returning it, every argument and input
 * field taking it, and fragments on it; a new required argument touches every use of its field; a
 * new required input field every use of its input type.
 */
export function touchedCoordinates(change: Change, before: GraphQLSchema): string[] {
  const [type = '', member, argument] = (change.path ?? '').split('.');
  const meta = change.meta as Record<string, unknown>;
  switch (change.type) {
    case 'FIELD_ARGUMENT_REMOVED':
    case 'FIELD_ARGUMENT_TYPE_CHANGED':
      return [`${type}.${member}(${argument}:)`];
    case 'FIELD_ARGUMENT_ADDED':
      return [`${type}.${member}`];
    case 'INPUT_FIELD_ADDED':
      return takers(before, type);
    case 'TYPE_REMOVED':
    case 'TYPE_KIND_CHANGED':
      return [type, ...membersOf(before, type), ...returning(before, type), ...takers(before, type)];
    case 'UNION_MEMBER_REMOVED':
      return [String(meta['removedUnionMemberTypeName'])];
    case 'OBJECT_TYPE_INTERFACE_REMOVED':
      return [String(meta['objectTypeName'] ?? type)];
    case 'SCHEMA_QUERY_TYPE_CHANGED':
    case 'SCHEMA_MUTATION_TYPE_CHANGED':
    case 'SCHEMA_SUBSCRIPTION_TYPE_CHANGED':
      return membersOf(before, String(meta['oldQueryTypeName'] ?? meta['oldMutationTypeName'] ?? meta['oldSubscriptionTypeName'] ?? type));
    default:
      // FIELD_REMOVED, FIELD_TYPE_CHANGED, INPUT_FIELD_*, ENUM_VALUE_REMOVED, and anything else by its path.
      if (argument !== undefined) return [`${type}.${member}(${argument}:)`];
      return member === undefined ? [type, ...membersOf(before, type)] : [`${type}.${member}`];
  }
}

/** `Type.field` of an object or interface, `Input.field`, or `Enum.VALUE`, of every member of a type. */
function membersOf(schema: GraphQLSchema, name: string): string[] {
  const type = schema.getType(name);
  if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) return Object.keys(type.getFields()).map((field) => `${name}.${field}`);
  if (isEnumType(type)) return type.getValues().map((value) => `${name}.${value.name}`);
  return [];
}

/** Every field whose type is the named type (in a list or not). */
function returning(schema: GraphQLSchema, name: string): string[] {
  return Object.values(schema.getTypeMap()).flatMap((type) =>
    isObjectType(type) || isInterfaceType(type)
      ? Object.values(type.getFields())
          .filter((field) => getNamedType(field.type).name === name)
          .map((field) => `${type.name}.${field.name}`)
      : [],
  );
}

/** Every argument and input field that takes the named type. */
function takers(schema: GraphQLSchema, name: string): string[] {
  return Object.values(schema.getTypeMap()).flatMap((type) => {
    if (isInputObjectType(type))
      return Object.values(type.getFields())
        .filter((field) => getNamedType(field.type).name === name)
        .map((field) => `${type.name}.${field.name}`);
    if (!isObjectType(type) && !isInterfaceType(type)) return [];
    return Object.values(type.getFields()).flatMap((field) =>
      field.args.filter((arg) => getNamedType(arg.type).name === name).map((arg) => `${type.name}.${field.name}(${arg.name}:)`),
    );
  });
}
