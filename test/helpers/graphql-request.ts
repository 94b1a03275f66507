import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

/** A GraphQL error as clients see it. */
export interface ClientError {
  message: string;
  path?: Array<string | number>;
  locations?: unknown[];
  extensions?: { code?: string; service?: string; [key: string]: unknown };
}

/** A response as a client sees it. */
export interface GraphQLResponse<TData = unknown> {
  status: number;
  headers: Headers;
  body: { data?: TData | null; errors?: ClientError[] };
  text: string;
}

/** POSTs a typed document (or query text) and returns status, headers and parsed body. */
export async function postGraphQL<TData, TVariables>(
  url: string,
  document: TypedDocumentNode<TData, TVariables>,
  variables?: TVariables,
  headers?: Record<string, string>,
): Promise<GraphQLResponse<TData>>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped query text: tests read the data they asked for.
export async function postGraphQL(
  url: string,
  document: string,
  variables?: Record<string, unknown>,
  headers?: Record<string, string>,
): Promise<GraphQLResponse<any>>;
export async function postGraphQL<TData, TVariables>(
  url: string,
  document: TypedDocumentNode<TData, TVariables> | string,
  variables?: TVariables,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<TData>> {
  const query = typeof document === 'string' ? document : print(document);
  return sendRaw<TData>(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
}

/** Sends any request and parses the answer as a GraphQL response when it is JSON. */
export async function sendRaw<TData = unknown>(url: string, init: RequestInit): Promise<GraphQLResponse<TData>> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: GraphQLResponse<TData>['body'] = {};
  try {
    body = JSON.parse(text) as GraphQLResponse<TData>['body'];
  } catch {
    // Not JSON (GraphiQL's HTML): callers assert on text.
  }
  return { status: response.status, headers: response.headers, body, text };
}
