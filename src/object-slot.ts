/**
 * A value attached to a short-lived object (a client request, its context, its variables), kept
 * on the object itself under a private, non-enumerable symbol: the WeakMap-like way to hold
 * per-request state.
 *
 * Why not a WeakMap: in Node 20's V8, the young-generation collector keeps the values of a
 * long-lived WeakMap alive through a scavenge even when their keys are already garbage, so every
 * request's state (and all it references: upstream answers, batch caches, spans) was copied, and
 * often promoted to the old generation, before a full collection freed it. Measured on the
 * example shop's order history under load: several MB survived each scavenge against under 1 MB
 * for the hand-written aggregator, and scavenges took several times as long. A slot on the object
 * dies with the object, young.
 *
 * Not enumerable, so spreading or `Object.assign` of the owner does not copy it; a symbol, so no
 * key of the owner's own can collide with it.
 */
export class ObjectSlot<K extends object, V> {
  readonly #symbol: symbol;
  /** For owners that cannot take a property (frozen, sealed): a WeakMap after all. */
  readonly #fallback = new WeakMap<K, V>();

  /** `name` describes the slot (it shows in a debugger). */
  constructor(name: string) {
    this.#symbol = Symbol(name);
  }

  get(owner: K): V | undefined {
    const value = (owner as Record<symbol, V | undefined>)[this.#symbol];
    return value !== undefined || Object.isExtensible(owner) ? value : this.#fallback.get(owner);
  }

  has(owner: K): boolean {
    return this.get(owner) !== undefined;
  }

  /** Attaches `value` to `owner`, replacing what was there. */
  set(owner: K, value: V): this {
    const slots = owner as Record<symbol, V | undefined>;
    if (Object.hasOwn(slots, this.#symbol)) slots[this.#symbol] = value;
    else if (Object.isExtensible(owner)) Object.defineProperty(owner, this.#symbol, { value, writable: true, configurable: true, enumerable: false });
    else this.#fallback.set(owner, value);
    return this;
  }

  /** Detaches the value; true when there was one. */
  delete(owner: K): boolean {
    const had = this.has(owner);
    if (Object.hasOwn(owner, this.#symbol)) (owner as Record<symbol, V | undefined>)[this.#symbol] = undefined;
    this.#fallback.delete(owner);
    return had;
  }
}
