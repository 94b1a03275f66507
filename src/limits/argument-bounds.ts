import { getDirective } from '@graphql-tools/utils';
import {
  Kind,
  getArgumentValues,
  getNamedType,
  getNullableType,
  getOperationAST,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  type ASTNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLArgument,
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { fieldDeclarations } from '../security/possible-types.ts';
import { SchemaError } from '../sources/schema-error.ts';
import type { LoadedSource } from '../sources/loaded-source.ts';

/** The range `@constraint(min, max)` allows a numeric argument or input field; either end may be open. */
export interface Bound {
  min?: number;
  max?: number;
}

/** The `@constraint` bounds of the registered schemas, as data. */
export interface ArgumentBounds {
  /** By field coordinate (`Query.users`), then argument name. */
  arguments: ReadonlyMap<string, ReadonlyMap<string, Bound>>;
  /** By input field coordinate (`OrderItemInput.quantity`). */
  inputFields: ReadonlyMap<string, Bound>;
}

/** One value outside its bound, where the operation gave it (or where its default applied). */
export interface OutOfBounds {
  /** `Argument "first" of "Query.users" must be between 0 and 100, got -1.` */
  message: string;
  node: ASTNode;
}

/**
 * Reads `@constraint(min, max)` from the schemas that declare it. A bound that cannot hold (on a
 * type that is not Int or Float, with neither end, with min above max) or that its own default
 * breaks is a start-up error naming the source and coordinate. Where several services bound the
 * same element, a value must satisfy all of them.
 */
export function collectArgumentBounds(sources: readonly LoadedSource[]): ArgumentBounds {
  const bounds = { arguments: new Map<string, Map<string, Bound>>(), inputFields: new Map<string, Bound>() };
  const problems: string[] = [];
  for (const {
    name,
    subschema: { schema },
  } of sources) {
    if (!schema.getDirective('constraint')) continue;
    const own = { arguments: new Map<string, Map<string, Bound>>(), inputFields: new Map<string, Bound>() };
    for (const input of inputsOf(schema)) {
      const { bound, problem } = readBound(schema, input);
      if (problem) problems.push(`sources.${name}: ${problem}`);
      if (bound && input.kind === 'argument') addBound(mapOf(own.arguments, input.owner), input.name, bound);
      else if (bound) addBound(own.inputFields, `${input.owner}.${input.name}`, bound);
    }
    for (const { element, kind, owner, name: inputName } of inputsOf(schema)) {
      const bound = kind === 'argument' ? own.arguments.get(owner)?.get(inputName) : own.inputFields.get(`${owner}.${inputName}`);
      walkValue(element.defaultValue, element.type, bound, inputName, own, (path, range, value) =>
        problems.push(`sources.${name}: the default of ${kind} "${path}" of "${owner}" must be ${range}, got ${value}.`),
      );
    }
    for (const [coordinate, args] of own.arguments) for (const [arg, bound] of args) addBound(mapOf(bounds.arguments, coordinate), arg, bound);
    for (const [coordinate, bound] of own.inputFields) addBound(bounds.inputFields, coordinate, bound);
  }
  if (problems.length > 0) throw new SchemaError(problems);
  return bounds;
}

/** An argument (of field `owner`, a coordinate) or an input field (of input type `owner`). */
interface Input {
  element: GraphQLArgument | GraphQLInputField;
  kind: 'argument' | 'input field';
  owner: string;
  name: string;
}

/** Every input field and field argument of a schema, input types first. */
function* inputsOf(schema: GraphQLSchema): Generator<Input> {
  const types = Object.values(schema.getTypeMap()).filter((type) => !type.name.startsWith('__'));
  for (const type of types.filter(isInputObjectType)) {
    for (const field of Object.values(type.getFields())) yield { element: field, kind: 'input field', owner: type.name, name: field.name };
  }
  for (const type of types) {
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      for (const arg of field.args) yield { element: arg, kind: 'argument', owner: `${type.name}.${field.name}`, name: arg.name };
    }
  }
}

function readBound(schema: GraphQLSchema, { element, kind, owner, name }: Input): { bound?: Bound; problem?: string } {
  const args = getDirective(schema, element, 'constraint')?.[0] as { min?: number | null; max?: number | null } | undefined;
  if (!args) return {};
  const where = `@constraint on ${kind === 'argument' ? `${owner}(${name}:)` : `${owner}.${name}`}`;
  const { min, max } = args;
  const type = getNamedType(element.type).name;
  if (type !== 'Int' && type !== 'Float') return { problem: `${where} bounds numbers (Int or Float), but its type is ${String(element.type)}.` };
  if (typeof min !== 'number' && typeof max !== 'number') return { problem: `${where} needs min, max or both.` };
  if (typeof min === 'number' && typeof max === 'number' && min > max) return { problem: `${where} allows no value: min ${min} is above max ${max}.` };
  return { bound: { ...(typeof min === 'number' ? { min } : {}), ...(typeof max === 'number' ? { max } : {}) } };
}

/** What {@link findOutOfBounds} needs besides the document. */
export interface BoundsCheckOptions {
  /** The composed schema. */
  schema: GraphQLSchema;
  bounds: ArgumentBounds;
  operationName?: string | null | undefined;
  /** The operation's variables, coerced as execution coerces them (their defaults applied). */
  variables: Readonly<Record<string, unknown>>;
}

