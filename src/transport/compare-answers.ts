import { isPlainObject } from '../config/config-checker.ts';
import type { UpstreamResponse } from './http-client.ts';

/**
 * Where two answers first differ, and what each holds there, described without the values that
 * may be personal data: numbers, booleans and `null` are shown, a string only by its length, an
 * object or a list by its size.
 */
export interface AnswerDifference {
  /** `status`, or the path in the body: `data.products[3].price`. */
  path: string;
  /** `10`, `a string of 12 characters`, `an object of 3 keys`, `nothing`. */
  primary: string;
  shadow: string;
}

/**
 * The first difference between a source's answer and its shadow's: the HTTP status first, then the
 * JSON bodies in depth, object keys in any order (the primary's keys first, then keys only the
 * shadow has), lists item by item. `ignore` holds paths (as steps, `*` for any one key or index)
 * whose values are not compared. `undefined` when they agree.
 */
export function firstDifference(
  primary: UpstreamResponse,
  shadow: UpstreamResponse,
  ignore: readonly (readonly string[])[] = [],
): AnswerDifference | undefined {
  if (primary.status !== shadow.status) return { path: 'status', primary: String(primary.status), shadow: String(shadow.status) };
  const found = differenceAt(primary.body, shadow.body, [], ignore);
  return found && { path: printPath(found.path), primary: describe(found.primary), shadow: describe(found.shadow) };
}

interface Found {
  path: (string | number)[];
  primary: unknown;
  shadow: unknown;
}

function differenceAt(primary: unknown, shadow: unknown, path: (string | number)[], ignore: readonly (readonly string[])[]): Found | undefined {
  if (ignore.some((pattern) => matches(pattern, path))) return undefined;
  if (Array.isArray(primary) && Array.isArray(shadow)) {
    for (let index = 0; index < Math.max(primary.length, shadow.length); index++) {
      const found = differenceAt(primary[index], shadow[index], [...path, index], ignore);
      if (found) return found;
    }
    return undefined;
  }
  if (isPlainObject(primary) && isPlainObject(shadow)) {
    const keys = new Set([...Object.keys(primary), ...Object.keys(shadow)]);
    for (const key of keys) {
      const found = differenceAt(primary[key], shadow[key], [...path, key], ignore);
      if (found) return found;
    }
    return undefined;
  }
  return Object.is(primary, shadow) ? undefined : { path, primary, shadow };
}

function matches(pattern: readonly string[], path: readonly (string | number)[]): boolean {
  return pattern.length === path.length && pattern.every((step, index) => step === '*' || step === String(path[index]));
}

function printPath(path: readonly (string | number)[]): string {
  return path.map((step, index) => (typeof step === 'number' ? `[${step}]` : index === 0 ? step : `.${step}`)).join('') || '(body)';
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  if (Array.isArray(value)) return `a list of ${value.length} items`;
  if (isPlainObject(value)) return `an object of ${Object.keys(value).length} keys`;
  return typeof value;
}
