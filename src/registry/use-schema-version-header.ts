import type { Plugin } from 'graphql-yoga';

/** The response header naming the graph that answered: the registry graph version, or the supergraph file's hash prefix. */
export const schemaVersionHeader = 'x-concierge-schema-version';

/** Sets `x-concierge-schema-version` to `value` on every answer of one graph's Yoga. */
export function useSchemaVersionHeader(value: string): Plugin {
  return {
    onResponse({ response }) {
      response.headers.set(schemaVersionHeader, value);
    },
  };
}
