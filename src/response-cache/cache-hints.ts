import { getDirective } from '@graphql-tools/utils';
import { isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import type { LoadedSource } from '../sources/loaded-source.ts';
import type { NormalizedResponseCache } from './response-cache-config.ts';

/** Who may share a cached response: everyone, or only the caller who asked. */
export type CacheScope = 'PUBLIC' | 'PRIVATE';

/** One `@cacheControl` hint; an absent member says nothing. */
export interface CacheHint {
  maxAge?: number;
  scope?: CacheScope;
  /** A field returning an object keeps its parent's maxAge instead of the default. */
  inheritMaxAge?: boolean;
}

/**
 * The `@cacheControl` hints of the registered schemas, as data, with the config's `ttlPerType` and
 * `ttlPerCoordinate` in place of the schemas' `maxAge`. The composed schema carries no directives,
 * so they are read from each source's own schema; an element several services hint takes the
 * shortest maxAge and is PRIVATE if any says so.
 */
export interface CacheHints {
  /** By type name (objects, interfaces, unions). */
  types: ReadonlyMap<string, CacheHint>;
  /** By field coordinate, `Type.field`. */
  fields: ReadonlyMap<string, CacheHint>;
}

/** Reads the hints; returns them with the config's names that no registered schema defines. */
export function collectCacheHints(
  sources: readonly LoadedSource[],
  options: Pick<NormalizedResponseCache, 'ttlPerType' | 'ttlPerCoordinate'>,
): { hints: CacheHints; problems: string[] } {
  const types = new Map<string, CacheHint>();
  const fields = new Map<string, CacheHint>();
  const schemas = sources.map((source) => source.subschema.schema);
  for (const schema of schemas) {
    if (!schema.getDirective('cacheControl')) continue;
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      merge(types, type.name, read(schema, type));
      if (!isObjectType(type) && !isInterfaceType(type)) continue;
      for (const field of Object.values(type.getFields())) merge(fields, `${type.name}.${field.name}`, read(schema, field));
    }
  }
  const problems: string[] = [];
  for (const [name, maxAge] of options.ttlPerType) {
    if (!schemas.some((schema) => schema.getType(name)))
      problems.push(`config.responseCache.ttlPerType.${name}: expected a type of the registered schemas, found none`);
    types.set(name, { ...types.get(name), maxAge });
  }
  for (const [coordinate, maxAge] of options.ttlPerCoordinate) {
    if (!schemas.some((schema) => hasField(schema, coordinate)))
      problems.push(`config.responseCache.ttlPerCoordinate.${coordinate}: expected a field of the registered schemas, found none`);
    fields.set(coordinate, { ...fields.get(coordinate), maxAge });
  }
  return { hints: { types, fields }, problems };
}

function read(schema: GraphQLSchema, element: Parameters<typeof getDirective>[1]): CacheHint | undefined {
  const args = getDirective(schema, element, 'cacheControl')?.[0] as
    | { maxAge?: number | null; scope?: CacheScope | null; inheritMaxAge?: boolean | null }
    | undefined;
  if (!args) return undefined;
  return {
    ...(typeof args.maxAge === 'number' ? { maxAge: Math.max(0, args.maxAge) } : {}),
    ...(args.scope ? { scope: args.scope } : {}),
    ...(args.inheritMaxAge ? { inheritMaxAge: true } : {}),
  };
}

function merge(map: Map<string, CacheHint>, key: string, hint: CacheHint | undefined): void {
  if (!hint) return;
  const known = map.get(key);
  if (!known) return void map.set(key, hint);
  const maxAges = [known.maxAge, hint.maxAge].filter((maxAge) => maxAge !== undefined);
  map.set(key, {
    ...(maxAges.length ? { maxAge: Math.min(...maxAges) } : {}),
    ...(known.scope === 'PRIVATE' || hint.scope === 'PRIVATE' ? { scope: 'PRIVATE' } : known.scope || hint.scope ? { scope: 'PUBLIC' } : {}),
    ...(known.inheritMaxAge || hint.inheritMaxAge ? { inheritMaxAge: true } : {}),
  });
}

function hasField(schema: GraphQLSchema, coordinate: string): boolean {
  const [typeName = '', fieldName = ''] = coordinate.split('.');
  const type = schema.getType(typeName);
  return (isObjectType(type) || isInterfaceType(type)) && fieldName in type.getFields();
}
