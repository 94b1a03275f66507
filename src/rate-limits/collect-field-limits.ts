import { getDirective } from '@graphql-tools/utils';
import { isInterfaceType, isObjectType } from 'graphql';
import { createChecker } from '../config/config-checker.ts';
import { ConfigError } from '../config/config-error.ts';
import type { LoadedSource } from '../sources/loaded-source.ts';
import { normalizeFieldLimit, type NormalizedFieldLimit } from './rate-limits-config.ts';

/**
 * Field limits by coordinate: `@rateLimit` in the registered schemas, then the config's
 * `rateLimits.fields` (which win, for services whose SDL we do not own). A configured coordinate
 * that no source has is a start-up error.
 */
export function collectFieldLimits(sources: readonly LoadedSource[], configured: ReadonlyMap<string, NormalizedFieldLimit>): Map<string, NormalizedFieldLimit> {
  const problems: string[] = [];
  const check = createChecker(problems);
  const limits = new Map<string, NormalizedFieldLimit>();
  const coordinates = new Set<string>();
  for (const source of sources) {
    const schema = source.subschema.schema;
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || (!isObjectType(type) && !isInterfaceType(type))) continue;
      for (const field of Object.values(type.getFields())) {
        const coordinate = `${type.name}.${field.name}`;
        coordinates.add(coordinate);
        const [args] = getDirective(schema, field, 'rateLimit') ?? [];
        if (!args) continue;
        const limit = normalizeFieldLimit(withoutNulls(args), `${source.name}: ${coordinate} @rateLimit`, check);
        if (limit) limits.set(coordinate, limit);
      }
    }
  }
  for (const [coordinate, limit] of configured) {
    if (!coordinates.has(coordinate)) problems.push(`config.rateLimits.fields.${coordinate}: expected a field of a registered schema, found none`);
    limits.set(coordinate, limit);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return limits;
}

function withoutNulls(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args).filter(([, value]) => value !== null && value !== undefined));
}
