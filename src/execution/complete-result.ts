import { GraphQLError, type FieldNode } from 'graphql';
import type { FieldShape, ObjectShape, OutputShape } from './shape-operation.ts';

/** A null met a non-null position: the nearest nullable parent becomes null. */
const BUBBLE: unique symbol = Symbol('bubble');

interface PathLink {
  prev: PathLink | undefined;
  key: string | number;
}

/**
 * Shapes the merged upstream data into the client's answer: only the selected fields, in the
 * document's order, and graphql-js's null rules: a missing or null value at a non-null position
 * makes the nearest nullable parent null, with "Cannot return null for non-nullable field" unless
 * an error on that path, below it or on an object above it already explains it. Scalars and enums are
 * serialized by the gateway schema's types, as graphql-js does: a value it can't represent (an enum
 * value `@inaccessible` hides) is null with an error on its path.
 */
export function completeResult(data: Record<string, unknown>, shape: ObjectShape, errors: GraphQLError[]): Record<string, unknown> | null {
  let explained: { at: Set<string>; under: Set<string> } | undefined;
  const violation = (path: PathLink, coordinate: string) => {
    const segments = pathSegments(path);
    explained ??= explanations(errors);
    const { at, under } = explained;
    // As graphql-js: an error on the position or below it (a null a subgraph propagated), or on an
    // object above it (a failed entity), already explains the null.
    if (!under.has(JSON.stringify(segments)) && !segments.some((_, index) => at.has(JSON.stringify(segments.slice(0, index + 1))))) {
      errors.push(new GraphQLError(`Cannot return null for non-nullable field ${coordinate}.`, { path: segments }));
    }
  };

  // As graphql-js completes an object's fields in order: once one nulls the object, the fields after it are
  // never completed, so their errors (a failed call they shared) are not reported.
  const unreported: string[] = [];
  const completeObject = (value: Record<string, unknown>, object: ObjectShape, path: PathLink | undefined): Record<string, unknown> | typeof BUBBLE => {
    const completed: Record<string, unknown> = {};
    const { fields } = object;
    for (let index = 0; index < fields.length; index++) {
      const field = fields[index] as FieldShape;
      if (field.typename) {
        completed[field.key] = value[field.key] ?? value['__typename'] ?? object.typeName;
        continue;
      }
      const result = completeValue(value[field.key], field.type, path, field.key, field.coordinate);
      if (result === BUBBLE) {
        const at = pathSegments(path);
        for (const later of fields.slice(index + 1)) unreported.push([...at, later.key].join('.'));
        return BUBBLE;
      }
      completed[field.key] = result;
    }
    return completed;
  };

  // The position is `parent` and `key`: its path link is made only where it is needed (an error, or
  // the parent of what is inside it), not for every leaf of the answer.
  const completeValue = (value: unknown, type: OutputShape, parent: PathLink | undefined, key: string | number, coordinate: string): unknown => {
    if (value === null || value === undefined) {
      if (!type.nonNull) return null;
      violation({ prev: parent, key }, coordinate);
      return BUBBLE;
    }
    let result: unknown = value;
    if (type.leaf) {
      try {
        if (type.hidden?.has(String(value))) throw new Error(`Enum "${type.leaf.name}" cannot represent value: ${JSON.stringify(value)}`);
        result = type.leaf.serialize(value);
      } catch (error) {
        errors.push(new GraphQLError((error as Error).message, { path: pathSegments({ prev: parent, key }) }));
        result = BUBBLE;
      }
    } else if (type.list) {
      if (!Array.isArray(value)) return null;
      const items: unknown[] = new Array(value.length);
      const itemType = type.list;
      const path: PathLink = { prev: parent, key };
      for (let index = 0; index < value.length; index++) {
        const item = completeValue(value[index], itemType, path, index, coordinate);
        if (item === BUBBLE) {
          result = BUBBLE;
          break;
        }
        items[index] = item;
      }
      if (result !== BUBBLE) result = items;
    } else if (type.object) {
      result = typeof value === 'object' ? completeObject(value as Record<string, unknown>, type.object, { prev: parent, key }) : null;
    } else if (type.objects) {
      const typename = String((value as Record<string, unknown>)['__typename']);
      const object = Object.hasOwn(type.objects, typename) ? type.objects[typename] : undefined;
      if (object) result = completeObject(value as Record<string, unknown>, object, { prev: parent, key });
      else {
        // A type the API schema lacks (`@inaccessible`): graphql-js's error, never the object's data. An
        // object whose call failed (an @interfaceObject's, never typed) already has its error.
        const at = pathSegments({ prev: parent, key });
        if (!errors.some((error) => error.path !== undefined && at.every((step, index) => error.path?.[index] === step)))
          errors.push(
            new GraphQLError(`Abstract type "${type.abstract}" was resolved to a type "${typename}" that does not exist inside the schema.`, { path: at }),
          );
        result = BUBBLE;
      }
    }
    if (result !== BUBBLE) return result;
    return type.nonNull ? BUBBLE : null;
  };

  const completed = completeObject(data, shape, undefined);
  const kept =
    unreported.length === 0 ? errors : errors.filter((error) => !unreported.some((prefix) => `${(error.path ?? []).join('.')}.`.startsWith(`${prefix}.`)));
  errors.splice(0, errors.length, ...kept.map((error) => locate(error, shape)));
  return completed === BUBBLE ? null : completed;
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
