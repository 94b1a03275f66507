import type { Executor, ExecutionResult } from '@graphql-tools/utils';
import { GraphQLError, getOperationAST, print, type DocumentNode } from 'graphql';
import { gatewayError, isErrorCode } from '../../errors.ts';
import type { NormalizedSource } from '../../config/normalize-config.ts';
import { upstreamHeaders, type RequestContext } from '../../transport/upstream-headers.ts';
import type { HttpClient } from '../../transport/http-client.ts';

const printed = new WeakMap<DocumentNode, string>();

/**
 * The executor that sends delegated operations to a GraphQL service over HTTP. Upstream errors
 * keep their message and path (stitching relocates them onto the client's path) and gain
 * `extensions.service`; a code outside our table becomes `DOWNSTREAM_SERVICE_ERROR` with the
 * original kept as `upstreamCode`, and every other extension (stack traces) is dropped. Queries
 * are marked `readOnly`, so identical ones in flight may share one call; mutations never do.
 */
export function createGraphQLExecutor(source: NormalizedSource, client: HttpClient): Executor {
  const service = source.name;
  return async ({ document, variables, operationName, context }) => {
    const query = printed.get(document) ?? print(document);
    printed.set(document, query);
    const response = await client.request({
      ...((context as RequestContext | undefined)?.request ? { origin: (context as RequestContext).request as Request } : {}),
      method: 'POST',
      path: '',
      headers: {
        accept: 'application/graphql-response+json, application/json',
        ...(await upstreamHeaders(context as RequestContext, service, source.forwardHeaders)),
      },
      body: JSON.stringify({ query, variables, operationName }),
      readOnly: getOperationAST(document, operationName)?.operation === 'query',
    });
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
  };
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
