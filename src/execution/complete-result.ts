import { GraphQLError, type FieldNode } from 'graphql';
import { BUBBLE, completerOf, type CompletionRun, type PathLink } from './object-completer.ts';
import type { FieldShape, ObjectShape, OutputShape } from './shape-operation.ts';

/**
 * Shapes the merged upstream data into the client's answer: only the selected fields, in the
 * document's order, and graphql-js's null rules: a missing or null value at a non-null position
 * makes the nearest nullable parent null, with "Cannot return null for non-nullable field" unless
 * an error on that path, below it or on an object above it already explains it. Scalars and enums are
 * serialized by the gateway schema's types, as graphql-js does: a value it can't represent is null
 * with an error on its path. An enum value or an object type `@inaccessible` hides is answered as
 * null, as if the subgraph had sent none (an error only where null is not allowed), which is how
 * Apollo's gateway and router answer it. Objects are completed by their shape's completer
 * (object-completer.ts).
 */
export function completeResult(data: Record<string, unknown>, shape: ObjectShape, errors: GraphQLError[]): Record<string, unknown> | null {
  const run = new Completion(errors);
  const completed = completerOf(shape)(shape, data, undefined, run);
  const { unreported } = run;
  const kept =
    unreported.length === 0 ? errors : errors.filter((error) => !unreported.some((prefix) => `${(error.path ?? []).join('.')}.`.startsWith(`${prefix}.`)));
  errors.splice(0, errors.length, ...kept.map((error) => locate(error, shape)));
  return completed === BUBBLE ? null : completed;
}

/** One completion's errors and bookkeeping, and how it completes a position. */
class Completion implements CompletionRun {
  /**
   * As graphql-js completes an object's fields in order: once one nulls the object, the fields
   * after it are never completed, so their errors (a failed call they shared) are not reported.
   */
  readonly unreported: string[] = [];
  #explained: { at: Set<string>; under: Set<string> } | undefined;

  constructor(readonly errors: GraphQLError[]) {}

  bubbled(path: PathLink | undefined, fields: readonly FieldShape[], index: number): typeof BUBBLE {
    const at = pathSegments(path);
    for (let later = index + 1; later < fields.length; later++) this.unreported.push([...at, (fields[later] as FieldShape).key].join('.'));
    return BUBBLE;
  }

  // The position is `parent` and `key`: its path link is made only where it is needed (an error, or
  // the parent of what is inside it), not for every leaf of the answer.
  value(value: unknown, type: OutputShape, parent: PathLink | undefined, key: string | number, coordinate: string): unknown {
    if (value === null || value === undefined) {
      if (!type.nonNull) return null;
      this.#violation({ prev: parent, key }, coordinate);
      return BUBBLE;
    }
    let result: unknown = value;
    if (type.leaf) {
      try {
        // A value the API schema hides is no value at all to the client: null, as Apollo's gateway and router answer it.
        if (type.hidden?.has(String(value))) return this.value(null, type, parent, key, coordinate);
        result = type.leaf.serialize(value);
      } catch (error) {
        this.errors.push(new GraphQLError((error as Error).message, { path: pathSegments({ prev: parent, key }) }));
        result = BUBBLE;
      }
    } else if (type.list) {
      if (!Array.isArray(value)) return null;
      const items: unknown[] = new Array(value.length);
      const itemType = type.list;
      const path: PathLink = { prev: parent, key };
      for (let index = 0; index < value.length; index++) {
        const item = this.value(value[index], itemType, path, index, coordinate);
        if (item === BUBBLE) {
          result = BUBBLE;
          break;
        }
        items[index] = item;
      }
      if (result !== BUBBLE) result = items;
    } else if (type.object) {
      const object = type.object;
      result = typeof value === 'object' ? completerOf(object)(object, value as Record<string, unknown>, { prev: parent, key }, this) : null;
    } else if (type.objects) {
      const typename = String((value as Record<string, unknown>)['__typename']);
      const object = Object.hasOwn(type.objects, typename) ? type.objects[typename] : undefined;
      if (object) result = completerOf(object)(object, value as Record<string, unknown>, { prev: parent, key }, this);
      // An object of a type `@inaccessible` hides is no object to the client: null, as for a hidden enum value.
      else if (type.hiddenTypes?.has(typename)) return this.value(null, type, parent, key, coordinate);
      else {
        // A type the supergraph does not have: graphql-js's error, never the object's data. An object
        // whose call failed (an @interfaceObject's, never typed) already has its error.
        const at = pathSegments({ prev: parent, key });
        if (!this.errors.some((error) => error.path !== undefined && at.every((step, index) => error.path?.[index] === step)))
          this.errors.push(
            new GraphQLError(`Abstract type "${type.abstract}" was resolved to a type "${typename}" that does not exist inside the schema.`, { path: at }),
          );
        result = BUBBLE;
      }
    }
    if (result !== BUBBLE) return result;
    return type.nonNull ? BUBBLE : null;
  }

  #violation(path: PathLink, coordinate: string): void {
    const segments = pathSegments(path);
    this.#explained ??= explanations(this.errors);
    const { at, under } = this.#explained;
    // As graphql-js: an error on the position or below it (a null a subgraph propagated), or on an
    // object above it (a failed entity), already explains the null.
    if (!under.has(JSON.stringify(segments)) && !segments.some((_, index) => at.has(JSON.stringify(segments.slice(0, index + 1))))) {
      this.errors.push(new GraphQLError(`Cannot return null for non-nullable field ${coordinate}.`, { path: segments }));
    }
  }
}

/** The paths errors are on (`at`), and every path at or above one of them (`under`: an error is under it). */
function explanations(errors: readonly GraphQLError[]): { at: Set<string>; under: Set<string> } {
  const at = new Set<string>();
  const under = new Set<string>();
  for (const { path } of errors) {
    if (!path) continue;
    at.add(JSON.stringify(path));
    for (let length = 1; length <= path.length; length++) under.add(JSON.stringify(path.slice(0, length)));
  }
  return { at, under };
}

/** An error on a client path gets the location of the field at that path, as graphql-js gives it. */
function locate(error: GraphQLError, shape: ObjectShape): GraphQLError {
  if (!error.path || error.locations) return error;
  let node: FieldNode | undefined;
  let objects: ObjectShape[] = [shape];
  for (const step of error.path) {
    if (typeof step === 'number') continue;
    const field = objects.flatMap((object) => object.fields).find((candidate) => candidate.key === step);
    if (!field) return error;
    node = field.node;
    let type: OutputShape | undefined = field.type;
    while (type?.list) type = type.list;
    objects = type?.object ? [type.object] : Object.values(type?.objects ?? {});
  }
  if (!node?.loc) return error;
  return new GraphQLError(error.message, { nodes: [node], path: error.path, originalError: error.originalError ?? undefined, extensions: error.extensions });
}

function pathSegments(path: PathLink | undefined): (string | number)[] {
  const segments: (string | number)[] = [];
  for (let current = path; current; current = current.prev) segments.unshift(current.key);
  return segments;
}
