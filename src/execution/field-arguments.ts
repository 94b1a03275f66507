import { Kind, getArgumentValues, isNonNullType, type FieldNode, type GraphQLField, type ValueNode } from 'graphql';

/** Each argument of a field node written as a variable (`ids: $__merge_ids`): its name, its variable, whether it is non-null. */
type VariableArguments = ReadonlyArray<{ name: string; variable: string; nonNull: boolean }>;

/** What a field node's arguments are, worked out once per node (and field: a schema swap gives new ones). */
interface NodeArguments {
  field: GraphQLField<unknown, unknown>;
  /** Each argument written as a variable, when all are (see {@link fieldArguments}); else `null`. */
  variables: VariableArguments | null;
  /** Whether no argument holds a variable: the values are the same on every request. */
  literal: boolean;
  /** The values of a `literal` node, frozen, once {@link sharedFieldArguments} has worked them out. */
  shared?: Readonly<Record<string, unknown>>;
}

const shapes = new WeakMap<FieldNode, NodeArguments>();

function shapeOf(field: GraphQLField<unknown, unknown>, node: FieldNode): NodeArguments {
  let shape = shapes.get(node);
  if (shape?.field !== field) {
    shape = { field, variables: variableArguments(field, node), literal: !node.arguments?.some((argument) => hasVariable(argument.value)) };
    shapes.set(node, shape);
  }
  return shape;
}

/**
 * A field's coerced arguments, as graphql-js's `getArgumentValues` gives them (and throws). When
 * every argument the node writes is a variable the operation provides, and every one it leaves out
 * is nullable without a default, they are the variables' values, already coerced with the
 * operation: read straight from them. That is the planner's own calls (`_users(ids:
 * $__merge_ids)`), once per call. Anything else goes through `getArgumentValues`, which builds a
 * map of the node's arguments and coerces each on every call.
 */
export function fieldArguments(field: GraphQLField<unknown, unknown>, node: FieldNode, variables: Record<string, unknown>): Record<string, unknown> {
  return argumentsOf(shapeOf(field, node), node, variables);
}

function argumentsOf({ field, variables: written }: NodeArguments, node: FieldNode, variables: Record<string, unknown>): Record<string, unknown> {
  if (written === null) return getArgumentValues(field, node, variables);
  const args: Record<string, unknown> = {};
  for (const { name, variable, nonNull } of written) {
    const value = variables[variable];
    // Missing, undefined or null where the argument may not be: graphql-js's defaults and errors.
    if (value === undefined || (value === null && nonNull) || !Object.hasOwn(variables, variable)) return getArgumentValues(field, node, variables);
    args[name] = value;
  }
  return args;
}

function variableArguments(field: GraphQLField<unknown, unknown>, node: FieldNode): VariableArguments | null {
  const written = new Map((node.arguments ?? []).map((argument) => [argument.name.value, argument.value]));
  const list: Array<{ name: string; variable: string; nonNull: boolean }> = [];
  for (const argument of field.args) {
    const value = written.get(argument.name);
    if (value === undefined) {
      // Left out: a default or an error is graphql-js's to give; a nullable one is simply absent.
      if (argument.defaultValue !== undefined || isNonNullType(argument.type)) return null;
      continue;
    }
    if (value.kind !== Kind.VARIABLE) return null;
    list.push({ name: argument.name, variable: value.name.value, nonNull: isNonNullType(argument.type) });
  }
  return list;
}

/**
 * {@link fieldArguments} for readers that only read them (the REST executor's resolvers,
 * authorization policies, whose input says `Readonly`). Arguments written without variables
 * (`orders(first: 10)`) are the same for every request of the document: coerced once, frozen
 * through and through, and shared.
 */
export function sharedFieldArguments(
  field: GraphQLField<unknown, unknown>,
  node: FieldNode,
  variables: Record<string, unknown>,
): Readonly<Record<string, unknown>> {
  const shape = shapeOf(field, node);
  if (shape.shared) return shape.shared;
  const args = argumentsOf(shape, node, variables);
  if (shape.literal) {
    deepFreeze(args);
    shape.shared = args;
  }
  return args;
}

function hasVariable(value: ValueNode): boolean {
  if (value.kind === Kind.VARIABLE) return true;
  if (value.kind === Kind.LIST) return value.values.some(hasVariable);
  if (value.kind === Kind.OBJECT) return value.fields.some((field) => hasVariable(field.value));
  return false;
}

/**
 * Freezes the plain objects and arrays of a value. A custom scalar's own object (a `Date`, a typed
 * array, which cannot be frozen) is left as it is, as graphql-js hands it to every reader.
 */
function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  const prototype = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && prototype !== Object.prototype && prototype !== null) return;
  Object.freeze(value);
  for (const inner of Object.values(value)) deepFreeze(inner);
}
