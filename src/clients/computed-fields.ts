import { mapSchema, MapperKind } from '@graphql-tools/utils';
import {
  GraphQLObjectType,
  getNamedType,
  isLeafType,
  isObjectType,
  typeFromAST,
  validate,
  parse,
  print,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import type { NormalizedComputedField } from './normalize-clients.ts';

/** A view with its computed fields: the schema clients validate against, and the one that executes. */
export interface ComputedView {
  /** The view with the computed fields: validation and introspection. */
  schema: GraphQLSchema;
  /** The computed fields by type name, then field name. */
  fields: ReadonlyMap<string, ReadonlyMap<string, NormalizedComputedField>>;
}

/**
 * Adds a profile's computed fields to its view. Each must be a new field of an object type of the
 * view, of a leaf type (or a list of one) the view knows, and its `requires` must be a valid
 * selection on its type in the view (the fields it needs are fetched like any other). Problems
 * name the field's config key.
 */
export function addComputedFields(
  view: GraphQLSchema,
  fields: readonly NormalizedComputedField[],
): { view: ComputedView; problems?: undefined } | { problems: string[] } {
  const problems: string[] = [];
  const byType = new Map<string, Map<string, NormalizedComputedField>>();
  const types = new Map<string, GraphQLOutputType>();
  for (const field of fields) {
    const owner = view.getType(field.typeName);
    if (!isObjectType(owner)) {
      problems.push(
        `${field.key}: expected a field of an object type of this profile's view, got type "${field.typeName}" (${owner ? 'not an object type' : 'not in the view'})`,
      );
      continue;
    }
    if (owner.getFields()[field.fieldName]) {
      problems.push(`${field.key}: expected a new field, got one ${field.typeName} already has`);
      continue;
    }
    const type = outputTypeOf(view, field);
    if (!type) {
      problems.push(`${field.key}.type: expected a scalar or enum type of the view (or a list of one), got "${print(field.type)}"`);
      continue;
    }
    const errors = validate(view, parse(`{ ... on ${field.typeName} ${print(field.requires)} }`, { noLocation: true })).filter(
      (error) => !/Fragment cannot be spread/.test(error.message),
    );
    if (errors.length > 0) {
      problems.push(
        `${field.key}.requires: expected fields of ${field.typeName} in this profile's view, got "${print(field.requires).replace(/\s+/g, ' ')}": ${errors.map((error) => error.message).join(' ')}`,
      );
      continue;
    }
    types.set(field.coordinate, type);
    let own = byType.get(field.typeName);
    if (!own) byType.set(field.typeName, (own = new Map()));
    own.set(field.fieldName, field);
  }
  if (problems.length > 0) return { problems };
  const schema = mapSchema(view, {
    [MapperKind.OBJECT_TYPE]: (type) => {
      const own = byType.get(type.name);
      if (!own) return type;
      const config = type.toConfig();
      const added = Object.fromEntries(
        [...own.values()].map((field) => [
          field.fieldName,
          { type: types.get(field.coordinate) as GraphQLOutputType, ...(field.description ? { description: field.description } : {}) },
        ]),
      );
      return new GraphQLObjectType({ ...config, fields: { ...config.fields, ...added } });
    },
  });
  return { view: { schema, fields: byType } };
}

function outputTypeOf(view: GraphQLSchema, field: NormalizedComputedField): GraphQLOutputType | undefined {
  const type = typeFromAST(view, field.type as Parameters<typeof typeFromAST>[1]);
  return type && isLeafType(getNamedType(type)) ? (type as GraphQLOutputType) : undefined;
}
