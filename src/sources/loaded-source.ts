import type { SubschemaConfig } from '@graphql-tools/delegate';

/** A source ready to compose: its schema as registered and how the gateway calls it. */
export interface LoadedSource {
  name: string;
  kind: 'graphql' | 'rest';
  /** The registered SDL (or, for an introspected service, the SDL it reported). */
  sdl: string;
  /** What stitching delegates to: a remote executor, or the REST source's local resolvers. */
  subschema: SubschemaConfig;
  /** Closes the source's connections. */
  close(): Promise<void>;
}
