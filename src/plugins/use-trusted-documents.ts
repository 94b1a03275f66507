import type { Plugin } from 'graphql-yoga';
import type { NormalizedTrustedDocuments } from '../trusted-documents/trusted-documents-config.ts';

/** Persisted operations from a manifest, automatic persisted queries, refusing other documents. STUB. */
export function useTrustedDocuments(_options: NormalizedTrustedDocuments): Plugin {
  return {};
}
