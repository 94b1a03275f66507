import type { ExecutionResult, GraphQLError } from 'graphql';
import { gatewayError } from '../errors.ts';
import { placeholderKey, type Denial, type PathStep } from './restrict-document.ts';

type Data = Record<string, unknown>;

/**
 * Puts each cut field back into the result as `null` with its error, at every concrete path it
 * has (one per list item). A non-null field's or list item's null propagates to the nearest
 * nullable ancestor, as GraphQL execution does.
 */
export function applyDenials(result: ExecutionResult, denials: readonly Denial[]): ExecutionResult {
  if (!result.data) return result;
  const data = withoutPlaceholders(structuredClone(result.data)) as Data;
  const errors: GraphQLError[] = [];
  let root: Data | null = data;
  for (const denial of denials) {
    if (root && patch(root, denial, 0, [], errors)) root = null;
  }
  return { ...result, data: root, errors: [...(result.errors ?? []), ...errors] };
}

function withoutPlaceholders(value: unknown): unknown {
  if (Array.isArray(value)) value.forEach(withoutPlaceholders);
  else if (value !== null && typeof value === 'object') {
    delete (value as Data)[placeholderKey];
    Object.values(value).forEach(withoutPlaceholders);
  }
  return value;
}

/** Returns whether `object` itself must become null (a non-null field of it became null). */
function patch(object: Data, denial: Denial, index: number, path: Array<string | number>, errors: GraphQLError[]): boolean {
  const step = denial.path[index] as PathStep;
  const here = [...path, step.key];
  if (index === denial.path.length - 1) {
    object[step.key] = null;
    errors.push(gatewayError(denial.code, denial.message, { path: here, rejectsRequest: false }));
    return step.nonNull;
  }
  const value = object[step.key];
  if (value === null || value === undefined || typeof value !== 'object') return false;
  if (patchValue(value, step.itemsNonNull, denial, index + 1, here, errors)) {
    object[step.key] = null;
    return step.nonNull;
  }
  return false;
}

/** Returns whether `value` (an object, or a list of them) must become null. */
function patchValue(value: object, itemsNonNull: boolean, denial: Denial, index: number, path: Array<string | number>, errors: GraphQLError[]): boolean {
  if (!Array.isArray(value)) return patch(value as Data, denial, index, path, errors);
  let nulled = false;
  value.forEach((item: unknown, position) => {
    if (item !== null && typeof item === 'object' && patchValue(item, itemsNonNull, denial, index, [...path, position], errors)) {
      value[position] = null;
      nulled = true;
    }
  });
  return nulled && itemsNonNull;
}
