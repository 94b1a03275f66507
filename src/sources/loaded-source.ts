import type { SubschemaConfig } from '@graphql-tools/delegate';
import type { Executor } from '@graphql-tools/utils';
import type { MergeFieldConfigCandidate } from '@graphql-tools/stitch';
import type { DocumentNode, GraphQLFieldConfig } from 'graphql';
import type { HttpClient } from '../transport/http-client.ts';

/** A source ready to compose: its schema as registered and how the gateway calls it. */
export interface LoadedSource {
  name: string;
  kind: 'graphql' | 'rest' | 'federation';
  /** The registered SDL (or, for an introspected service, the SDL it reported). */
  sdl: string;
  /** What stitching delegates to: a remote executor, or the REST source's local resolvers. */
  subschema: SubschemaConfig;
  /** The executor the query planner sends this source's calls to, when not the subschema's (a REST source's in-process one). */
  plannedExecutor?: Executor;
  /** For a federation subgraph: what stitching needs beyond the subschemas, shared by all subgraphs of the config. */
  supergraph?: FederationStitching;
  /** The source's HTTP client (plain routes proxy through it); the subgraphs of one supergraph each have their own. */
  client: HttpClient;
  /** Closes the source's connections. */
  close(): Promise<void>;
}

/** The supergraph's part of stitching: its extra definitions, and how fields several subgraphs resolve (`@shareable`, `@override`) merge. */
export interface FederationStitching {
  typeDefs: DocumentNode;
  fieldConfigMerger: (candidates: MergeFieldConfigCandidate[]) => GraphQLFieldConfig<unknown, Record<string, unknown>>;
  /** The supergraph SDL itself (`join__*` directives), read by the query planner. */
  document: DocumentNode;
}
