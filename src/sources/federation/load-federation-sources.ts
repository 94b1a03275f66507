import { getStitchingOptionsFromSupergraphSdl } from '@graphql-tools/federation';
import { composeServices } from '@theguild/federation-composition';
import { Kind, parse, type DocumentNode, type GraphQLError } from 'graphql';
import type { NormalizedSource } from '../../config/normalize-config.ts';
import type { OnFetch } from '../../transport/fetch-hooks.ts';
import { createHttpClient, type HttpClient } from '../../transport/http-client.ts';
import { createGraphQLExecutor } from '../graphql/create-graphql-executor.ts';
import type { LoadedSource } from '../loaded-source.ts';
import { SchemaError } from '../schema-error.ts';

/**
 * The Federation v2 subgraphs of a config, composed into one supergraph. Each subgraph's SDL is its
 * answer to `{ _service { sdl } }` at start-up; the supergraph's subschemas (entities joined by
 * `@key` through `_entities`) become one loaded source per subgraph, called through our HTTP client.
 */
export async function loadFederationSources(sources: readonly NormalizedSource[], onFetch?: OnFetch): Promise<LoadedSource[]> {
  const clients = new Map(sources.map((source) => [source.name, createHttpClient({ service: source.name, url: source.url, timeout: source.timeout, connections: source.connections, headers: source.headers, tls: source.tls, httpCache: source.httpCache, dedupeInFlight: source.dedupeInFlight, ...(onFetch ? { onFetch } : {}) })] as const));
  const closeAll = () => Promise.all([...clients.values()].map((client) => client.close())).then(() => undefined);
  try {
    const settled = await Promise.allSettled(sources.map((source) => readServiceSdl(source, clientOf(clients, source))));
    const problems = settled.flatMap((result) => (result.status === 'rejected' ? [(result.reason as Error).message] : []));
    if (problems.length > 0) throw new SchemaError(problems);
    const sdls = new Map(sources.map((source, index) => [source.name, (settled[index] as PromiseFulfilledResult<string>).value]));
    const composed = composeServices(sources.map((source) => ({ name: source.name, url: source.url, typeDefs: parse(sdls.get(source.name) ?? '') })));
    if (composed.errors) throw new SchemaError(composed.errors.map((error) => compositionProblem(error, sources)));
    const graphs = subgraphNames(composed.supergraphDocumentNode);
    const stitching = getStitchingOptionsFromSupergraphSdl({
      supergraphSdl: composed.supergraphDocumentNode,
      onSubschemaConfig: (subschema) => {
        const source = sources.find((candidate) => candidate.name === graphs.get(subschema.name));
        if (!source) throw new Error(`the supergraph has a subgraph ${subschema.name} that no federation source configures`);
        subschema.name = source.name;
        subschema.executor = createGraphQLExecutor(source, clientOf(clients, source));
        subschema.batch = source.batch;
      },
    });
    const supergraph = { typeDefs: stitching.typeDefs, fieldConfigMerger: stitching.typeMergingOptions.fieldConfigMerger };
    const closing = new Set<string>();
    return stitching.subschemas.map((subschema) => {
      const name = subschema.name ?? '';
      const client = closing.has(name) ? undefined : clients.get(name);
      closing.add(name);
      return { name, kind: 'federation', sdl: sdls.get(name) ?? '', subschema, supergraph, close: () => client?.close() ?? Promise.resolve() };
    });
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** The supergraph names each subgraph by a `join__Graph` value (`PRODUCTS`); its `join__graph(name:)` is the source's name. */
function subgraphNames(supergraph: DocumentNode): Map<string, string> {
  const names = new Map<string, string>();
  for (const definition of supergraph.definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') continue;
    for (const value of definition.values ?? []) {
      const name = value.directives?.find((directive) => directive.name.value === 'join__graph')?.arguments?.find((argument) => argument.name.value === 'name')?.value;
      if (name?.kind === Kind.STRING) names.set(value.name.value, name.value);
    }
  }
  return names;
}

function clientOf(clients: ReadonlyMap<string, HttpClient>, source: NormalizedSource): HttpClient {
  return clients.get(source.name) as HttpClient;
}

async function readServiceSdl(source: NormalizedSource, client: HttpClient): Promise<string> {
  try {
    const result = (await createGraphQLExecutor(source, client)({ document: parse('{ _service { sdl } }') })) as { data?: { _service?: { sdl?: unknown } }; errors?: readonly { message: string }[] };
    const sdl = result.data?._service?.sdl;
    if (typeof sdl !== 'string') throw new Error(result.errors?.map((error) => error.message).join('; ') ?? '_service.sdl is not a string');
    return sdl;
  } catch (error) {
    throw new Error(`sources.${source.name}: reading the subgraph's SDL ({ _service { sdl } }) failed: ${(error as Error).message}`);
  }
}

/** Composition reports a subgraph as `[name] message`; the problem names the source instead. */
function compositionProblem(error: GraphQLError, sources: readonly NormalizedSource[]): string {
  const code = typeof error.extensions['code'] === 'string' ? ` (${error.extensions['code']})` : '';
  const prefixed = /^\[([^\]]+)\] ([\s\S]*)$/.exec(error.message);
  if (prefixed && sources.some((source) => source.name === prefixed[1])) return `sources.${prefixed[1]}: federation composition${code}: ${prefixed[2]}`;
  const named = sources.filter((source) => error.message.includes(`"${source.name}"`)).map((source) => source.name);
  return `${named.length > 0 ? named.map((name) => `sources.${name}`).join(', ') : 'federation'}: federation composition${code}: ${error.message}`;
}
