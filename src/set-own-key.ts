/**
 * Sets a key on an answer's object as an own, enumerable property, as `JSON.parse` makes it. Keys
 * here come from clients (aliases) and from services' answers: `__proto__` assigned would set the
 * object's prototype (or be dropped, for a string), so that one is defined instead; every other key
 * is assigned, the fast path.
 */
export function setOwnKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
