import { GraphQLError, Kind, visit, type DocumentNode, type ExecutionResult, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import { setOwnKey } from '../set-own-key.ts';

/**
 * A document whose client aliases starting with `__` were renamed, and the way back.
 *
 * Why: `__proto__: name`, `__typename: name` or `__x: id` are valid aliases, the client's to
 * choose. But `__` is where the gateway's engines keep their own response keys (the planner's
 * `__key_*`, stitching's `__typename` and merge keys), and in JavaScript `__proto__` assigned as a
 * key sets an object's prototype instead. Stitching answered such aliases with the wrong value
 * (`__typename: name` gave the type's name) or null without an error, and the planner sent them to
 * stitching. Renamed before execution (`__proto__` travels as `a__proto__`), they are plain aliases
 * to every engine; the answer gets the client's keys back, as own properties.
 */
export interface Renaming {
  document: DocumentNode;
  /** The client's alias of each renamed one. */
  original: ReadonlyMap<string, string>;
}

const renamings = new WeakMap<DocumentNode, Renaming | null>();

/** The renaming of a document's reserved aliases, or `null` when it has none; once per document. */
export function renamingOf(document: DocumentNode): Renaming | null {
  let known = renamings.get(document);
  if (known === undefined) renamings.set(document, (known = rename(document)));
  return known;
}

/** Whether an alias is renamed: it starts with `__` and is not the field's own name (`__typename: __typename`). */
function isReserved(alias: string, name: string): boolean {
  return alias.startsWith('__') && alias !== name;
}

function rename(document: DocumentNode): Renaming | null {
  const used = new Set<string>();
  const reserved: string[] = [];
  visit(document, {
    Field(node) {
      used.add(node.alias?.value ?? node.name.value);
      if (node.alias && isReserved(node.alias.value, node.name.value)) reserved.push(node.alias.value);
    },
  });
  if (reserved.length === 0) return null;
  // `a` + the alias: not `__`-prefixed, and prefixed again until no key of the document has it.
  const renamed = new Map<string, string>();
  for (const alias of reserved) {
    if (renamed.has(alias)) continue;
    let candidate = `a${alias}`;
    while (used.has(candidate)) candidate = `a${candidate}`;
    used.add(candidate);
    renamed.set(alias, candidate);
  }
  const renamedDocument = visit(document, {
    Field(node) {
      const alias = node.alias?.value;
      const to = alias === undefined ? undefined : renamed.get(alias);
      return to === undefined || !isReserved(alias as string, node.name.value) ? undefined : { ...node, alias: { kind: Kind.NAME, value: to } };
    },
  });
  return { document: renamedDocument, original: new Map([...renamed].map(([from, to]) => [to, from])) };
}

/**
 * A result of the renamed document with the client's keys back: in its data (walked along the
 * document's selections, so that a JSON scalar's own keys are never touched) and in its errors'
 * paths.
 */
export function restoreResult(result: ExecutionResult, renaming: Renaming): ExecutionResult {
  const walk = new KeyWalk(renaming);
  const restored: ExecutionResult = { ...result };
  if (result.data) restored.data = walk.restore(result.data, walk.rootSelections()) as ExecutionResult['data'];
  if (result.errors) restored.errors = result.errors.map((error) => restoreErrorPath(error, renaming.original));
  return restored;
}

function restoreErrorPath(error: GraphQLError, original: ReadonlyMap<string, string>): GraphQLError {
  if (!error.path?.some((step) => typeof step === 'string' && original.has(step))) return error;
  const path = error.path.map((step) => (typeof step === 'string' ? (original.get(step) ?? step) : step));
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
}

/** Walks an answer along the renamed document's selection sets, renaming keys back. */
class KeyWalk {
  readonly #original: ReadonlyMap<string, string>;
  readonly #fragments = new Map<string, FragmentDefinitionNode>();
  readonly #operations: SelectionSetNode[] = [];
  /** Each selection list's children, worked out once per walk: a list's items share theirs. */
  readonly #childrenOf = new Map<readonly SelectionSetNode[], Map<string, SelectionSetNode[]>>();

  constructor({ document, original }: Renaming) {
    this.#original = original;
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) this.#fragments.set(definition.name.value, definition);
      // Any operation of the document: a key's selections are looked up by response key in all of them.
      else if (definition.kind === Kind.OPERATION_DEFINITION) this.#operations.push(definition.selectionSet);
    }
  }

  rootSelections(): readonly SelectionSetNode[] {
    return this.#operations;
  }

  restore(value: unknown, selections: readonly SelectionSetNode[]): unknown {
    if (value === null || typeof value !== 'object' || selections.length === 0) return value;
    if (Array.isArray(value)) return value.map((item) => this.restore(item, selections));
    const children = this.#children(selections);
    const restored: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const own = (value as Record<string, unknown>)[key];
      const client = this.#original.get(key) ?? key;
      const next = this.restore(own, children.get(key) ?? []);
      setOwnKey(restored, client, next);
    }
    return restored;
  }

  /** The sub-selections of each response key of these selection sets, fragments included. */
  #children(selections: readonly SelectionSetNode[]): Map<string, SelectionSetNode[]> {
    const known = this.#childrenOf.get(selections);
    if (known) return known;
    const children = new Map<string, SelectionSetNode[]>();
    this.#childrenOf.set(selections, children);
    const seen = new Set<string>();
    const collect = (set: SelectionSetNode): void => {
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          const key = selection.alias?.value ?? selection.name.value;
          let list = children.get(key);
          if (!list) children.set(key, (list = []));
          if (selection.selectionSet) list.push(selection.selectionSet);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet);
        else if (!seen.has(selection.name.value)) {
          seen.add(selection.name.value);
          const fragment = this.#fragments.get(selection.name.value);
          if (fragment) collect(fragment.selectionSet);
        }
      }
    };
    for (const set of selections) collect(set);
    return children;
  }
}
