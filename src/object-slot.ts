/**
 * A value attached to a short-lived object (a client request, its context, its variables), kept
 * on the object itself: the WeakMap-like way to hold per-request state.
 *
 * Why not a WeakMap: in Node 20's V8, the young-generation collector keeps the values of a
 * long-lived WeakMap alive through a scavenge even when their keys are already garbage, so every
 * request's state (and all it references: upstream answers, batch caches, spans) was copied, and
 * often promoted to the old generation, before a full collection freed it. Measured on the
 * example shop's order history under load: several MB survived each scavenge against under 1 MB
 * for the hand-written aggregator, and scavenges took several times as long. A slot on the object
 * dies with the object, young.
 *
 * All the slots of one owner share one property, a private, non-enumerable symbol holding their
 * values by slot: one `Object.defineProperty` per owner, not one per slot (a request takes a dozen),
 * and every request keeps the same shape whichever slots it takes, in whichever order. The values
 * are an array indexed by slot number (each slot takes the next number when made): a read is an
 * index, not a hash lookup.
 *
 * Not enumerable, so spreading or `Object.assign` of the owner does not copy it; a symbol, so no
 * key of the owner's own can collide with it. An object made with `Object.create(owner)` sees the
 * owner's values, as it sees its properties, until it takes a value of its own for the same slot.
 */
export class ObjectSlot<K extends object, V> {
  readonly #index = slotCount++;
  /** For owners that cannot take a property (frozen, sealed): a WeakMap after all. */
  readonly #fallback = new WeakMap<K, V>();

  /** `name` describes the slot (it shows in a debugger, and in errors). */
  constructor(readonly name: string) {}

  get(owner: K): V | undefined {
    for (let slots = slotsOf(owner); slots !== undefined; slots = slotsOf(Object.getPrototypeOf(slots.owner))) {
      const value = slots.values[this.#index] as V | undefined;
      // A deleted value stays as `undefined`: it hides the prototype's, as a property set to undefined would.
      if (value !== undefined || this.#index in slots.values) return value;
    }
    return Object.isExtensible(owner) ? undefined : this.#fallback.get(owner);
  }

  has(owner: K): boolean {
    return this.get(owner) !== undefined;
  }

  /** Attaches `value` to `owner`, replacing what was there. */
  set(owner: K, value: V): this {
    let slots = slotsOf(owner);
    if (slots === undefined || slots.owner !== owner) {
      if (!Object.isExtensible(owner)) {
        this.#fallback.set(owner, value);
        return this;
      }
      slots = { owner, values: [] };
      Object.defineProperty(owner, slotsKey, { value: slots });
    }
    slots.values[this.#index] = value;
    return this;
  }

  /** Detaches the value; true when there was one. */
  delete(owner: K): boolean {
    const had = this.has(owner);
    const slots = slotsOf(owner);
    if (slots?.owner === owner) slots.values[this.#index] = undefined;
    this.#fallback.delete(owner);
    return had;
  }
}

/** The values one owner holds, by slot number; a slot never set is a hole. */
interface Slots {
  readonly owner: object;
  readonly values: unknown[];
}

/** Slots made so far: the next one's number. */
let slotCount = 0;

/** The property that holds an owner's {@link Slots}. */
const slotsKey = Symbol('object slots');

function slotsOf(owner: object | null): Slots | undefined {
  return owner === null ? undefined : (owner as { [slotsKey]?: Slots })[slotsKey];
}
