import type { GraphQLError, SelectionSetNode } from 'graphql';
import { dependentFieldsOf, sends, type DependentFields } from './dependent-fields.ts';
import { objectAt, relocate, type Data } from './merge-answers.ts';
import type { Fetch } from './fetch.ts';
import { isInternalKey } from './selection.ts';

/**
 * The fields a plan fetched for its own calls (keys and `@requires` fields, under internal keys like
 * `__key_price`) that failed, by object. Their errors never reach the client on those keys: a client
 * sees only its own fields. So a failure is kept on its object, and each call that would send the
 * field meets it when it runs: the call is made for that object without the fields that need the
 * failed one (or not at all, for a key), and those fail with its error, at the client's key (see
 * `runEntities`). An object that is itself null is never called: its failure goes at once to the
 * client's fields that needed it, since graphql-js would have reported it there.
 */
export class RequiredFailures {
  private readonly byObject = new WeakMap<Data, Map<string, unknown>>();
  private readonly placed = new Set<string>();
  private dependents: DependentFields | undefined;

  constructor(
    private readonly data: Data,
    private readonly errors: GraphQLError[],
    private readonly plan: readonly Fetch[],
  ) {}

  /** An error at a client path whose first internal key is the failed field: kept on its object, or placed on the fields that needed it when the object is null. */
  fail(path: readonly (string | number)[], error: unknown): void {
    const at = path.findIndex(isInternalKey);
    const objectPath = path.slice(0, at);
    const key = path[at] as string;
    const object = objectAt(this.data, objectPath);
    if (object) return this.record(object, key, error);
    this.dependents ??= dependentFieldsOf(this.plan);
    for (const field of this.dependents(objectPath, key)) {
      const target = JSON.stringify([...objectPath, field]);
      if (this.placed.has(target)) continue;
      this.placed.add(target);
      this.errors.push(relocate(error, [...objectPath, field]));
    }
  }

  /** The field fetched under an internal key failed on an object (the first error is kept); its value, if any, is dropped. */
  record(object: Data, key: string, error: unknown): void {
    delete object[key];
    const failed = this.byObject.get(object) ?? new Map<string, unknown>();
    this.byObject.set(object, failed);
    if (!failed.has(key)) failed.set(key, error);
  }

  /** The failed fields of an object a representation sends, and the first one's error; `undefined` when none failed. */
  lost(object: Data, representation: SelectionSetNode): { keys: string[]; error: unknown } | undefined {
    const failed = this.byObject.get(object);
    if (!failed) return undefined;
    const keys = [...failed.keys()].filter((key) => sends(representation, key));
    return keys.length > 0 ? { keys: keys.sort(), error: failed.get(keys[0] as string) } : undefined;
  }
}
