import type { GraphQLSchema } from 'graphql';
import { composeChecked } from '../composition/compose-checked.ts';
import { ConfigError } from '../config/config-error.ts';
import { loadSources } from '../sources/load-sources.ts';
import type { LoadedSource } from '../sources/loaded-source.ts';
import { SchemaError } from '../sources/schema-error.ts';
import { registeredSources, type RegisteredService } from './registered-sources.ts';

/** A composition of registered services: the public schema, or the problems start-up would report. */
export type Composition = { schema: GraphQLSchema; problems?: undefined } | { schema?: undefined; problems: string[] };

/**
 * Composes registered services with start-up's own code path (sources loaded from their SDL, no
 * service asked; stitched; start-up's checks), so its problems are start-up's lines.
 */
export async function composeRegistered(services: readonly RegisteredService[]): Promise<Composition> {
  if (services.length === 0) return { problems: ['composition: no service would be left to compose'] };
  let sources: LoadedSource[];
  try {
    sources = await loadSources({ sources: registeredSources(services) });
  } catch (error) {
    if (error instanceof SchemaError || error instanceof ConfigError) return { problems: [...error.problems] };
    throw error;
  }
  try {
    return { schema: composeChecked(sources) };
  } catch (error) {
    if (error instanceof SchemaError) return { problems: [...error.problems] };
    throw error;
  } finally {
    await Promise.all(sources.map((source) => source.close()));
  }
}
