import { GraphQLError } from 'graphql';
import type { ObjectShape, OutputShape } from './shape-operation.ts';

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
 * an error on that path (or on an object above it) already explains it. Scalars and enums are
 * serialized by the gateway schema's types, as graphql-js does: a value it can't represent (an enum
 * value `@inaccessible` hides) is null with an error on its path.
 */
export function completeResult(data: Record<string, unknown>, shape: ObjectShape, errors: GraphQLError[]): Record<string, unknown> | null {
  let explained: Set<string> | undefined;
  const violation = (path: PathLink, coordinate: string) => {
    const segments = pathSegments(path);
    explained ??= new Set(errors.map((error) => (error.path ?? []).join('.')));
    // An error on the position or on an object above it (a failed entity) already explains the null.
    if (!segments.some((_, index) => explained?.has(segments.slice(0, index + 1).join('.')))) errors.push(new GraphQLError(`Cannot return null for non-nullable field ${coordinate}.`, { path: segments }));
  };

  const completeObject = (value: Record<string, unknown>, object: ObjectShape, path: PathLink | undefined): Record<string, unknown> | typeof BUBBLE => {
    const completed: Record<string, unknown> = {};
    for (const field of object.fields) {
      if (field.typename) {
        completed[field.key] = value[field.key] ?? value['__typename'] ?? object.typeName;
        continue;
      }
      const result = completeValue(value[field.key], field.type, { prev: path, key: field.key }, field.coordinate);
      if (result === BUBBLE) return BUBBLE;
      completed[field.key] = result;
    }
    return completed;
  };

  const completeValue = (value: unknown, type: OutputShape, path: PathLink, coordinate: string): unknown => {
    if (value === null || value === undefined) {
      if (!type.nonNull) return null;
      violation(path, coordinate);
      return BUBBLE;
    }
    let result: unknown = value;
    if (type.leaf) {
      try {
        if (type.hidden?.has(String(value))) throw new Error(`Enum "${type.leaf.name}" cannot represent value: ${JSON.stringify(value)}`);
        result = type.leaf.serialize(value);
      } catch (error) {
        errors.push(new GraphQLError((error as Error).message, { path: pathSegments(path) }));
        result = BUBBLE;
      }
    } else if (type.list) {
      if (!Array.isArray(value)) return null;
      const items: unknown[] = new Array(value.length);
      const itemType = type.list;
      for (let index = 0; index < value.length; index++) {
        const item = completeValue(value[index], itemType, { prev: path, key: index }, coordinate);
        if (item === BUBBLE) {
          result = BUBBLE;
          break;
        }
        items[index] = item;
      }
      if (result !== BUBBLE) result = items;
    } else if (type.object) {
      result = typeof value === 'object' ? completeObject(value as Record<string, unknown>, type.object, path) : null;
    } else if (type.objects) {
      const object = typeof value === 'object' ? type.objects[String((value as Record<string, unknown>)['__typename'])] : undefined;
      result = object ? completeObject(value as Record<string, unknown>, object, path) : null;
    }
    if (result !== BUBBLE) return result;
    return type.nonNull ? BUBBLE : null;
  };

  const completed = completeObject(data, shape, undefined);
  return completed === BUBBLE ? null : completed;
}

function pathSegments(path: PathLink | undefined): (string | number)[] {
  const segments: (string | number)[] = [];
  for (let current = path; current; current = current.prev) segments.unshift(current.key);
  return segments;
}
