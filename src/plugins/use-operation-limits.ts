import type { GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { NormalizedLimits } from '../limits/limits-config.ts';
import type { LoadedSource } from '../sources/loaded-source.ts';

/** Depth, alias, root-field, directive, token and cost limits; introspection and suggestion policy. STUB. */
export function useOperationLimits(_limits: NormalizedLimits, _schema: GraphQLSchema, _sources: readonly LoadedSource[]): Plugin {
  return {};
}
