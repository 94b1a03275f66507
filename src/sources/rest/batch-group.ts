import DataLoader from 'dataloader';

/** What one key's calls got: the items the batch endpoint answered for it (none: `[]`), or the failure of its call. */
export type KeyGroup = unknown[] | Error;

/** Calls the batch endpoint once for at most `maxBatchSize` distinct keys: their groups, in key order. */
export type LoadKeys = (keys: readonly string[]) => Promise<unknown[][]>;

/**
 * The calls of one batched REST mapping (one group key) within one request, with DataLoader's
 * semantics: every key asked for in one tick of the request (a level of the query) goes out in one
 * call per `maxBatchSize` distinct keys, keys asked for again are served from what was answered
 * (or join the call in flight), and a failed call's keys are asked for again by later loads.
 *
 * DataLoader batches the resolver calls, not their keys: a call asking for 40 keys is one load, so
 * it costs one promise instead of a promise, a rejection handler and a cache entry per key (what
 * `loadMany` costs), and a call whose keys were all answered already costs none. The keys are
 * deduplicated, cached and split into calls here.
 */
export class BatchGroup {
  /**
   * Every key asked for in the request: its group once answered, the call it is in while in flight.
   * One map for both, written over in place: a map that grows and shrinks per key (a second map of
   * keys in flight, a set of each tick's keys) reallocates its table as it does.
   */
  readonly #keys = new Map<string, unknown[] | Call>();
  readonly #loader: DataLoader<readonly string[], KeyGroup[]>;

  constructor(
    readonly load: LoadKeys,
    readonly maxBatchSize: number,
  ) {
    // No cache of DataLoader's own: a call's key list is rarely asked for twice, its keys are, and they are cached here.
    this.#loader = new DataLoader((calls) => this.#dispatch(calls), { cache: false });
  }

  /** The groups of `keys`, in their order: synchronously when every one was answered already. */
  groups(keys: readonly string[]): KeyGroup[] | Promise<KeyGroup[]> {
    for (let index = 0; index < keys.length; index++) {
      if (!Array.isArray(this.#keys.get(keys[index] as string))) return this.#loader.load(keys);
    }
    return this.#known(keys, undefined);
  }

  /** Each key's group: answered, or else what the calls of its tick say of it (a failure). */
  #known(keys: readonly string[], failures: ReadonlyMap<string, Error> | undefined): KeyGroup[] {
    const groups: KeyGroup[] = new Array(keys.length);
    for (let index = 0; index < keys.length; index++) {
      const key = keys[index] as string;
      const known = this.#keys.get(key);
      groups[index] = Array.isArray(known) ? known : (failures?.get(key) ?? []);
    }
    return groups;
  }

  /**
   * One tick's loads: their keys neither answered nor in flight go out in calls of at most
   * `maxBatchSize` distinct keys, in the order first asked for; keys in flight (an earlier tick's
   * call) wait for that call.
   */
  async #dispatch(loads: ReadonlyArray<readonly string[]>): Promise<KeyGroup[][]> {
    const waits = new Set<Call>();
    const fresh: string[] = [];
    for (const keys of loads) {
      for (const key of keys) {
        const known = this.#keys.get(key);
        if (known === undefined) {
          this.#keys.set(key, claimed);
          fresh.push(key);
        } else if (known !== claimed && !Array.isArray(known)) waits.add(known);
      }
    }
    for (let start = 0; start < fresh.length; start += this.maxBatchSize) waits.add(this.#call(fresh.slice(start, start + this.maxBatchSize)));
    let failures: Map<string, Error> | undefined;
    for (const failed of await Promise.all(waits)) {
      if (failed) for (const [key, error] of failed) (failures ??= new Map()).set(key, error);
    }
    return loads.map((keys) => this.#known(keys, failures));
  }

  /** One call for `keys`: its groups are kept for later loads; a failure is handed to the loads waiting for it, and its keys are forgotten. */
  #call(keys: string[]): Call {
    const call: Call = this.load(keys).then(
      (groups) => {
        for (let index = 0; index < keys.length; index++) this.#keys.set(keys[index] as string, groups[index] ?? []);
        return undefined;
      },
      (error: unknown) => {
        const failure = error instanceof Error ? error : new Error(String(error));
        for (const key of keys) if (this.#keys.get(key) === call) this.#keys.delete(key);
        return new Map(keys.map((key) => [key, failure]));
      },
    );
    for (const key of keys) this.#keys.set(key, call);
    return call;
  }
}

/** A call in flight: once settled, the failure of each of its keys, or nothing when it succeeded. */
type Call = Promise<ReadonlyMap<string, Error> | undefined>;

/** Marks a key taken by the tick being dispatched, until its call is made. */
const claimed: Call = Promise.resolve(undefined);
