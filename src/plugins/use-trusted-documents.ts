import { GraphQLError } from 'graphql';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import { consumerOf } from '../auth/consumer.ts';
import { isPlainObject } from '../config/config-checker.ts';
import { gatewayError } from '../errors.ts';
import { canonicalId } from '../trusted-documents/document-id.ts';
import { mayUseArbitraryDocuments, resolveDocument, type DocumentStore, type SentDocument } from '../trusted-documents/resolve-document.ts';
import type { NormalizedTrustedDocuments } from '../trusted-documents/trusted-documents-config.ts';
import { ObjectSlot } from '../object-slot.ts';

/**
 * Trusted documents, before parsing: a document sent by id (`extensions.persistedQuery.sha256Hash`
 * or `documentId`, over POST or GET) is replaced by the manifest's or the APQ store's text; a
 * document that the caller may not send is refused. See `resolveDocument` for the rules and
 * statuses. An APQ document is remembered only once it parsed, validated and started executing,
 * so neither garbage nor a document refused by the operation limits takes a place in the store.
 */
export function useTrustedDocuments(options: NormalizedTrustedDocuments): Plugin {
  const { documents, apq, apqCacheSize, allowArbitraryDocuments } = options;
  const registered = apq ? new LRUCache<string, string>({ max: apqCacheSize }) : undefined;
  const store: DocumentStore = { documents, trusted: new Set(documents.values()), ...(registered ? { registered } : {}) };
  const registrations = new ObjectSlot<object, { id: string; query: string }>('trusted document registration');
  return {
    onParams({ params, request, context, setParams }) {
      const sent = sentDocument(params, request);
      if (sent === undefined) return;
      // Thrown rather than set as the result, which would let Yoga's later onParams checks run and
      // answer "Must provide query string." for a request that sent only an id.
      if (sent instanceof GraphQLError) throw sent;
      const decision = resolveDocument(sent, store, mayUseArbitraryDocuments(consumerOf(request), allowArbitraryDocuments));
      if (decision.error) throw decision.error;
      if (decision.register) registrations.set(context, { id: decision.register, query: decision.query });
      if (sent.id === undefined) return;
      const { documentId: _sentId, ...rest } = params as GraphQLParams & { documentId?: unknown };
      setParams({ ...rest, query: decision.query });
    },
    onExecute({ args }) {
      const registration = registrations.get(args.contextValue);
      if (registration) registered?.set(registration.id, registration.query);
    },
  };
}

/**
 * The id and text a request sent, or `undefined` when there is nothing to decide (no id and no
 * text, or a text that is not a string: Yoga's own checks answer those).
 */
function sentDocument(params: GraphQLParams & { documentId?: unknown }, request: Request): SentDocument | GraphQLError | undefined {
  const query = typeof params.query === 'string' ? params.query : undefined;
  if (params.query != null && query === undefined) return undefined;
  const persisted = params.extensions?.['persistedQuery'];
  let id: unknown;
  if (persisted !== undefined) {
    if (!isPlainObject(persisted) || typeof persisted['sha256Hash'] !== 'string' || persisted['sha256Hash'] === '') {
      return gatewayError('BAD_REQUEST', 'extensions.persistedQuery must be {"version":1,"sha256Hash":"<sha256 of the query, in hex>"}.');
    }
    if (persisted['version'] !== 1) return gatewayError('BAD_REQUEST', 'Unsupported persisted query version');
    id = persisted['sha256Hash'];
  } else {
    id =
      params.documentId ?? (request.method === 'GET' && request.url.includes('documentId=') ? new URL(request.url).searchParams.get('documentId') : undefined);
    if (id != null && (typeof id !== 'string' || id === '')) return gatewayError('BAD_REQUEST', 'documentId must be a non-empty string.');
  }
  if (typeof id === 'string') return { id: canonicalId(id), ...(query === undefined ? {} : { query }) };
  return query === undefined ? undefined : { query };
}
