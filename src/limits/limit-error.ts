import type { ASTNode, GraphQLError } from 'graphql';
import { gatewayError } from '../errors.ts';

/**
 * The error of an operation refused by a limit: `GRAPHQL_VALIDATION_FAILED`, HTTP 400, and marked
 * as a GraphQL-over-HTTP validation error like graphql-js's own (`http.spec`), so a legacy
 * `application/json` client gets 200 for it, as it does for every other validation error.
 */
export function limitError(message: string, nodes?: ASTNode | readonly ASTNode[]): GraphQLError {
  return gatewayError('GRAPHQL_VALIDATION_FAILED', message, {
    ...(nodes ? { nodes } : {}),
    rejectsRequest: false,
    extensions: { http: { status: 400, spec: true } },
  });
}

/**
 * The refusal of an operation whose estimated cost is above `limits.maxCost`:
 * `COST_ESTIMATED_TOO_EXPENSIVE`, HTTP 400, marked like {@link limitError}. The message names the
 * setting, so whoever meets it knows what to raise.
 */
export function costError(cost: number, maxCost: number): GraphQLError {
  const message = `Operation cost ${cost} exceeds limits.maxCost (${maxCost}). Lists without @listSize or a slicing argument count as defaultListSize elements each.`;
  return gatewayError('COST_ESTIMATED_TOO_EXPENSIVE', message, {
    rejectsRequest: false,
    extensions: { 'cost.estimated': cost, 'cost.max': maxCost, http: { status: 400, spec: true } },
  });
}

/**
 * The error of an argument value outside its declared bounds: `BAD_USER_INPUT`, HTTP 400, marked
 * like {@link limitError} so a legacy `application/json` client gets 200 for it, as it does for
 * variables that do not coerce.
 */
export function inputError(message: string, nodes?: ASTNode | readonly ASTNode[]): GraphQLError {
  return gatewayError('BAD_USER_INPUT', message, { ...(nodes ? { nodes } : {}), rejectsRequest: false, extensions: { http: { status: 400, spec: true } } });
}
