import type { Executor, ExecutionResult } from '@graphql-tools/utils';
import { GraphQLError, getOperationAST, print, stripIgnoredCharacters, type DocumentNode } from 'graphql';
import { gatewayError, isErrorCode } from '../../errors.ts';
import type { NormalizedSource } from '../../config/normalize-config.ts';
import { sendWithUpstreamHeaders, type RequestContext } from '../../transport/upstream-headers.ts';
import type { HttpClient, UpstreamRequest, UpstreamResponse } from '../../transport/http-client.ts';

/** A delegated document as it is sent: its text as a JSON string, and whether each operation only reads. */
interface Prepared {
  queryJson: string;
  readOnly: Map<string | null | undefined, boolean>;
}

const prepared = new WeakMap<DocumentNode, Prepared>();

/**
 * The JSON body `JSON.stringify({ query, variables, operationName })` gives, with the query's text
 * (compact: printed, then stripped of ignored characters) escaped once per document rather than on
 * every call (a plan sends the same document object on every request).
 */
export function requestBody(document: DocumentNode, variables: unknown, operationName: string | null | undefined): string {
  const { queryJson } = preparedOf(document);
  const variablesJson = variables === undefined ? undefined : JSON.stringify(variables);
  return `{"query":${queryJson}${variablesJson === undefined ? '' : `,"variables":${variablesJson}`}${operationName === undefined ? '' : `,"operationName":${JSON.stringify(operationName)}`}}`;
}

function preparedOf(document: DocumentNode): Prepared {
  let known = prepared.get(document);
  // Printed without what GraphQL ignores (indentation, new lines, commas): fewer bytes to send, and for the service to read.
  if (!known) prepared.set(document, (known = { queryJson: JSON.stringify(stripIgnoredCharacters(print(document))), readOnly: new Map() }));
  return known;
}

/** Whether the operation sent is a query (identical ones in flight may share a call), once per document and name. */
function readsOnly(document: DocumentNode, operationName: string | null | undefined): boolean {
  const { readOnly } = preparedOf(document);
  let known = readOnly.get(operationName);
  if (known === undefined) readOnly.set(operationName, (known = getOperationAST(document, operationName)?.operation === 'query'));
  return known;
}

/**
 * The executor that sends delegated operations to a GraphQL service over HTTP. Upstream errors
 * keep their message and path (stitching relocates them onto the client's path) and gain
 * `extensions.service`; a code outside our table becomes `DOWNSTREAM_SERVICE_ERROR` with the
 * original kept as `upstreamCode`, and every other extension (stack traces) is dropped. Queries
 * are marked `readOnly`, so identical ones in flight may share one call; mutations never do.
 */
export function createGraphQLExecutor(source: NormalizedSource, client: HttpClient): Executor {
  const service = source.name;
  // Not an async function: with the identity headers at hand (the usual case), a call costs the
  // client's promise and one `then`, no promise of its own and no microtask for the headers.
  const send = (headers: Record<string, string>, request: Parameters<Executor>[0]): Promise<ExecutionResult> => {
    const { document, variables, operationName, context } = request;
    // A client's accept, when the source forwards it, goes through as before; else the GraphQL-over-HTTP one.
    headers['accept'] ??= 'application/graphql-response+json, application/json';
    const call: UpstreamRequest = {
      method: 'POST',
      path: '',
      headers,
      body: requestBody(document, variables, operationName),
      readOnly: readsOnly(document, operationName),
    };
    const origin = (context as RequestContext | undefined)?.request;
    if (origin) call.origin = origin;
    return client.request(call).then((response) => graphQLResult(response, service));
  };
  return ((request: Parameters<Executor>[0]) =>
    sendWithUpstreamHeaders(request.context as RequestContext, service, source.forwardHeaders, send, request)) as Executor;
}

/** A service's answer as a GraphQL result, its errors coded (see {@link toGatewayError}); not one at all is a `DOWNSTREAM_SERVICE_ERROR`. */
function graphQLResult(response: UpstreamResponse, service: string): ExecutionResult {
  const result = response.body as ExecutionResult | undefined;
  if (!result || typeof result !== 'object' || (!('data' in result) && !Array.isArray(result.errors))) {
    throw gatewayError('DOWNSTREAM_SERVICE_ERROR', `Service "${service}" answered ${response.status} without a GraphQL result.`, {
      rejectsRequest: false,
      extensions: { service, upstreamStatus: response.status },
    });
  }
  return {
    data: result.data ?? null,
    ...(result.errors ? { errors: result.errors.map((error) => toGatewayError(error, service)) } : {}),
  } as ExecutionResult;
}

function toGatewayError(
  error: { message?: unknown; path?: readonly (string | number)[]; extensions?: Record<string, unknown> },
  service: string,
): GraphQLError {
  const upstreamCode = error.extensions?.['code'];
  const code = isErrorCode(upstreamCode) ? upstreamCode : 'DOWNSTREAM_SERVICE_ERROR';
  return new GraphQLError(typeof error.message === 'string' ? error.message : `Service "${service}" reported an error.`, {
    path: error.path,
    extensions: { code, service, ...(upstreamCode !== undefined && upstreamCode !== code ? { upstreamCode } : {}) },
  });
}
