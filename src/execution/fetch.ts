import type { DocumentNode, SelectionSetNode } from 'graphql';
import type { MergeEntry } from './read-supergraph.ts';
import type { Renames } from './selection.ts';

/**
 * A step of the path to a fetch's objects: a response key, `@` for every item of a list, or
 * `|Type` to keep only the objects of that type (below a fragment on a member of an interface or
 * union: a sibling fragment may select the same response key on another member).
 */
export type PathStep = string;

/** The step that keeps the objects of one type (see {@link PathStep}). */
export function typeStep(typeName: string): PathStep {
  return `|${typeName}`;
}

/** The type a `|Type` step keeps, or `undefined` for another step. */
export function typeOfStep(step: PathStep): string | undefined {
  return step.startsWith('|') ? step.slice(1) : undefined;
}

/** A path without the `|Type` steps at its end. */
export function withoutTypeSteps(path: readonly PathStep[]): PathStep[] {
  let end = path.length;
  while (end > 0 && typeOfStep(path[end - 1] as PathStep) !== undefined) end--;
  return path.slice(0, end);
}

/** One call to one subgraph; its children run once its answer is merged. */
export interface Fetch {
  graph: string;
  document: DocumentNode;
  /** The client's variables the call passes on. */
  variables: string[];
  /** The response keys of the client's answer the call fills on each of its objects (made null, with its error, if it fails). */
  keys: string[];
  /**
   * An `_entities` call: the objects it completes and the fields that represent them (aliased by
   * the response key the plan fetched them under; fragments only on object types). With `merge`, the
   * call is the `@merge` entry point of a graphql or rest source, aliased `_entities`, sent the keys.
   */
  entity?: {
    typeName: string;
    path: PathStep[];
    representation: SelectionSetNode;
    keyFields: string[];
    merge?: MergeEntry;
    /** The `@interfaceObject` the subgraph knows the objects as: their representations and fragment name it, and its `__typename` in the answer is dropped. */
    representedAs?: string;
    /** The client's keys the call fills by object type, when implementations of that interface share the call (one call for all). */
    keysByType?: Record<string, string[]>;
    /**
     * By response key of the call (a client's key, or an internal key it fetches for another call):
     * the internal keys of the `@requires` fields it needs. An object one of them failed on is called
     * without the keys that need it, which fail with its error.
     */
    requires?: Record<string, string[]>;
  };
  /** Fields the subgraph answers under other keys than the client's (types that differ per subgraph). */
  renames?: Renames;
  /** Other calls (not ancestors) whose answers this one needs first: `@requires` fed by several subgraphs. */
  after?: Fetch[];
  /**
   * A root call's shares of root fields another call answers (see `splitSharedRoot`), by response
   * key: the client's keys it fills on that call's objects, merged once that call's answer is and
   * only where it answered an object; failed on those objects, with its error, if it fails.
   */
  shares?: Record<string, { fields: string[]; primary: Fetch }>;
  children: Fetch[];
}
