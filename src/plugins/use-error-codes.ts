import { isAsyncIterable } from '@graphql-tools/utils';
import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { errorCodes, isErrorCode, type ErrorCode } from '../errors.ts';
import { requestIdOf } from '../observability/request-id.ts';

/** The code for a status when the error says nothing more precise (first code in the table wins). */
export const codeByStatus = new Map<number, ErrorCode>();
for (const [code, status] of Object.entries(errorCodes) as Array<[ErrorCode, number]>) {
  if (!codeByStatus.has(status)) codeByStatus.set(status, code);
}

/** Extensions that describe the gateway's internals: never sent to clients. */
const internalExtensions = ['originalError', 'stacktrace', 'exception', 'unexpected'];

/**
 * Gives every error that leaves the gateway an `extensions.code` from our table that agrees with
 * its HTTP status, and drops internal extensions (stack traces, original errors). Yoga's request
 * errors say `BAD_REQUEST` whatever their status (405, 415); the status decides. Variable
 * coercion errors become `BAD_USER_INPUT`; an execution error with no code is `INTERNAL_SERVER_ERROR`.
 * Every error also gets the request's id as `extensions.requestId`, for support to find its log line.
 */
export function useErrorCodes(): Plugin {
  return {
    onResultProcess({ request, result, setResult }) {
      if (isAsyncIterable(result)) return;
      const requestId = requestIdOf(request);
      const needsChange = (error: GraphQLError) => needsFixing(error) || (requestId !== undefined && error.extensions?.['requestId'] !== requestId);
      const results = Array.isArray(result) ? result : [result];
      if (!results.some((item) => item.errors?.some(needsChange))) return;
      const fixed = results.map((item) =>
        item.errors ? { ...item, errors: item.errors.map((error) => (needsChange(error) ? withCode(error, requestId) : error)) } : item,
      );
      setResult(Array.isArray(result) ? fixed : (fixed[0] as ExecutionResult));
    },
  };
}

function statusOf(error: GraphQLError): number | undefined {
  return (error.extensions?.['http'] as { status?: number } | undefined)?.status;
}

function needsFixing(error: GraphQLError): boolean {
  const code = error.extensions?.['code'];
  const status = statusOf(error);
  return !isErrorCode(code) || (status !== undefined && errorCodes[code] !== status) || internalExtensions.some((key) => key in (error.extensions ?? {}));
}

function withCode(error: GraphQLError, requestId: string | undefined): GraphQLError {
  const status = statusOf(error);
  const current = error.extensions?.['code'];
  let code: ErrorCode;
  if (isErrorCode(current) && (status === undefined || errorCodes[current] === status)) code = current;
  else if (status === 400 && error.message.startsWith('Variable "$')) code = 'BAD_USER_INPUT';
  else code = (status !== undefined ? codeByStatus.get(status) : undefined) ?? (error.path ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST');
  const extensions = Object.fromEntries(Object.entries(error.extensions ?? {}).filter(([key]) => !internalExtensions.includes(key)));
  // Yoga answers 400 rather than 200 for a body that is not even GraphQL-over-HTTP (bad JSON) by
  // seeing a non-GraphQL originalError; once that is dropped, the status must stop being optional.
  if (error.extensions?.['originalError'] && status !== undefined) extensions['http'] = { status };
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...extensions, code, ...(requestId === undefined ? {} : { requestId }) },
  });
}
