import { getOperationAST, type DocumentNode, type GraphQLError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { variableValues } from './variable-values.ts';
import { ObjectSlot } from '../object-slot.ts';

/** An operation's variables as execution coerces them, or why they do not coerce. */
export type CoercedVariables = { coerced: Record<string, unknown>; errors?: never } | { errors: readonly GraphQLError[]; coerced?: never };

interface Entry {
  schema: GraphQLSchema;
  operation: OperationDefinitionNode;
  result: CoercedVariables;
}

const byValues = new ObjectSlot<object, Entry>('coerced variables');
const withoutValues = new WeakMap<OperationDefinitionNode, Entry>();

/**
 * The request's variables coerced for its operation (defaults applied, input types checked), once
 * per request: the limits, the authorization and rate-limit walks and the planner each need them,
 * and each asks here with the same raw variables object, so the coercion is done once and its
 * result shared (read-only). `undefined` when the document has no such operation.
 */
export function coerceOperationVariables(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  raw: Readonly<Record<string, unknown>> | null | undefined,
): CoercedVariables | undefined {
  const operation = getOperationAST(document, operationName);
  if (!operation) return undefined;
  const known = raw ? byValues.get(raw) : withoutValues.get(operation);
  if (known && known.schema === schema && known.operation === operation) return known.result;
  const { coerced, errors } = variableValues(schema, operation.variableDefinitions ?? [], raw ?? {});
  const result: CoercedVariables = errors ? { errors } : { coerced: coerced ?? {} };
  if (raw) byValues.set(raw, { schema, operation, result });
  else withoutValues.set(operation, { schema, operation, result });
  return result;
}
