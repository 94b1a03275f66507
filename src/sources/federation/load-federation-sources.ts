import { getStitchingOptionsFromSupergraphSdl } from '@graphql-tools/federation';
import type { DocumentNode } from 'graphql';
import type { NormalizedSource } from '../../config/normalize-config.ts';
import { createSourceClient } from '../create-source-client.ts';
import type { OnFetch } from '../../transport/fetch-hooks.ts';
import type { InstancePools } from '../../transport/instance-pools.ts';
import type { HttpClient } from '../../transport/http-client.ts';
import { createGraphQLExecutor } from '../graphql/create-graphql-executor.ts';
import type { LoadedSource } from '../loaded-source.ts';
import { composeSubgraphs, supergraphFromFile } from './compose-subgraphs.ts';
import { joinGraphs } from './join-graphs.ts';

/**
 * The Federation v2 subgraphs of a config as one supergraph: composed from each subgraph's answer
 * to `{ _service { sdl } }` at start-up, or read from `config.supergraph` (nothing asked of the
 * subgraphs). The supergraph's subschemas (entities joined by `@key` through `_entities`) become
 * one loaded source per subgraph, called through our HTTP client.
 */
export async function loadFederationSources(sources: readonly NormalizedSource[], onFetch?: OnFetch, pools?: InstancePools): Promise<LoadedSource[]> {
  const clients = new Map(sources.map((source) => [source.name, createSourceClient(source, onFetch, pools)] as const));
  const closeAll = () => Promise.all([...clients.values()].map((client) => client.close())).then(() => undefined);
  try {
    const file = sources.find((source) => source.supergraph)?.supergraph;
    const { supergraphDocumentNode, sdls } = file ? supergraphFromFile(file) : await composeSubgraphs(sources, (source) => clientOf(clients, source));
    const graphs = subgraphNames(supergraphDocumentNode);
    const stitching = getStitchingOptionsFromSupergraphSdl({
      supergraphSdl: supergraphDocumentNode,
      onSubschemaConfig: (subschema) => {
        const source = sources.find((candidate) => candidate.name === graphs.get(subschema.name));
        if (!source) throw new Error(`the supergraph has a subgraph ${subschema.name} that no federation source configures`);
        subschema.name = source.name;
        subschema.executor = createGraphQLExecutor(source, clientOf(clients, source));
        subschema.batch = source.batch;
      },
    });
    const supergraph = { typeDefs: stitching.typeDefs, fieldConfigMerger: stitching.typeMergingOptions.fieldConfigMerger, document: supergraphDocumentNode };
    const closing = new Set<string>();
    return stitching.subschemas.map((subschema) => {
      const name = subschema.name ?? '';
      const client = clients.get(name) as HttpClient;
      const closes = !closing.has(name);
      closing.add(name);
      return { name, kind: 'federation', sdl: sdls.get(name) ?? '', subschema, supergraph, client, close: () => (closes ? client.close() : Promise.resolve()) };
    });
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** The supergraph names each subgraph by a `join__Graph` value (`PRODUCTS`); its `join__graph(name:)` is the source's name. */
function subgraphNames(supergraph: DocumentNode): Map<string, string> {
  return new Map((joinGraphs(supergraph) ?? []).flatMap(({ value, name }) => (name === undefined ? [] : [[value, name] as const])));
}

function clientOf(clients: ReadonlyMap<string, HttpClient>, source: NormalizedSource): HttpClient {
  return clients.get(source.name) as HttpClient;
}
