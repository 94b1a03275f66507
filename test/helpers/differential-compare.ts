import { MapperKind, mapSchema } from '@graphql-tools/utils';
import {
  GraphQLError,
  GraphQLList,
  defaultFieldResolver,
  execute,
  getNullableType,
  isListType,
  isNonNullType,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFieldResolver,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { isErrorCode } from '../../src/errors.ts';

/** A GraphQL answer as the differential compares it. */
export interface Answer {
  data?: unknown;
  errors?: ReadonlyArray<{ message?: string; path?: ReadonlyArray<string | number>; extensions?: { code?: unknown; [key: string]: unknown } }>;
}

/** The reference's answer to one operation, and every error (by {@link errorKey}) its fields raise when nothing cuts a subtree short. */
export interface Expected {
  /** The reference's answer, its errors coded as the gateway codes them. */
  answer: Answer;
  /** Every error by path and code that some field of the operation raises in the reference. */
  possibleErrors: ReadonlySet<string>;
}

/** How an answer differs from another. */
export interface Difference {
  /** What differs, for the failure message. */
  description: string;
  /** The answer's errors (by {@link errorKey}) that the reference does not raise. */
  foreignErrors: string[];
}

/** Answers operations the way the reference schema does. */
export type ReferenceAnswers = (document: DocumentNode, variables: Record<string, unknown>) => Promise<Expected>;

/**
 * A reference over an executable graphql-js schema. Besides its answer, it runs the operation on a
 * copy of the schema where every field is nullable (and raises graphql-js's "Cannot return null"
 * itself where the original is non-null): there, no null propagation cuts a subtree short, so every
 * field is resolved and every error any execution order could meet is raised.
 */
export function createReference(schema: GraphQLSchema): ReferenceAnswers {
  const everyField = mapSchema(schema, {
    [MapperKind.COMPOSITE_FIELD]: (field) => ({
      ...field,
      type: nullable(field.type),
      resolve: nonNullChecked(field.resolve ?? defaultFieldResolver, isNonNullType(field.type)),
    }),
  });
  return async (document, variableValues) => {
    const [answer, everyError] = await Promise.all([execute({ schema, document, variableValues }), execute({ schema: everyField, document, variableValues })]);
    const served = asServed(answer);
    return { answer: served, possibleErrors: new Set([...(served.errors ?? []), ...(asServed(everyError).errors ?? [])].map((error) => errorKey(error))) };
  };
}

function nullable(type: GraphQLOutputType): GraphQLOutputType {
  const inner = getNullableType(type);
  return isListType(inner) ? new GraphQLList(nullable(inner.ofType)) : inner;
}

function nonNullChecked(resolve: GraphQLFieldResolver<unknown, unknown>, nonNull: boolean): GraphQLFieldResolver<unknown, unknown> {
  if (!nonNull) return resolve;
  const check = (value: unknown, parent: string, field: string) => {
    if (value === null || value === undefined) throw new GraphQLError(`Cannot return null for non-nullable field ${parent}.${field}.`);
    return value;
  };
  return (source, args, context, info) => {
    const value = resolve(source, args, context, info);
    return value instanceof Promise
      ? value.then((settled: unknown) => check(settled, info.parentType.name, info.fieldName))
      : check(value, info.parentType.name, info.fieldName);
  };
}

/**
 * A graphql-js result as the gateway serves answers: an execution error without a code of ours is
 * `INTERNAL_SERVER_ERROR` (src/plugins/use-error-codes.ts), e.g. graphql-js's "Cannot return null".
 */
function asServed(result: ExecutionResult): Answer {
  if (!result.errors) return { data: result.data };
  const errors = result.errors.map(({ message, path, extensions }) => ({
    message,
    ...(path ? { path } : {}),
    extensions: { ...extensions, code: isErrorCode(extensions['code']) ? extensions['code'] : 'INTERNAL_SERVER_ERROR' },
  }));
  return { data: result.data, errors };
}

/** An error by path and code: `["user","name"] SERVICE_UNAVAILABLE`. */
function errorKey(error: NonNullable<Answer['errors']>[number]): string {
  return `${JSON.stringify(error.path ?? null)} ${String(error.extensions?.code ?? '-')}`;
}

/** The response position where an error's null landed: the first null (or absent) value on its path. */
function landing(data: unknown, path: ReadonlyArray<string | number> | undefined): string {
  if (!path) return 'request';
  let value = data;
  for (let depth = 0; depth < path.length; depth++) {
    if (value === null || value === undefined) return JSON.stringify(path.slice(0, depth));
    value = (value as Record<string | number, unknown>)[path[depth] as string | number];
  }
  return value === null || value === undefined ? JSON.stringify(path) : `${JSON.stringify(path)} (holds a value)`;
}

const landings = (answer: Answer) => [...new Set((answer.errors ?? []).map((error) => landing(answer.data, error.path)))].sort().join(' ');

/**
 * Where an answer differs from the reference's, or undefined: the same data, byte for byte; errors
 * landing on the same response positions; and every error one the reference raises (path and code).
 *
 * Why not the same error list: when a non-null field fails, its null propagates up to the nearest
 * nullable position and the subtree is gone. graphql-js stops completing the subtree at its first
 * failure, so the errors of the subtree's other fields are never raised; a gateway whose service
 * raised them already (one call answers every entity of a list, in its own order) reports them, or
 * reports a different first one. The spec allows each. So each null must be explained, on both
 * sides, by an error landing there, and no error may be one the reference's fields would not raise
 * ({@link Expected.possibleErrors}): no other path, no other code, no error of the gateway's own.
 */
export function differenceFrom(actual: Answer, expected: Expected): Difference | undefined {
  const foreignErrors = (actual.errors ?? []).map((error) => errorKey(error)).filter((key) => !expected.possibleErrors.has(key));
  if (JSON.stringify(actual.data ?? null) !== JSON.stringify(expected.answer.data ?? null)) return { description: 'the data differ', foreignErrors };
  if (landings(actual) !== landings(expected.answer))
    return { description: `errors land on other positions: ${landings(actual) || 'none'} instead of ${landings(expected.answer) || 'none'}`, foreignErrors };
  return foreignErrors.length > 0 ? { description: `errors the reference does not raise: ${foreignErrors.join(', ')}`, foreignErrors } : undefined;
}

/**
 * Where two gateways' answers differ, or undefined: the same data, and the same message and service
 * for every error both report on a path with a code. Where a merged object is missing under a
 * non-null field, stitching's executor throws a plain Error that the gateway masks as "Unexpected
 * error."; the planner gives graphql-js's own message, same path and code (see
 * test/stitched-plans-fixtures.test.ts).
 */
export function differenceBetweenGateways(actual: Answer, other: Answer): Difference | undefined {
  if (JSON.stringify(actual.data ?? null) !== JSON.stringify(other.data ?? null)) return { description: 'the data differ', foreignErrors: [] };
  const detail = (answer: Answer) =>
    new Map(
      (answer.errors ?? []).map((error) => [
        errorKey(error),
        `${String(error.extensions?.['service'] ?? '-')} ${(error.message ?? '').startsWith('Cannot return null for non-nullable field') ? 'Unexpected error.' : error.message}`,
      ]),
    );
  const theirs = detail(other);
  const differing = [...detail(actual)].filter(([key, text]) => theirs.has(key) && theirs.get(key) !== text);
  return differing.length > 0
    ? { description: `errors differ in message or service at ${differing.map(([key]) => key).join(', ')}`, foreignErrors: [] }
    : undefined;
}
