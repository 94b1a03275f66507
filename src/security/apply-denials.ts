import type { ExecutionResult, GraphQLError } from 'graphql';
import { gatewayError } from '../errors.ts';
import { withoutKeys } from './apply-result-checks.ts';
import { placeholderKey, type Denial, type PathStep } from './restrict-document.ts';

type Data = Record<string, unknown>;

/**
 * Puts each cut field back into the result as `null` with its error, at every concrete path it
 * has (one per list item; with a marker, only on the objects carrying it). A non-null field's or
 * list item's null propagates to the nearest nullable ancestor, as GraphQL execution does. A path
 * refused twice (the same field selected in two fragments) has one error, the first. The
 * placeholders and markers the cut added leave the result.
 */
export function applyDenials(result: ExecutionResult, denials: readonly Denial[]): ExecutionResult {
  if (!result.data) return result;
  const data = structuredClone(result.data) as Data;
  const errors = new Map<string, GraphQLError>();
  let root: Data | null = data;
  for (const denial of denials) {
    if (root && patch(root, denial, 0, [], errors)) root = null;
  }
  const added = new Set([placeholderKey, ...denials.flatMap((denial) => denial.marker ?? [])]);
  return { ...result, data: root && withoutKeys(root, added), errors: [...(result.errors ?? []), ...errors.values()] };
}

/** Returns whether `object` itself must become null (a non-null field of it became null). */
function patch(object: Data, denial: Denial, index: number, path: Array<string | number>, errors: Map<string, GraphQLError>): boolean {
  const step = denial.path[index] as PathStep;
  const here = [...path, step.key];
  if (index === denial.path.length - 1) {
    if (denial.marker !== undefined && !(denial.marker in object)) return false;
    object[step.key] = null;
    const key = JSON.stringify(here);
    if (!errors.has(key)) errors.set(key, gatewayError(denial.code, denial.message, { path: here, rejectsRequest: false }));
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
function patchValue(
  value: object,
  itemsNonNull: boolean,
  denial: Denial,
  index: number,
  path: Array<string | number>,
  errors: Map<string, GraphQLError>,
): boolean {
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
