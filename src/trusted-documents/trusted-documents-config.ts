import { isPlainObject } from '../config/config-checker.ts';
import type { FeatureContext } from '../config/feature-options.ts';
import { readManifest } from './read-manifest.ts';

/**
 * Which GraphQL documents the gateway runs: documents sent by id (persisted documents from a
 * manifest, automatic persisted queries) and whether any other document is accepted.
 */
export interface TrustedDocumentsConfig {
  /**
   * A JSON file of persisted documents, relative to the config file, read and checked at start-up:
   * a plain map `{ "<id>": "<document>" }` (Relay, GraphQL Code Generator's persisted documents) or
   * Apollo's persisted query manifest (`{ "format": "apollo-persisted-query-manifest", "version": 1,
   * "operations": [{ "id", "name", "type", "body" }] }`). Clients send an id as
   * `extensions.persistedQuery.sha256Hash` or as `documentId`, over POST or GET. An id that is a
   * SHA-256 must be the SHA-256 of its document.
   * @default undefined (no manifest)
   * @example 'persisted-documents.json'
   */
  manifest?: string;
  /**
   * Automatic Persisted Queries: a client sends `extensions.persistedQuery.sha256Hash` alone; on
   * `PERSISTED_QUERY_NOT_FOUND` it resends the hash with the query, which the gateway runs and
   * remembers once it checked that the hash is the query's SHA-256.
   * @default true
   */
  apq?: boolean;
  /**
   * How many APQ documents the gateway remembers; past it, the least recently used is forgotten
   * (its client simply registers it again).
   * @default 1000
   */
  apqCacheSize?: number;
  /**
   * Whether documents that are not in the manifest run. `false` answers them 403 `FORBIDDEN`, APQ
   * registrations of new documents included, except for consumers declared with
   * `arbitraryDocuments: true`; a consumer with `arbitraryDocuments: false` is refused them even
   * when this is `true`.
   * @default true
   */
  allowArbitraryDocuments?: boolean;
}

/** Trusted documents with defaults filled in and the manifest read. */
export interface NormalizedTrustedDocuments {
  /** The manifest's documents by canonical id (see `canonicalId`); empty without a manifest. */
  documents: ReadonlyMap<string, string>;
  apq: boolean;
  apqCacheSize: number;
  allowArbitraryDocuments: boolean;
}

const keys = ['manifest', 'apq', 'apqCacheSize', 'allowArbitraryDocuments'];

/** Checks `trustedDocuments` (or a client profile's, named by `key`) and reads its manifest. */
export function normalizeTrustedDocumentsOptions(raw: unknown, context: FeatureContext, key = 'config.trustedDocuments'): NormalizedTrustedDocuments {
  const { check } = context;
  if (raw !== undefined && !isPlainObject(raw)) check.fail(key, 'an object', raw);
  const options = isPlainObject(raw) ? raw : {};
  check.knownKeys(key, options, keys);
  const manifest = options['manifest'] === undefined ? undefined : check.string(`${key}.manifest`, options['manifest']);
  return {
    documents: manifest ? readManifest(manifest, context, `${key}.manifest`) : new Map(),
    apq: check.boolean(`${key}.apq`, options['apq'] ?? true),
    apqCacheSize: check.integer(`${key}.apqCacheSize`, options['apqCacheSize'] ?? 1000, 1, 1_000_000),
    allowArbitraryDocuments: check.boolean(`${key}.allowArbitraryDocuments`, options['allowArbitraryDocuments'] ?? true),
  };
}
