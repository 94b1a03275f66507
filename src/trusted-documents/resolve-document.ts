import { GraphQLError } from 'graphql';
import type { Consumer } from '../auth/consumer.ts';
import { errorCodes, gatewayError } from '../errors.ts';
import { isSha256Id, sha256Of } from './document-id.ts';

/** What a request sent: a canonical document id, the document's text, or both. */
export type SentDocument = { id: string; query?: string } | { id?: undefined; query: string };

/** The documents the gateway knows. */
export interface DocumentStore {
  /** The manifest's documents by canonical id. */
  documents: ReadonlyMap<string, string>;
  /** The manifest's document texts: the trusted documents, however they are sent. */
  trusted: ReadonlySet<string>;
  /** APQ documents by SHA-256; `undefined` when APQ is off. */
  registered?: { get(id: string): string | undefined };
}

/** What to do with a request's document: run `query` (and remember it under `register`), or answer `error`. */
export type DocumentDecision = { query: string; register?: string; error?: undefined } | { error: GraphQLError };

/** The message Apollo clients (Client, iOS, Kotlin, Router) match to resend a hash with its query. */
export const persistedQueryNotFound = 'PersistedQueryNotFound';
/** Apollo Server's and Router's message for a hash that is not the sent query's SHA-256. */
export const hashMismatch = 'provided sha does not match query';
/** The refusal of a document that is not trusted, to a caller who may send only trusted ones. */
export const onlyTrustedDocuments = 'Only trusted (persisted) documents are accepted; this request sent a document that is not in the manifest.';

/**
 * Whether a request may run documents that are not in the manifest: the consumer's own
 * `arbitraryDocuments` when it has one, in either direction; otherwise the gateway's setting.
 */
export function mayUseArbitraryDocuments(consumer: Consumer | undefined, allowArbitraryDocuments: boolean): boolean {
  return consumer?.arbitraryDocuments ?? allowArbitraryDocuments;
}

/**
 * Decides what runs. One rule for every route a document can take (sent in full, by manifest id,
 * by APQ hash, or registered through APQ): a caller who may not send arbitrary documents runs
 * only texts of the manifest. A document sent with a SHA-256 id must hash to it; one sent with
 * another kind of id (Relay's MD5) must be the manifest's document of that id.
 */
export function resolveDocument({ id, query }: SentDocument, store: DocumentStore, arbitraryAllowed: boolean): DocumentDecision {
  const admit = (text: string, register?: string): DocumentDecision =>
    arbitraryAllowed || store.trusted.has(text)
      ? { query: text, ...(register ? { register } : {}) }
      : { error: gatewayError('FORBIDDEN', onlyTrustedDocuments) };
  if (id === undefined) return admit(query);
  if (query === undefined) {
    const known = store.documents.get(id) ?? store.registered?.get(id);
    if (known !== undefined) return admit(known);
    return { error: notFoundError(store.registered !== undefined && arbitraryAllowed && isSha256Id(id)) };
  }
  const matches = isSha256Id(id) ? sha256Of(query) === id : store.documents.get(id) === query;
  if (!matches) return { error: gatewayError('BAD_REQUEST', hashMismatch) };
  return admit(query, store.registered && isSha256Id(id) && !store.documents.has(id) ? id : undefined);
}

/**
 * `PERSISTED_QUERY_NOT_FOUND`, never cached (the client is about to make it known, or a new
 * manifest may hold it). Its status depends on whether resending can help:
 *
 * - When the client can register the document (APQ on, arbitrary documents allowed), the answer
 *   is HTTP 200, as Apollo Server and Apollo Router give it. Apollo Client reads the error from any
 *   status, but Apollo iOS (its ResponseCodeInterceptor runs before the APQ interceptor) and Apollo
 *   Kotlin 3 (its HTTP transport throws on a non-2xx status; 4 does too for `application/json`)
 *   treat any other status as a transport failure and never resend the query, so a 404 here would
 *   break APQ for mobile clients. The status is left out of `extensions.http` (Yoga then answers
 *   200) rather than set to 200, which useErrorCodes would take for a code/status mismatch.
 * - When it cannot (APQ off, or only trusted documents allowed), the id is simply unknown:
 *   404, the table's status, as Apollo Router answers an unknown persisted-query id.
 */
function notFoundError(clientCanRegister: boolean): GraphQLError {
  const http = { ...(clientCanRegister ? {} : { status: errorCodes.PERSISTED_QUERY_NOT_FOUND }), headers: { 'cache-control': 'no-store' } };
  return new GraphQLError(persistedQueryNotFound, { extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http } });
}
