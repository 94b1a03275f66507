import type { Plugin } from 'graphql-yoga';

/** The response header naming the registry graph version that answered. */
export const schemaVersionHeader = 'x-concierge-schema-version';

/** Sets `x-concierge-schema-version` on every answer of one graph version's Yoga. */
export function useSchemaVersionHeader(version: number): Plugin {
  const value = String(version);
  return {
    onResponse({ response }) {
      response.headers.set(schemaVersionHeader, value);
    },
  };
}
