import { filterSchema, pruneSchema } from '@graphql-tools/utils';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isNonNullType,
  isObjectType,
  isUnionType,
  validateSchema,
  type GraphQLArgument,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import type { NormalizedClientProfile } from './normalize-clients.ts';
import type { SchemaTags } from './schema-tags.ts';

/** A profile's view of the composed schema, or what makes it impossible. */
export type ViewResult = { schema: GraphQLSchema; problems?: undefined } | { problems: string[] };

/**
 * The schema a profile sees: the composed schema with federation contracts' rules applied to its
 * `include`/`exclude` (see `ClientProfileConfig`). Removals cascade until nothing changes: a
 * removed type takes the fields, arguments and input fields typed by it; a removed required
 * argument takes its field; a removed required input field takes its input type; a type left with
 * no fields, members or values goes too. Types nothing reaches are pruned. Unknown tags and
 * coordinates, a `Query` left empty and a view graphql-js finds invalid are problems naming the key.
 */
export function buildSchemaView(schema: GraphQLSchema, tags: SchemaTags, profile: NormalizedClientProfile): ViewResult {
  const problems = unknownNames(schema, tags, profile);
  if (problems.length > 0) return { problems };
  if (!profile.includeTags && profile.excludeTags.length === 0 && profile.excludeCoordinates.length === 0) return { schema };
  const hidden = initiallyHidden(schema, tags, profile);
  cascade(schema, hidden);
  const queryType = schema.getQueryType();
  if (queryType && hidden.has(queryType.name))
    return { problems: [`${profile.key}: the view leaves ${queryType.name} with no field; expected include/exclude to keep at least one`] };
  const view = pruneSchema(
    filterSchema({
      schema,
      typeFilter: (name) => !hidden.has(name),
      rootFieldFilter: (operation, name) => !hidden.has(`${rootName(schema, operation)}.${name}`),
      objectFieldFilter: (type, name) => !hidden.has(`${type}.${name}`),
      interfaceFieldFilter: (type, name) => !hidden.has(`${type}.${name}`),
      inputObjectFieldFilter: (type, name) => !hidden.has(`${type}.${name}`),
      argumentFilter: (type, field, name) => type === undefined || field === undefined || !hidden.has(`${type}.${field}(${name}:)`),
      enumValueFilter: (type, name) => !hidden.has(`${type}.${name}`),
    }),
  );
  const invalid = validateSchema(view);
  if (invalid.length > 0) return { problems: invalid.map((error) => `${profile.key}: the view is not a valid schema: ${error.message}`) };
  return { schema: view };
}

function rootName(schema: GraphQLSchema, operation: 'Query' | 'Mutation' | 'Subscription'): string {
  const type = operation === 'Query' ? schema.getQueryType() : operation === 'Mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  return type?.name ?? operation;
}

/** Tags no `@tag` of the graph carries and coordinates the composed schema lacks. */
function unknownNames(schema: GraphQLSchema, tags: SchemaTags, profile: NormalizedClientProfile): string[] {
  const problems: string[] = [];
  const used = new Set([...tags.values()].flatMap((set) => [...set]));
  const expected =
    used.size > 0
      ? `tags used by @tag in the registered schemas (${[...used].sort().join(', ')})`
      : 'tags used by @tag in the registered schemas (they use none)';
  for (const [key, list] of [
    [`${profile.key}.include.tags`, profile.includeTags ?? []],
    [`${profile.key}.exclude.tags`, profile.excludeTags],
  ] as const) {
    for (const tag of list) if (!used.has(tag)) problems.push(`${key}: expected ${expected}, got "${tag}"`);
  }
  for (const coordinate of profile.excludeCoordinates) {
    if (!coordinateExists(schema, coordinate))
      problems.push(`${profile.key}.exclude.coordinates: expected coordinates of the composed schema, got "${coordinate}" (no such element)`);
  }
  return problems;
}

