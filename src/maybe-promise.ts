/** A value, or a promise of it: what code returns that answers synchronously whenever it can. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Whether a {@link MaybePromise} is a promise: anything whose `then` is a function, as `await` treats
 * it. Stricter than promise-helpers' `isPromise` (any `then` at all): a REST answer may well have a
 * field named `then`. Code on every request's path asks this instead of awaiting, since an `await`
 * (and an `async` function's promise) costs a microtask and an allocation even when the value is
 * already there.
 */
export function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  // Primitives first: most values asked about are a field's string or number, and reading `then`
  // on one looks through its prototype; a thenable is an object or a function.
  const type = typeof value;
  return (type === 'object' || type === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
