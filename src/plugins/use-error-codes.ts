import { isAsyncIterable } from '@graphql-tools/utils';
import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { errorCodes, isErrorCode, type ErrorCode } from '../errors.ts';

const codeByStatus = new Map<number, ErrorCode>(
  (Object.entries(errorCodes) as Array<[ErrorCode, number]>).filter(([code]) => !['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'PERSISTED_QUERY_NOT_FOUND', 'NOT_FOUND'].includes(code)).map(([code, status]) => [status, code]),
);

/**
 * Gives every error that leaves the gateway an `extensions.code` from our table. Yoga's own
 * request errors carry only an HTTP status; the code follows from it. An error with no status
 * and a foreign code (or none) is an execution error inside the gateway's schema.
 */
export function useErrorCodes(): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (isAsyncIterable(result)) return;
      const results = Array.isArray(result) ? result : [result];
      if (!results.some((item) => item.errors?.some((error) => !isErrorCode(error.extensions?.['code'])))) return;
      const fixed = results.map(withCodes);
      setResult(Array.isArray(result) ? fixed : (fixed[0] as ExecutionResult));
    },
  };
}

function withCodes(result: ExecutionResult): ExecutionResult {
  if (!result.errors) return result;
  return { ...result, errors: result.errors.map((error) => (isErrorCode(error.extensions?.['code']) ? error : withCode(error))) };
}

function withCode(error: GraphQLError): GraphQLError {
  const status = (error.extensions?.['http'] as { status?: number } | undefined)?.status;
  const code = (status !== undefined ? codeByStatus.get(status) : undefined) ?? (status === undefined && error.path ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST');
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}