function coordinateExists(schema: GraphQLSchema, coordinate: string): boolean {
  const [, typeName = '', member, argument] = /^(\w+)(?:\.(\w+)(?:\((\w+):\))?)?$/.exec(coordinate) ?? [];
  const type = schema.getType(typeName);
  if (!type || member === undefined) return type !== undefined;
  if (isObjectType(type) || isInterfaceType(type)) {
    const field = type.getFields()[member];
    return field !== undefined && (argument === undefined || field.args.some((arg) => arg.name === argument));
  }
  if (argument !== undefined) return false;
  if (isInputObjectType(type)) return type.getFields()[member] !== undefined;
  if (isEnumType(type)) return type.getValue(member) !== undefined;
  return false;
}

/** What the profile's tags and coordinates remove before any cascade. */
function initiallyHidden(schema: GraphQLSchema, tags: SchemaTags, profile: NormalizedClientProfile): Set<string> {
  const hidden = new Set(profile.excludeCoordinates);
  const excluded = new Set(profile.excludeTags);
  const included = profile.includeTags && new Set(profile.includeTags);
  const has = (coordinate: string, wanted: ReadonlySet<string>) => [...(tags.get(coordinate) ?? [])].some((tag) => wanted.has(tag));
  for (const [coordinate, set] of tags) if ([...set].some((tag) => excluded.has(tag))) hidden.add(coordinate);
  if (!included) return hidden;
  for (const type of userTypes(schema)) {
    if (isUnionType(type) && !has(type.name, included)) hidden.add(type.name);
    if (!(isObjectType(type) || isInterfaceType(type)) || has(type.name, included)) continue;
    for (const field of Object.values(type.getFields())) if (!has(`${type.name}.${field.name}`, included)) hidden.add(`${type.name}.${field.name}`);
  }
  return hidden;
}

/**
 * Applies the contract rules until nothing more is removed. Each pass only adds to `hidden`, and
 * there are finitely many coordinates, so it ends.
 */
function cascade(schema: GraphQLSchema, hidden: Set<string>): void {
  const typeHidden = (type: GraphQLNamedType) => hidden.has(type.name);
  const required = (input: GraphQLArgument | GraphQLInputField) => isNonNullType(input.type) && input.defaultValue === undefined;
  for (let changed = true; changed; ) {
    const before = hidden.size;
    for (const type of userTypes(schema)) {
      if (typeHidden(type)) continue;
      if (isObjectType(type) || isInterfaceType(type)) {
        const fields = Object.values(type.getFields());
        for (const field of fields) {
          const coordinate = `${type.name}.${field.name}`;
          if (typeHidden(getNamedType(field.type))) hidden.add(coordinate);
          for (const argument of field.args) {
            const at = `${coordinate}(${argument.name}:)`;
            if (typeHidden(getNamedType(argument.type))) hidden.add(at);
            if (hidden.has(at) && required(argument)) hidden.add(coordinate);
          }
        }
        if (fields.every((field) => hidden.has(`${type.name}.${field.name}`))) hidden.add(type.name);
      } else if (isInputObjectType(type)) {
        const fields = Object.values(type.getFields());
        for (const field of fields) {
          const coordinate = `${type.name}.${field.name}`;
          if (typeHidden(getNamedType(field.type))) hidden.add(coordinate);
          if (hidden.has(coordinate) && required(field)) hidden.add(type.name);
        }
        if (fields.every((field) => hidden.has(`${type.name}.${field.name}`))) hidden.add(type.name);
      } else if (isUnionType(type)) {
        if (type.getTypes().every(typeHidden)) hidden.add(type.name);
      } else if (isEnumType(type)) {
        if (type.getValues().every((value) => hidden.has(`${type.name}.${value.name}`))) hidden.add(type.name);
      }
    }
    changed = hidden.size !== before;
  }
}

function userTypes(schema: GraphQLSchema): GraphQLNamedType[] {
  return Object.values(schema.getTypeMap()).filter((type) => !type.name.startsWith('__'));
}
