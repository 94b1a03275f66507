import type { ASTNode, GraphQLError } from 'graphql';
import { gatewayError } from '../errors.ts';

/**
 * The error of an operation refused by a limit: `GRAPHQL_VALIDATION_FAILED`, HTTP 400, and marked
 * as a GraphQL-over-HTTP validation error like graphql-js's own (`http.spec`), so a legacy
 * `application/json` client gets 200 for it, as it does for every other validation error.
 */
export function limitError(message: string, nodes?: ASTNode | readonly ASTNode[]): GraphQLError {
  return gatewayError('GRAPHQL_VALIDATION_FAILED', message, { ...(nodes ? { nodes } : {}), rejectsRequest: false, extensions: { http: { status: 400, spec: true } } });
}

/**
 * The error of an argument value outside its declared bounds: `BAD_USER_INPUT`, HTTP 400, marked
 * like {@link limitError} so a legacy `application/json` client gets 200 for it, as it does for
 * variables that do not coerce.
 */
export function inputError(message: string, nodes?: ASTNode | readonly ASTNode[]): GraphQLError {
  return gatewayError('BAD_USER_INPUT', message, { ...(nodes ? { nodes } : {}), rejectsRequest: false, extensions: { http: { status: 400, spec: true } } });
}
