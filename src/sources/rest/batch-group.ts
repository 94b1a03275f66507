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
  readonly #answered = new Map<string, unknown[]>();
  readonly #inFlight = new Map<string, Promise<ReadonlyMap<string, KeyGroup>>>();
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
    let answered = true;
    for (let index = 0; index < keys.length && answered; index++) answered = this.#answered.has(keys[index] as string);
    return answered ? this.#known(keys, undefined) : this.#loader.load(keys);
  }

  /** Each key's group: answered, or else what the calls of its tick say of it (a failure). */
  #known(keys: readonly string[], outcome: ReadonlyMap<string, KeyGroup> | undefined): KeyGroup[] {
    const groups: KeyGroup[] = new Array(keys.length);
    for (let index = 0; index < keys.length; index++) {
      const key = keys[index] as string;
      groups[index] = this.#answered.get(key) ?? outcome?.get(key) ?? [];
    }
    return groups;
  }

  /**
   * One tick's loads: their distinct keys neither answered nor in flight go out in calls of at most
   * `maxBatchSize`; keys in flight (an earlier tick's call) wait for that call.
   */
  async #dispatch(calls: ReadonlyArray<readonly string[]>): Promise<KeyGroup[][]> {
    const distinct = new Set<string>();
    const chunks = new Set<Promise<ReadonlyMap<string, KeyGroup>>>();
    for (const keys of calls) {
      for (const key of keys) {
        if (this.#answered.has(key)) continue;
        const flying = this.#inFlight.get(key);
        if (flying) chunks.add(flying);
        else distinct.add(key);
      }
    }
    const all = [...distinct];
    for (let start = 0; start < all.length; start += this.maxBatchSize) chunks.add(this.#call(all.slice(start, start + this.maxBatchSize)));
    const settled = await Promise.all(chunks);
    const outcome = settled.length === 1 ? (settled[0] as ReadonlyMap<string, KeyGroup>) : new Map(settled.flatMap((chunk) => [...chunk]));
    return calls.map((keys) => this.#known(keys, outcome));
  }

  /** One call for `keys`: its groups are kept for later loads; a failure is handed to the loads of its tick only. */
  #call(keys: string[]): Promise<ReadonlyMap<string, KeyGroup>> {
    const call = this.load(keys).then(
      (groups) => {
        for (let index = 0; index < keys.length; index++) this.#answered.set(keys[index] as string, groups[index] ?? []);
        return noFailures;
      },
      (error: unknown) => new Map<string, KeyGroup>(keys.map((key) => [key, error instanceof Error ? error : new Error(String(error))])),
    );
    for (const key of keys) this.#inFlight.set(key, call);
    void call.then(() => {
      for (const key of keys) if (this.#inFlight.get(key) === call) this.#inFlight.delete(key);
    });
    return call;
  }
}

/** What a call that succeeded hands to its loads beyond the answered groups: nothing. */
const noFailures: ReadonlyMap<string, KeyGroup> = new Map();
