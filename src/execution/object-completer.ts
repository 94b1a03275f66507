import type { FieldShape, ObjectShape, OutputShape } from './shape-operation.ts';
import { setOwnKey } from '../set-own-key.ts';

/** A null met a non-null position: the nearest nullable parent becomes null. */
export const BUBBLE: unique symbol = Symbol('bubble');

/** A position's response path, linked to its parent's; made only where needed. */
export interface PathLink {
  prev: PathLink | undefined;
  key: string | number;
}

/** What completing one object needs of the completion it is part of (see complete-result.ts). */
export interface CompletionRun {
  /** The completed value at a position: `parent` and `key` name it. */
  value(value: unknown, type: OutputShape, parent: PathLink | undefined, key: string, coordinate: string): unknown;
  /** A field at `index` bubbled: records the fields after it as never completed, and returns {@link BUBBLE}. */
  bubbled(path: PathLink | undefined, fields: readonly FieldShape[], index: number): typeof BUBBLE;
}

/** Completes one object of a shape: its selected fields in order, or {@link BUBBLE}. */
export type ObjectCompleter = (
  shape: ObjectShape,
  value: Record<string, unknown>,
  path: PathLink | undefined,
  run: CompletionRun,
) => Record<string, unknown> | typeof BUBBLE;

/** Objects of a shape completed before its completer is compiled: a one-off operation's small answer is not worth compiling for. */
const COMPILE_AFTER = 16;

const completers = new WeakMap<ObjectShape, ObjectCompleter>();
const uses = new WeakMap<ObjectShape, number>();
let compiling = true;

/**
 * The completer of an object shape. The generic one walks the fields and reads and writes each by
 * its key, so every read and write is a keyed (megamorphic) property access, and the object grows
 * one property at a time. Once a shape has completed {@link COMPILE_AFTER} objects, it gets a
 * function of its own, compiled with `new Function` as graphql-jit compiles queries: it reads each
 * field by a constant name and builds the object as one literal, which V8 allocates at its final
 * size. Keys enter the code only as JSON string literals, and the compiled function does exactly
 * what the generic one does. Where code generation is disabled
 * (`--disallow-code-generation-from-strings`), the generic one is kept.
 */
export function completerOf(shape: ObjectShape): ObjectCompleter {
  const known = completers.get(shape);
  if (known) return known;
  const count = (uses.get(shape) ?? 0) + 1;
  uses.set(shape, count);
  if (count < COMPILE_AFTER || !compiling) return completeGenerically;
  let compiled: ObjectCompleter;
  try {
    compiled = compile(shape);
  } catch {
    compiling = false;
    return completeGenerically;
  }
  completers.set(shape, compiled);
  return compiled;
}

/** The generic completer: see {@link completerOf}. */
function completeGenerically(
  shape: ObjectShape,
  value: Record<string, unknown>,
  path: PathLink | undefined,
  run: CompletionRun,
): Record<string, unknown> | typeof BUBBLE {
  const completed: Record<string, unknown> = {};
  const { fields } = shape;
  for (let index = 0; index < fields.length; index++) {
    const field = fields[index] as FieldShape;
    const own = field.key === '__proto__' ? ownProto(value) : value[field.key];
    const result = field.typename ? (own ?? value['__typename'] ?? shape.typeName) : run.value(own, field.type, path, field.key, field.coordinate);
    if (result === BUBBLE) return run.bubbled(path, fields, index);
    setOwnKey(completed, field.key, result);
  }
  return completed;
}

/**
 * The compiled completer of a shape, e.g. for `{ id name __typename }`:
 *
 *   const v0 = run.value(value["id"], fields[0].type, path, "id", fields[0].coordinate);
 *   if (v0 === BUBBLE) return run.bubbled(path, fields, 0);
 *   ...
 *   const v2 = value["__typename"] ?? value.__typename ?? typeName;
 *   return { "id": v0, "name": v1, "__typename": v2 };
 */
function compile(shape: ObjectShape): ObjectCompleter {
  const { fields } = shape;
  const lines: string[] = [];
  const properties: string[] = [];
  fields.forEach((field, index) => {
    const key = JSON.stringify(field.key);
    const read = field.key === '__proto__' ? 'ownProto(value)' : `value[${key}]`;
    if (field.typename) {
      lines.push(`const v${index} = ${read} ?? value.__typename ?? typeName;`);
    } else {
      lines.push(`const v${index} = run.value(${read}, fields[${index}].type, path, ${key}, fields[${index}].coordinate);`);
      lines.push(`if (v${index} === BUBBLE) return run.bubbled(path, fields, ${index});`);
    }
    // A computed key defines `__proto__` as an own property, as the generic completer does.
    properties.push(field.key === '__proto__' ? `[${key}]: v${index}` : `${key}: v${index}`);
  });
  const body = `return function completeObject(shape, value, path, run) {\n${lines.join('\n')}\nreturn { ${properties.join(', ')} };\n};`;
  return new Function('BUBBLE', 'fields', 'typeName', 'ownProto', body)(BUBBLE, fields, shape.typeName, ownProto) as ObjectCompleter;
}

/** An answer's own `__proto__` key (a client may use it as an alias), never its prototype. */
function ownProto(value: Record<string, unknown>): unknown {
  return Object.getOwnPropertyDescriptor(value, '__proto__')?.value;
}
