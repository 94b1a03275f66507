import type { GraphQLSchema } from 'graphql';
import { collectArgumentBounds } from '../limits/argument-bounds.ts';
import type { LoadedSource } from '../sources/loaded-source.ts';
import { composeSchema } from './compose-schema.ts';

/**
 * Composes the sources as start-up does and runs start-up's other checks of the registered
 * schemas (today: argument bounds), so that `concierge check` and the schema registry refuse
 * exactly what start-up refuses. Throws a `SchemaError` listing every problem.
 */
export function composeChecked(sources: readonly LoadedSource[]): GraphQLSchema {
  const schema = composeSchema(sources);
  collectArgumentBounds(sources);
  return schema;
}
