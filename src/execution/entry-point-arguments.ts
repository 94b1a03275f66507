import { Kind, type SelectionSetNode } from 'graphql';
import type { MergeEntry } from './read-supergraph.ts';

type Representation = Record<string, unknown>;
export type KeyOf = (representation: Representation) => unknown;
export type ArgsFromKeys = (keys: readonly unknown[]) => Record<string, unknown>;

/**
 * An entry point's arguments for some representations: stitching's `argsFromKeys` of each one's
 * `key`. When those send one key field's values as one list argument and nothing else (the usual
 * `@merge(keyField: "id")` on `ids: [ID!]!`, seen by passing two marker values through them), the
 * values are read straight from the representations: the same arguments, without the key object
 * and the path arrays stitching builds for every representation.
 */
export function entryPointArguments(key: KeyOf, argsFromKeys: ArgsFromKeys, keys: SelectionSetNode): MergeEntry['argumentsFor'] {
  const general = (representations: readonly Representation[]) => argsFromKeys(representations.map(key));
  const [only, ...others] = keys.selections;
  if (others.length > 0 || only?.kind !== Kind.FIELD || only.selectionSet || only.alias) return general;
  const name = only.name.value;
  const first = Symbol('first key');
  const second = Symbol('second key');
  let probed: Record<string, unknown>;
  try {
    probed = general([{ [name]: first }, { [name]: second }]);
  } catch {
    return general;
  }
  const [argument, ...more] = Object.entries(probed);
  const [argumentName, values] = argument ?? [];
  if (argumentName === undefined || more.length > 0 || !Array.isArray(values) || values.length !== 2 || values[0] !== first || values[1] !== second)
    return general;
  return (representations) => ({ [argumentName]: representations.map((representation) => representation[name]) });
}
