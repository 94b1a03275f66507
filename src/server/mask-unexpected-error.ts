import { GraphQLError } from 'graphql';
import { gatewayError } from '../errors.ts';
import { describeError, type GatewayLogger } from '../observability/gateway-logger.ts';

/**
 * Yoga's error mask: errors we made pass as they are; anything else (a bug, a thrown non-GraphQL
 * error) becomes `INTERNAL_SERVER_ERROR` with the given message and no trace of the original, which
 * goes to the log instead (with its stack). A field's error keeps its path and leaves the HTTP status alone.
 */
export function maskUnexpectedErrors(logger: GatewayLogger): (error: unknown, message: string) => Error {
  return (error, message) => {
    if (error instanceof GraphQLError && !error.originalError) return error;
    if (error instanceof GraphQLError && error.originalError instanceof GraphQLError) return error;
    const cause = error instanceof GraphQLError ? error.originalError : error;
    logger.error(`unexpected error: ${describeError(cause, true)}`);
    const located = error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {};
    return gatewayError('INTERNAL_SERVER_ERROR', message, { ...located, rejectsRequest: !located.path });
  };
}
