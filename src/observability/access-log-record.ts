import { bindRun } from '../bind-run.ts';
import type { GraphQLError } from 'graphql';
import { LRUCache } from 'lru-cache';
import { isPlainObject } from '../config/config-checker.ts';
import type { FetchEvent, FetchResult } from '../transport/fetch-hooks.ts';
import { canonicalId, sha256Of } from '../trusted-documents/document-id.ts';

/** One upstream call of a request, as its access-log line lists it. */
export interface UpstreamCall {
  service: string;
  /** The origin of the instance that answered (or was tried last). */
  instance: string;
  /** The source's version called, when it has versions (canary, A/B). */
  version?: string;
  method: string;
  /** The path with its query parameter names but not their values: see {@link withoutQueryValues}. */
  path: string;
  /** The service's HTTP status, when it answered. */
  status?: number;
  /** The error code when the call failed (`GATEWAY_TIMEOUT`, `DOWNSTREAM_SERVICE_ERROR`). */
  error?: string;
  /** Absent while the call is still running (the client went away first). */
  durationMs?: number;
}

/** What the access log gathers about one client request while it runs. */
export interface AccessRecord {
  requestId: string;
  /** `performance.now()` when the request reached the gateway's plugins. */
  started: number;
  method: string;
  path: string;
  /** The plain REST route's pattern, for a route request. */
  route?: string;
  operationName?: string;
  operationType?: string;
  documentHash?: string;
  /** Redacted variables, recorded only when the log is at `debug`. */
  variables?: unknown;
  /** Whether a result had errors before the response was built (their final codes come from the body). */
  hadErrors: boolean;
  errorCodes: string[];
  upstream: UpstreamCall[];
  /** The response as the plugins after the access log finished it. */
  response?: Response;
}

/** The SHA-256 of the documents seen last: most requests send one of a few documents again, and hashing each costs more than looking it up. */
const recentHashes = new LRUCache<string, string>({ max: 1_000, maxSize: 8 * 1024 * 1024, sizeCalculation: (_hash, query) => query.length + 64 });

/** A persisted document's id as sent (canonical, at most 128 characters), else the SHA-256 of the text. */
export function documentHashOf(params: { query?: unknown; documentId?: unknown; extensions?: Record<string, unknown> }): string | undefined {
  const persisted = params.extensions?.['persistedQuery'];
  const id = isPlainObject(persisted) ? persisted['sha256Hash'] : params.documentId;
  if (typeof id === 'string' && id !== '') return canonicalId(id).slice(0, 128);
  if (typeof params.query !== 'string') return undefined;
  let hash = recentHashes.get(params.query);
  if (hash === undefined) recentHashes.set(params.query, (hash = sha256Of(params.query)));
  return hash;
}

/**
 * A path as logged: query parameter names kept, values dropped (`/orders?userIds&limit`). Values
 * are where personal data travels (search terms, e-mail addresses, the batch of user ids a page
 * loads) and would make lines long; the path itself names the resource, which an operator needs.
 */
export function withoutQueryValues(path: string): string {
  const question = path.indexOf('?');
  if (question < 0) return path;
  // Read in place, pair by pair: a batch call's query string is long (`ids=139,4,47,...`), and
  // splitting it into pairs and their halves made arrays and strings of every value, for every call.
  let logged = path.slice(0, question);
  let names: string[] | undefined;
  for (let start = question + 1; start <= path.length; ) {
    let end = path.indexOf('&', start);
    if (end < 0) end = path.length;
    const equals = path.indexOf('=', start);
    const name = path.slice(start, equals >= 0 && equals < end ? equals : end);
    if (name !== '' && !names?.includes(name)) {
      logged += names === undefined ? `?${name}` : `&${name}`;
      (names ??= []).push(name);
    }
    start = end + 1;
  }
  return logged;
}

/**
 * Adds an upstream call to its request's record (at `path`, the path the service receives); the
 * returned hook completes it. Bound, not a closure over the call (see bindRun).
 */
export function recordUpstreamCall(record: AccessRecord, event: FetchEvent, path: string): (result: FetchResult) => void {
  const { service, instance, version, method } = event;
  const logged = withoutQueryValues(path);
  const call: UpstreamCall = version ? { service, instance, version, method, path: logged } : { service, instance, method, path: logged };
  record.upstream.push(call);
  return bindRun(completeUpstreamCall, call);
}

function completeUpstreamCall(call: UpstreamCall, { status, error, durationMs, instance }: FetchResult): void {
  if (instance) call.instance = instance;
  if (status !== undefined) call.status = status;
  if (error) call.error = String((error as Partial<GraphQLError>).extensions?.['code'] ?? error.name);
  call.durationMs = roundMs(durationMs);
}

const maxDepth = 32;

/** Variables with the values of the listed names (lower-case, at any depth) replaced by `"[redacted]"`. */
export function redactVariables(value: unknown, names: ReadonlySet<string>, depth = 0): unknown {
  if (depth > maxDepth) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => redactVariables(item, names, depth + 1));
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, names.has(key.toLowerCase()) ? '[redacted]' : redactVariables(item, names, depth + 1)]),
  );
}

/** The distinct `extensions.code` values of a GraphQL response body (one result or a batch). */
export function errorCodesIn(body: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  const codes = new Set<string>();
  for (const result of Array.isArray(parsed) ? parsed : [parsed]) {
    const errors = isPlainObject(result) && Array.isArray(result['errors']) ? result['errors'] : [];
    for (const error of errors) {
      const code = isPlainObject(error) && isPlainObject(error['extensions']) ? error['extensions']['code'] : undefined;
      if (typeof code === 'string') codes.add(code);
    }
  }
  return [...codes];
}

/** Milliseconds to one decimal. */
export function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}