/**
 * Every argument value of a validated operation outside its `@constraint`, as execution would see
 * it: literals, variables, argument defaults, and the fields of input objects and lists at any
 * depth. Every field of the document is checked, fragments once each, whether or not
 * `@skip`/`@include` would run it. The bounds of every declaration of a field hold together (see
 * `fieldDeclarations`): selected on an interface, each implementation's; on an object type, its
 * interfaces'. The message names the field as the operation selects it.
 */
export function findOutOfBounds(document: DocumentNode, { schema, bounds, operationName, variables }: BoundsCheckOptions): OutOfBounds[] {
  if (bounds.arguments.size === 0 && bounds.inputFields.size === 0) return [];
  const operation = getOperationAST(document, operationName);
  if (!operation) return [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  // By message: the same field and value asked twice (under two aliases) report once.
  const found = new Map<string, OutOfBounds>();
  const visited = new Set<string>();
  const mayHoldBounds = (arg: GraphQLArgument) => bounds.inputFields.size > 0 && isInputObjectType(getNamedType(arg.type));

  const walk = (parent: GraphQLNamedType | undefined, selectionSet: SelectionSetNode): void => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent, selection.selectionSet);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || visited.has(fragment.name.value)) continue;
        visited.add(fragment.name.value);
        walk(schema.getType(fragment.typeCondition.name.value), fragment.selectionSet);
      } else if (parent && (isObjectType(parent) || isInterfaceType(parent))) {
        const field = parent.getFields()[selection.name.value];
        if (!field) continue;
        const declared = fieldDeclarations(schema, parent, field.name).flatMap(({ type }) => bounds.arguments.get(`${type.name}.${field.name}`) ?? []);
        if (declared.length > 0 || field.args.some(mayHoldBounds)) {
          const coordinate = `${parent.name}.${field.name}`;
          const values = argumentValues(field, selection, variables);
          for (const arg of values ? field.args : []) {
            const bound = declared.reduce<Bound | undefined>((merged, args) => intersect(merged, args.get(arg.name)), undefined);
            const node = selection.arguments?.find((given) => given.name.value === arg.name) ?? selection;
            walkValue(values?.[arg.name], arg.type, bound, arg.name, bounds, (path, range, value) => {
              const message = `Argument "${path}" of "${coordinate}" must be ${range}, got ${value}.`;
              found.set(message, { message, node });
            });
          }
        }
        if (selection.selectionSet) walk(getNamedType(field.type), selection.selectionSet);
      }
    }
  };
  walk(schema.getRootType(operation.operation) ?? undefined, operation.selectionSet);
  return [...found.values()];
}

/** Reports every number in `value` outside its bound, descending into lists and input objects. */
function walkValue(
  value: unknown,
  type: GraphQLInputType,
  bound: Bound | undefined,
  path: string,
  bounds: ArgumentBounds,
  report: (path: string, range: string, value: number) => void,
): void {
  if (value === null || value === undefined) return;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    // Coercion has made a single value given for a list a list of one.
    (value as unknown[]).forEach((item, index) => walkValue(item, nullable.ofType, bound, `${path}[${index}]`, bounds, report));
  } else if (isInputObjectType(nullable)) {
    for (const field of Object.values(nullable.getFields())) {
      walkValue(
        (value as Record<string, unknown>)[field.name],
        field.type,
        bounds.inputFields.get(`${nullable.name}.${field.name}`),
        `${path}.${field.name}`,
        bounds,
        report,
      );
    }
  } else if (bound && typeof value === 'number' && ((bound.min !== undefined && value < bound.min) || (bound.max !== undefined && value > bound.max))) {
    report(path, describeBound(bound), value);
  }
}

/** `between 0 and 100`, `at least 0`, `at most 100`. */
export function describeBound({ min, max }: Bound): string {
  if (min !== undefined && max !== undefined) return `between ${min} and ${max}`;
  return min !== undefined ? `at least ${min}` : `at most ${max}`;
}

/** The argument values execution would see; `undefined` when it would fail on them (a null for a non-null argument), which it then reports itself. */
function argumentValues(...args: Parameters<typeof getArgumentValues>): Record<string, unknown> | undefined {
  try {
    return getArgumentValues(...args);
  } catch {
    return undefined;
  }
}

/** The values both bounds allow. */
function intersect(known: Bound | undefined, bound: Bound | undefined): Bound | undefined {
  if (!known || !bound) return known ?? bound;
  const min = Math.max(known.min ?? -Infinity, bound.min ?? -Infinity);
  const max = Math.min(known.max ?? Infinity, bound.max ?? Infinity);
  return { ...(min === -Infinity ? {} : { min }), ...(max === Infinity ? {} : { max }) };
}

function addBound(map: Map<string, Bound>, key: string, bound: Bound | undefined): void {
  const merged = intersect(map.get(key), bound);
  if (merged) map.set(key, merged);
}

function mapOf<V>(map: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let inner = map.get(key);
  if (!inner) map.set(key, (inner = new Map()));
  return inner;
}
