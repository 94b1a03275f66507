import { isAsyncIterable } from '@graphql-tools/utils';
import { isPlainObject } from '../config/config-checker.ts';
import { codeOfStatus, errorCodeLabel } from './metrics-labels.ts';
import type { ObservedError } from './metrics-recorder.ts';

/** An error as it sits in a result: a GraphQLError, or plain JSON (a cached response). */
interface ResultError {
  message?: unknown;
  path?: unknown;
  extensions?: Record<string, unknown>;
}

/**
 * The errors of a processed result (one, or a batch's list). Streams (subscriptions, incremental
 * delivery) are not read: their errors arrive after the response has started.
 */
export function observedErrors(result: unknown): ObservedError[] {
  if (isAsyncIterable(result)) return [];
  return (Array.isArray(result) ? result : [result]).flatMap((item: unknown) =>
    isPlainObject(item) && Array.isArray(item['errors']) ? item['errors'].map(observed) : [],
  );
}

/**
 * The errors of a response that a plugin made in onRequest (a refusal such as 401 or 403): its
 * small JSON body is read from a copy. A body that is not a GraphQL response counts as one error
 * with the code of its status.
 */
export async function observedErrorsOfBody(response: Response): Promise<ObservedError[]> {
  try {
    const body: unknown = JSON.parse(await response.clone().text());
    const errors = observedErrors(body);
    if (errors.length > 0) return errors;
  } catch {
    // Not JSON: counted by its status below.
  }
  return [{ code: codeOfStatus(response.status), message: `HTTP ${response.status}`, onField: false }];
}

function observed(error: unknown): ObservedError {
  const { message, path, extensions } = (isPlainObject(error) ? error : {}) as ResultError;
  const service = extensions?.['service'];
  return {
    code: errorCodeLabel(extensions?.['code']),
    message: typeof message === 'string' ? message : '',
    ...(typeof service === 'string' ? { service } : {}),
    onField: Array.isArray(path) && path.length > 0,
  };
}
