import { getDirective } from '@graphql-tools/utils';
import { isInterfaceType, isObjectType, type GraphQLNamedType, type GraphQLSchema } from 'graphql';
import type { LoadedSource } from '../sources/loaded-source.ts';

/**
 * What reading an element needs. Every listed requirement must hold (requirements from several
 * services and from the field's type add up); within `scopes` and `policies` the outer list is OR,
 * the inner list AND.
 */
export interface Requirement {
  authenticated: boolean;
  scopes: string[][][];
  policies: string[][][];
}

/** Requirements by field coordinate (`Type.field`) and by type name (applying to fields returning it). */
export interface AuthorizationRules {
  fields: Map<string, Requirement>;
  types: Map<string, Requirement>;
  /** Every policy name the schemas use, to check the config provides each. */
  policyNames: Set<string>;
}

/** Reads `@authenticated`, `@requiresScopes` and `@policy` from every registered schema. */
export function collectAuthorizationRules(sources: readonly LoadedSource[]): AuthorizationRules {
  const rules: AuthorizationRules = { fields: new Map(), types: new Map(), policyNames: new Set() };
  for (const { subschema } of sources) {
    const schema = subschema.schema;
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      add(rules, rules.types, type.name, read(schema, type));
      if (!isObjectType(type) && !isInterfaceType(type)) continue;
      for (const field of Object.values(type.getFields())) add(rules, rules.fields, `${type.name}.${field.name}`, read(schema, field));
    }
  }
  return rules;
}

function read(schema: GraphQLSchema, element: GraphQLNamedType | Parameters<typeof getDirective>[1]): Requirement | undefined {
  const authenticated = (getDirective(schema, element, 'authenticated') ?? []).length > 0;
  const scopes = (getDirective(schema, element, 'requiresScopes') ?? []).map((args) => distinct(args['scopes'] as string[][]));
  const policies = (getDirective(schema, element, 'policy') ?? []).map((args) => distinct(args['policies'] as string[][]));
  return authenticated || scopes.length > 0 || policies.length > 0 ? { authenticated, scopes, policies } : undefined;
}

/**
 * The alternatives without repeats. Composition can hand back a type's directive with its list
 * arguments merged with themselves (`[["a"], ["a"]]`): the same rule, named once.
 */
function distinct(alternatives: string[][]): string[][] {
  return [...new Map(alternatives.map((all) => [JSON.stringify(all), all])).values()];
}

function add(rules: AuthorizationRules, map: Map<string, Requirement>, key: string, requirement: Requirement | undefined): void {
  if (!requirement) return;
  for (const alternatives of requirement.policies) for (const names of alternatives) for (const name of names) rules.policyNames.add(name);
  const existing = map.get(key);
  if (!existing) map.set(key, requirement);
  else
    map.set(key, {
      authenticated: existing.authenticated || requirement.authenticated,
      scopes: [...existing.scopes, ...requirement.scopes],
      policies: [...existing.policies, ...requirement.policies],
    });
}
