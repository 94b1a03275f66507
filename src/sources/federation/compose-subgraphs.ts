import { composeServices } from '@theguild/federation-composition';
import { Source, parse, type DocumentNode, type GraphQLError } from 'graphql';
import { widenSharedFieldTypes } from '../../composition/shared-field-types.ts';
import type { NormalizedSource } from '../../config/normalize-config.ts';
import type { HttpClient } from '../../transport/http-client.ts';
import { createGraphQLExecutor } from '../graphql/create-graphql-executor.ts';
import { SchemaError, displayPath } from '../schema-error.ts';
import { describeCompositionErrors } from './describe-composition-error.ts';
import type { NormalizedSupergraph } from './supergraph-config.ts';

/** A supergraph to stitch, and the SDL of each subgraph it was composed from (by source name). */
export interface Supergraph {
  supergraphDocumentNode: DocumentNode;
  sdls: ReadonlyMap<string, string>;
}

/**
 * Asks each subgraph for its SDL (`{ _service { sdl } }`), unless the registry gave it, and composes
 * them. A subgraph that does not answer, and every composition error, is a problem naming the source.
 * A shared field whose type differs per subgraph gets the widest type and `@join__field(type:)`s, as
 * Apollo's composition writes it (see {@link widenSharedFieldTypes}).
 */
export async function composeSubgraphs(sources: readonly NormalizedSource[], clientOf: (source: NormalizedSource) => HttpClient): Promise<Supergraph> {
  const settled = await Promise.allSettled(
    sources.map((source) => (source.registered ? parseRegistered(source.registered) : readServiceSdl(source, clientOf(source)))),
  );
  const problems = settled.flatMap((result) => (result.status === 'rejected' ? [(result.reason as Error).message] : []));
  if (problems.length > 0) throw new SchemaError(problems);
  const subgraphs = sources.map((source, index) => ({
    name: source.name,
    url: source.url,
    ...(settled[index] as PromiseFulfilledResult<{ sdl: string; typeDefs: DocumentNode }>).value,
  }));
  const composed = composeServices(subgraphs);
  if (composed.errors) throw new SchemaError(describeCompositionErrors(composed.errors, subgraphs));
  return {
    supergraphDocumentNode: widenSharedFieldTypes(composed.supergraphDocumentNode, subgraphs),
    sdls: new Map(subgraphs.map(({ name, sdl }) => [name, sdl])),
  };
}

/** The supergraph of `config.supergraph`: nothing is asked of the subgraphs, and no subgraph SDL is known. */
export function supergraphFromFile({ file, sdl }: NormalizedSupergraph): Supergraph {
  return { supergraphDocumentNode: parse(new Source(sdl, displayPath(file))), sdls: new Map() };
}

async function parseRegistered({ sdl, name }: { sdl: string; name: string }): Promise<{ sdl: string; typeDefs: DocumentNode }> {
  try {
    return { sdl, typeDefs: parse(new Source(sdl, name)) };
  } catch (error) {
    const [location] = (error as GraphQLError).locations ?? [];
    throw new Error(`${name}${location ? `:${location.line}:${location.column}` : ''}: ${(error as Error).message}`);
  }
}

async function readServiceSdl(source: NormalizedSource, client: HttpClient): Promise<{ sdl: string; typeDefs: DocumentNode }> {
  let sdl: unknown;
  try {
    const result = (await createGraphQLExecutor(source, client)({ document: parse('{ _service { sdl } }') })) as {
      data?: { _service?: { sdl?: unknown } };
      errors?: readonly { message: string }[];
    };
    sdl = result.data?._service?.sdl;
    if (typeof sdl !== 'string') throw new Error(result.errors?.map((error) => error.message).join('; ') ?? '_service.sdl is not a string');
  } catch (error) {
    throw new Error(`sources.${source.name}: reading the subgraph's SDL ({ _service { sdl } }) failed: ${(error as Error).message}`);
  }
  try {
    return { sdl, typeDefs: parse(sdl) };
  } catch (error) {
    const [location] = (error as GraphQLError).locations ?? [];
    throw new Error(
      `sources.${source.name}: the subgraph's SDL ({ _service { sdl } }) does not parse${location ? ` at line ${location.line}, column ${location.column}` : ''}: ${(error as Error).message}`,
    );
  }
}
