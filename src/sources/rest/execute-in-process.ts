import type { ExecutionResult, Executor } from '@graphql-tools/utils';
import { isPromise, type MaybePromise } from '../../maybe-promise.ts';
import { collect, collectedFor, type CollectRun, type Fields } from './collect-fields.ts';
import { variableValues } from '../../execution/variable-values.ts';
import { sharedFieldArguments } from '../../execution/field-arguments.ts';
import { setOwnKey } from '../../set-own-key.ts';
import {
  GraphQLError,
  GraphQLNonNull,
  Kind,
  getNullableType,
  getOperationAST,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  locatedError,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLAbstractType,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLLeafType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

type Data = Record<string, unknown>;

/** A null that must reach the nearest nullable position: its error is already recorded. */
const bubble: unique symbol = Symbol('null bubbling up');
type Completed = unknown;

/** The response path of a position, as graphql-js links it. */
interface Path {
  prev: Path | undefined;
  key: string | number;
  /** The type whose field this position is (a list item's: its list field's), for error messages. */
  typename: string | undefined;
}

interface Run extends CollectRun {
  operation: OperationDefinitionNode;
  context: unknown;
  errors: GraphQLError[];
}

const noArguments: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

const withoutInfo = new WeakSet<GraphQLFieldResolver<unknown, unknown>>();

/**
 * Marks a resolver that reads nothing of its resolve info (the REST source's own): the executor
 * passes it none instead of building one per call, ten properties for every object it resolves.
 */
export function infoFree<R extends GraphQLFieldResolver<unknown, unknown>>(resolver: R): R {
  withoutInfo.add(resolver);
  return resolver;
}

/**
 * The executor the query planner uses for a REST source's in-process schema: graphql-js's execution
 * semantics (argument and variable coercion, `@skip`/`@include`, fragments, resolvers called for
 * every object of a level before any is awaited so DataLoader batches them, null bubbling to the
 * nearest nullable position, errors located on their paths, leaves serialized, mutations' root
 * fields in order) without what a general executor allocates for every field: a field without a
 * resolver is read from its object, and a resolve info is built only for a resolver that was not
 * marked {@link infoFree}. The REST source's own resolvers (`@http`, `@ref`, `@stub`), all marked,
 * are the only ones such a schema has; the tests give it graphql-js resolvers too.
 */
export function createInProcessExecutor(schema: GraphQLSchema): Executor {
  const executor = (request: Parameters<Executor>[0]) =>
    executeInProcess(schema, request.document, (request.variables ?? {}) as Record<string, unknown>, request.context, request.operationName);
  return executor as Executor;
}

/** Executes one operation of `document` over `schema`'s resolvers; see {@link createInProcessExecutor}. */
export function executeInProcess(
  schema: GraphQLSchema,
  document: DocumentNode,
  rawVariables: Record<string, unknown>,
  context: unknown,
  operationName?: string,
): MaybePromise<ExecutionResult> {
  const operation = getOperationAST(document, operationName);
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return { errors: [new GraphQLError(operationName ? `Unknown operation named "${operationName}".` : 'Must provide an operation.')] };
  const coerced = variableValues(schema, operation.variableDefinitions ?? [], rawVariables);
  if (coerced.errors) return { errors: coerced.errors };
  // No prototype: a fragment may be named `__proto__` (graphql-js keeps them the same way).
  const fragments: Record<string, FragmentDefinitionNode> = Object.create(null);
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  const run: Run = { schema, operation, fragments, variables: coerced.coerced, context, errors: [], collected: collectedFor(schema, document) };
  const fields = collect(run, root, operation.selectionSet);
  const data = operation.operation === 'mutation' ? executeSerially(run, root, fields) : executeFields(run, root, undefined, fields, undefined);
  const finish = (value: Completed): ExecutionResult => {
    const result = (value === bubble ? null : value) as Data | null;
    return run.errors.length > 0 ? { errors: run.errors, data: result } : { data: result };
  };
  return isPromise(data) ? data.then(finish) : finish(data);
}

function executeSerially(run: Run, type: GraphQLObjectType, fields: Fields): Promise<Completed> {
  const data: Data = {};
  let chain: Promise<boolean> = Promise.resolve(true);
  for (const [key, nodes] of fields) {
    chain = chain.then(async (alive) => {
      if (!alive) return false;
      const value = await executeField(run, type, undefined, nodes, { prev: undefined, key, typename: type.name });
      if (value === bubble) return false;
      if (value !== undefined) setOwnKey(data, key, value);
      return true;
    });
  }
  return chain.then((alive) => (alive ? data : bubble));
}

/**
 * An object's fields: every resolver called before any is awaited; `bubble` when a non-null field
 * is null. Like every function here that runs per object or per value, it creates no closure: one
 * that captured its variables would make V8 allocate them on the heap on every call, taken or not
 * (the promise branches are in functions of their own, {@link settleFields} here).
 */
function executeFields(run: Run, type: GraphQLObjectType, source: unknown, fields: Fields, path: Path | undefined): MaybePromise<Completed> {
  const data: Data = {};
  let pending: Array<Promise<Completed>> | undefined;
  let pendingKeys: string[] | undefined;
  let bubbled = false;
  const list = entriesOf(fields, type);
  for (let index = 0; index < list.length; index++) {
    const { key, nodes, leaf } = list[index] as Entry;
    const value = leaf
      ? completeLeaf(run, leaf, nodes, readProperty(source, leaf.name), path, key, type)
      : executeField(run, type, source, nodes, { prev: path, key, typename: type.name });
    if (isPromise(value)) {
      (pending ??= []).push(value);
      (pendingKeys ??= []).push(key);
      // Its place in document order, kept for the value to come: no copy of the object to reorder it.
      setOwnKey(data, key, undefined);
    } else if (value === bubble) {
      bubbled = true;
    } else if (value !== undefined) {
      setOwnKey(data, key, value);
    }
  }
  if (!pending) return bubbled ? bubble : data;
  return settleFields(data, pending, pendingKeys as string[], bubbled);
}

/** An object whose fields include pending ones: complete once they settle (their places in document order are kept). */
function settleFields(data: Data, pending: Array<Promise<Completed>>, keys: string[], bubbled: boolean): Promise<Completed> {
  if (pending.length === 1) return settleField(data, pending[0] as Promise<Completed>, keys[0] as string, bubbled);
  return Promise.all(pending).then((settled) => {
    if (bubbled || settled.includes(bubble)) return bubble;
    for (let index = 0; index < keys.length; index++) settle(data, keys[index] as string, settled[index]);
    return data;
  });
}

/** {@link settleFields} for one pending field (the usual case: an object's one batched field), without Promise.all. */
function settleField(data: Data, pending: Promise<Completed>, key: string, bubbled: boolean): Promise<Completed> {
  return pending.then((settled) => {
    if (bubbled || settled === bubble) return bubble;
    settle(data, key, settled);
    return data;
  });
}

/** A pending field's value in the place kept for it; a field the type turned out not to have goes, as graphql-js skips it. */
function settle(data: Data, key: string, value: Completed): void {
  if (value === undefined) delete data[key];
  else setOwnKey(data, key, value);
}

/** A collected field, and how to complete it when it is a plain leaf (see {@link entriesOf}). */
interface Entry {
  key: string;
  nodes: FieldNode[];
  leaf?: PlainLeaf;
}

/** A field read from its object without a resolver or arguments, of a scalar or enum type. */
interface PlainLeaf {
  name: string;
  type: GraphQLLeafType;
  nonNull: boolean;
}

const entries = new WeakMap<Fields, Entry[]>();

/**
 * The collected fields of `type` as a list (no Map iteration per object), each plain leaf marked:
 * those {@link completeLeaf} completes without a path, a resolve info or a promise (most of a REST
 * answer's fields). `fields` are collected for `type` (see `collect`), so the list is kept with them.
 */
function entriesOf(fields: Fields, type: GraphQLObjectType): Entry[] {
  let list = entries.get(fields);
  if (list) return list;
  list = [];
  for (const [key, nodes] of fields) {
    const name = (nodes[0] as FieldNode).name.value;
    const field = name === '__typename' ? undefined : type.getFields()[name];
    const named = field && getNullableType(field.type);
    const plain = field && !field.resolve && field.args.length === 0 && named && isLeafType(named);
    list.push(plain ? { key, nodes, leaf: { name, type: named, nonNull: isNonNullType(field.type) } } : { key, nodes });
  }
  entries.set(fields, list);
  return list;
}

/** A leaf value as the client gets it; throws, as graphql-js does, when the type cannot represent it. */
function serializeLeaf(type: GraphQLLeafType, value: unknown): unknown {
  const serialized = type.serialize(value);
  if (serialized === undefined)
    throw new Error(`Expected \`${type.name}.serialize(${JSON.stringify(value)})\` to return non-nullable value, returned: undefined`);
  return serialized;
}

/** A plain leaf's value, completed as `complete` would: serialized, or null (with `bubble` and an error where it may not be). */
function completeLeaf(
  run: Run,
  leaf: PlainLeaf,
  nodes: FieldNode[],
  value: unknown,
  parent: Path | undefined,
  key: string,
  type: GraphQLObjectType,
): Completed {
  if (value === null || value === undefined) {
    if (!leaf.nonNull) return null;
    return nonNull(run, null, nodes, { prev: parent, key, typename: type.name });
  }
  try {
    if (value instanceof Error) throw value;
    return serializeLeaf(leaf.type, value);
  } catch (error) {
    return fail(run, error, leaf.nonNull ? new GraphQLNonNull(leaf.type) : leaf.type, nodes, { prev: parent, key, typename: type.name });
  }
}

/** One field: `undefined` when the type has no such field (graphql-js skips it). */
function executeField(run: Run, parent: GraphQLObjectType, source: unknown, nodes: FieldNode[], path: Path): MaybePromise<Completed> | undefined {
  const node = nodes[0] as FieldNode;
  const name = node.name.value;
  if (name === '__typename') return parent.name;
  const field = parent.getFields()[name];
  if (!field) return undefined;
  const type = field.type;
  let result: unknown;
  try {
    const args = field.args.length === 0 ? noArguments : (sharedFieldArguments(field, node, run.variables) as Record<string, unknown>);
    const resolve = field.resolve;
    if (!resolve) result = readProperty(source, name);
    else if (withoutInfo.has(resolve)) result = resolve(source, args, run.context, undefined as unknown as GraphQLResolveInfo);
    else result = resolve(source, args, run.context, resolveInfo(run, field, parent, nodes, path));
  } catch (error) {
    return fail(run, error, type, nodes, path);
  }
  if (isPromise(result)) return completeLater(run, type, nodes, result, path);
  return complete(run, type, nodes, result, path);
}

/** A resolver's promised value, completed (or its rejection recorded) once it settles. */
function completeLater(run: Run, type: GraphQLOutputType, nodes: FieldNode[], result: Promise<unknown>, path: Path): Promise<Completed> {
  return result.then(
    (value) => complete(run, type, nodes, value, path),
    (error: unknown) => fail(run, error, type, nodes, path),
  );
}

function readProperty(source: unknown, name: string): unknown {
  return source !== null && typeof source === 'object' ? (source as Data)[name] : undefined;
}

/**
 * The completed value at a position of type `type`: a non-null position whose value is null
 * records the error and passes {@link bubble} up; a nullable position stops it (becomes null). A
 * completion that throws or rejects (a bad leaf, an unresolvable type) has its error recorded at
 * `path`. A pending one settles through one `then` for all of this, not one per step.
 */
function complete(run: Run, type: GraphQLOutputType, nodes: FieldNode[], value: unknown, path: Path): MaybePromise<Completed> {
  try {
    if (value instanceof Error) throw value;
    const nonNullType = isNonNullType(type);
    const inner = completeNamedOrList(run, nonNullType ? type.ofType : type, nodes, value, path);
    if (isPromise(inner)) return completeAfter(run, inner, type, nodes, path);
    return nonNullType ? nonNull(run, inner, nodes, path) : nullIfBubbled(inner);
  } catch (error) {
    return fail(run, error, type, nodes, path);
  }
}

/** {@link complete} of a value whose inner completion is pending. */
function completeAfter(run: Run, inner: Promise<Completed>, type: GraphQLOutputType, nodes: FieldNode[], path: Path): Promise<Completed> {
  return inner.then(
    (completed) => (isNonNullType(type) ? nonNull(run, completed, nodes, path) : nullIfBubbled(completed)),
    (error: unknown) => fail(run, error, type, nodes, path),
  );
}

function fail(run: Run, error: unknown, type: GraphQLOutputType, nodes: FieldNode[], path: Path): Completed {
  run.errors.push(locatedError(error, nodes, pathOf(path)));
  return isNonNullType(type) ? bubble : null;
}

/** A non-null position's value: null there is an error of its own, and bubbles up. */
function nonNull(run: Run, completed: Completed, nodes: FieldNode[], path: Path): Completed {
  if (completed !== null) return completed;
  run.errors.push(
    locatedError(new Error(`Cannot return null for non-nullable field ${path.typename ?? ''}.${(nodes[0] as FieldNode).name.value}.`), nodes, pathOf(path)),
  );
  return bubble;
}

/** A value of a nullable type, or {@link bubble} when a non-null position inside it is null. */
function completeNamedOrList(run: Run, type: GraphQLOutputType, nodes: FieldNode[], value: unknown, path: Path): MaybePromise<Completed> {
  if (value === null || value === undefined) return null;
  if (isListType(type)) return completeList(run, type.ofType, nodes, value, path);
  if (isLeafType(type)) {
    return serializeLeaf(type, value);
  }
  const object = isAbstractType(type) ? resolveObjectType(run, type, value, nodes, path) : (type as GraphQLObjectType);
  return executeFields(run, object, value, collect(run, object, nodes), path);
}

function nullIfBubbled(value: Completed): Completed {
  return value === bubble ? null : value;
}

function completeList(run: Run, itemType: GraphQLOutputType, nodes: FieldNode[], value: unknown, path: Path): MaybePromise<Completed> {
  if (typeof value !== 'object' || value === null || !(Symbol.iterator in value)) {
    throw new GraphQLError(`Expected Iterable, but did not find one for field "${path.typename}.${(nodes[0] as FieldNode).name.value}".`);
  }
  const items: Completed[] = [];
  let pending: Array<Promise<Completed>> | undefined;
  let pendingAt: number[] | undefined;
  let bubbled = false;
  let index = 0;
  for (const item of value as Iterable<unknown>) {
    const itemPath: Path = { prev: path, key: index, typename: path.typename };
    const completed = isPromise(item) ? completeLater(run, itemType, nodes, item, itemPath) : complete(run, itemType, nodes, item, itemPath);
    if (isPromise(completed)) {
      items.push(null);
      (pending ??= []).push(completed);
      (pendingAt ??= []).push(index);
    } else {
      if (completed === bubble) bubbled = true;
      items.push(completed);
    }
    index += 1;
  }
  // A non-null item that is null makes the list's own position null (or bubble further).
  if (!pending) return bubbled ? bubble : items;
  return settleItems(items, pending, pendingAt as number[], bubbled);
}

/** A list whose items include pending ones: complete once they settle. */
function settleItems(items: Completed[], pending: Array<Promise<Completed>>, at: number[], bubbled: boolean): Promise<Completed> {
  return Promise.all(pending).then((settled) => {
    if (bubbled || settled.includes(bubble)) return bubble;
    for (let index = 0; index < at.length; index++) items[at[index] as number] = settled[index];
    return items;
  });
}

function resolveObjectType(run: Run, type: GraphQLAbstractType, value: unknown, nodes: FieldNode[], path: Path): GraphQLObjectType {
  const resolved = type.resolveType
    ? type.resolveType(value, run.context, resolveInfo(run, undefined, undefined, nodes, path), type)
    : readProperty(value, '__typename');
  if (isPromise(resolved))
    throw new GraphQLError(`Abstract type "${type.name}" resolved its type asynchronously, which the in-process executor does not support.`);
  const named = typeof resolved === 'string' ? run.schema.getType(resolved) : undefined;
  if (!named || !isObjectType(named) || !run.schema.isSubType(type, named)) {
    throw new GraphQLError(
      `Abstract type "${type.name}" must resolve to an Object type at runtime for field "${path.typename ?? ''}.${(nodes[0] as FieldNode).name.value}". Either the "${type.name}" type should provide a "resolveType" function or each possible type should provide an "isTypeOf" function.`,
    );
  }
  return named;
}

function resolveInfo(
  run: Run,
  field: GraphQLField<unknown, unknown> | undefined,
  parent: GraphQLObjectType | undefined,
  nodes: FieldNode[],
  path: Path,
): GraphQLResolveInfo {
  return {
    fieldName: (nodes[0] as FieldNode).name.value,
    fieldNodes: nodes,
    returnType: field?.type as GraphQLOutputType,
    parentType: parent as GraphQLObjectType,
    path,
    schema: run.schema,
    fragments: run.fragments,
    rootValue: undefined,
    operation: run.operation,
    variableValues: run.variables,
  };
}

function pathOf(path: Path | undefined): Array<string | number> {
  const keys: Array<string | number> = [];
  for (let at = path; at; at = at.prev) keys.unshift(at.key);
  return keys;
}
