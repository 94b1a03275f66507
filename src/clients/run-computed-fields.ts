import { collectFields } from 'graphql/execution/collectFields.js';
import {
  GraphQLError,
  Kind,
  TypeInfo,
  getNamedType,
  getOperationAST,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import { gatewayError } from '../errors.ts';
import type { ComputedView } from './computed-fields.ts';
import type { NormalizedComputedField } from './normalize-clients.ts';

/** The response key prefix of the fields a computed field needs, fetched in its stead. */
const helperPrefix = '_concierge_computed_';
/** The response key of `__typename` added where a computed field may sit under an interface or union. */
const typenameHelper = '_concierge_typename';

/** A client document with its computed fields replaced by what they need. */
export interface RewrittenDocument {
  document: DocumentNode;
  /** Helper response key → the computed field's response key it serves. */
  helpers: ReadonlyMap<string, string>;
}

/**
 * The document to execute for a client's one: each computed field is replaced, in place, by the
 * fields it requires under helper aliases, so they are fetched with their object in the same
 * upstream calls as the rest (as `@requires` fields are), and `__typename` is added on interface
 * and union positions so the filling walk knows each object's type. `undefined` when the document
 * selects no computed field.
 */
export function rewriteComputedFields(view: ComputedView, document: DocumentNode): RewrittenDocument | undefined {
  const typeInfo = new TypeInfo(view.schema);
  const helpers = new Map<string, string>();
  const rewritten = visit(
    document,
    visitWithTypeInfo(typeInfo, {
      SelectionSet: {
        leave(node: SelectionSetNode) {
          const parent = typeInfo.getParentType();
          const own = parent ? view.fields.get(parent.name) : undefined;
          const selections = own ? node.selections.flatMap((selection) => replaced(selection, own, helpers)) : [...node.selections];
          if (parent && isAbstractType(parent)) selections.push(typenameField());
          return { ...node, selections };
        },
      },
    }),
  );
  return helpers.size === 0 ? undefined : { document: rewritten, helpers };
}

function replaced(selection: SelectionNode, own: ReadonlyMap<string, NormalizedComputedField>, helpers: Map<string, string>): SelectionNode[] {
  if (selection.kind !== Kind.FIELD) return [selection];
  const computed = own.get(selection.name.value);
  if (!computed) return [selection];
  const key = selection.alias?.value ?? selection.name.value;
  return computed.requires.selections.map((required) => {
    if (required.kind !== Kind.FIELD) return required;
    const alias = `${helperPrefix}${key}_${required.alias?.value ?? required.name.value}`;
    helpers.set(alias, key);
    return {
      ...required,
      alias: { kind: Kind.NAME, value: alias },
      ...(selection.directives?.length ? { directives: [...(required.directives ?? []), ...selection.directives] } : {}),
    };
  });
}

function typenameField(): FieldNode {
  return { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: typenameHelper }, name: { kind: Kind.NAME, value: '__typename' } };
}

/** What filling needs besides the result: the client's document and the request's variables. */
export interface FillInput {
  view: ComputedView;
  document: DocumentNode;
  operationName: string | null | undefined;
  variables: Record<string, unknown>;
  helpers: ReadonlyMap<string, string>;
}

/**
 * Computes each computed field from its helpers, in the answer's order, and removes the helpers.
 * Each runs time-boxed: an asynchronous one past its timeout is null with `GATEWAY_TIMEOUT`, a
 * failing one null with `INTERNAL_SERVER_ERROR`, both on the field's own path. Upstream errors on
 * a helper's path move to the computed field's path (no helper alias reaches a client).
 */
export async function fillComputedFields(result: ExecutionResult, input: FillInput): Promise<ExecutionResult> {
  const operation = getOperationAST(input.document, input.operationName);
  const root = operation && input.view.schema.getRootType(operation.operation);
  if (!root || !result.data) return relocated(result, input.helpers, []);
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of input.document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  const errors: GraphQLError[] = [];
  const pending: Array<Promise<void>> = [];
  const objects: Array<{ object: Record<string, unknown>; computedHere: Map<string, unknown> }> = [];
  const fillObject = (
    object: Record<string, unknown>,
    type: ReturnType<GraphQLSchema['getType']>,
    selectionSets: readonly SelectionSetNode[],
    path: ReadonlyArray<string | number>,
  ) => {
    if (!isObjectType(type)) return;
    const fields = new Map<string, FieldNode[]>();
    for (const selectionSet of selectionSets) {
      for (const [key, nodes] of collectFields(input.view.schema, fragments, input.variables, type, selectionSet))
        fields.set(key, [...(fields.get(key) ?? []), ...nodes]);
    }
    const computedHere = new Map<string, unknown>();
    for (const [key, nodes] of fields) {
      const name = (nodes[0] as FieldNode).name.value;
      const computed = input.view.fields.get(type.name)?.get(name);
      if (computed) {
        computedHere.set(key, null);
        const fieldType = type.getFields()[name]?.type as GraphQLOutputType;
        pending.push(
          compute(computed, fieldType, requiredOf(object, key, computed), [...path, key], errors).then((value) => void computedHere.set(key, value)),
        );
        continue;
      }
      const field = type.getFields()[name];
      const sub = nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
      if (field && sub.length > 0) fillValue(object[key], field.type, sub, [...path, key]);
    }
    if (computedHere.size > 0) objects.push({ object, computedHere });
  };
  const fillValue = (value: unknown, type: GraphQLOutputType, selectionSets: readonly SelectionSetNode[], path: ReadonlyArray<string | number>) => {
    if (value === null || value === undefined) return;
    const inner = isNonNullType(type) ? type.ofType : type;
    if (isListType(inner)) {
      if (Array.isArray(value)) value.forEach((item, index) => fillValue(item, inner.ofType, selectionSets, [...path, index]));
      return;
    }
    if (typeof value !== 'object') return;
    const named = getNamedType(inner);
    const object = value as Record<string, unknown>;
    fillObject(object, isAbstractType(named) ? input.view.schema.getType(String(object[typenameHelper])) : named, selectionSets, path);
  };
  fillObject(result.data as Record<string, unknown>, root, [operation.selectionSet], []);
  await Promise.all(pending);
  for (const { object, computedHere } of objects) reorder(object, computedHere, input.helpers);
  stripTypenames(result.data);
  return relocated(result, input.helpers, errors);
}

/** The object's values of the fields a computed field needs, under their own names. */
function requiredOf(object: Record<string, unknown>, key: string, computed: NormalizedComputedField): Record<string, unknown> {
  const required: Record<string, unknown> = {};
  for (const selection of computed.requires.selections) {
    if (selection.kind !== Kind.FIELD) continue;
    const name = selection.alias?.value ?? selection.name.value;
    required[name] = object[`${helperPrefix}${key}_${name}`] ?? null;
  }
  return required;
}

/**
 * Runs one computed field. A synchronous function cannot be interrupted (it holds the process
 * while it runs); the timeout bounds the wait for a promise it returns, which is then ignored.
 */
async function compute(
  computed: NormalizedComputedField,
  type: GraphQLOutputType,
  required: Record<string, unknown>,
  path: ReadonlyArray<string | number>,
  errors: GraphQLError[],
): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  try {
    const returned = computed.resolve(required);
    const value =
      returned instanceof Promise
        ? await Promise.race([returned, new Promise((_, reject) => (timer = setTimeout(() => reject((timedOut = true)), computed.timeoutMs)))])
        : returned;
    return serialize(type, value);
  } catch {
    // The function's own error stays in the gateway: its message may say anything about the data.
    errors.push(
      timedOut
        ? gatewayError('GATEWAY_TIMEOUT', `Computed field ${computed.coordinate} took longer than ${computed.timeoutMs} ms.`, { path, rejectsRequest: false })
        : gatewayError('INTERNAL_SERVER_ERROR', `Computed field ${computed.coordinate} failed.`, { path, rejectsRequest: false }),
    );
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/** The value as graphql-js completes a leaf (or a list of leaves): serialized by its type. */
function serialize(type: GraphQLOutputType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    if (!Array.isArray(value)) throw new TypeError(`expected a list, got ${typeof value}`);
    return value.map((item) => serialize(inner.ofType, item));
  }
  const named = getNamedType(inner);
  if (!isLeafType(named)) throw new TypeError(`${named.name} is not a leaf type`);
  return named.serialize(value);
}

/** Puts each computed value where its first helper was, and removes the helpers. */
function reorder(object: Record<string, unknown>, computed: Map<string, unknown>, helpers: ReadonlyMap<string, string>): void {
  const entries = Object.entries(object);
  for (const [key] of entries) delete object[key];
  for (const [key, value] of entries) {
    const served = helpers.get(key);
    if (served === undefined) object[key] = value;
    else if (computed.has(served) && !Object.hasOwn(object, served)) object[served] = computed.get(served);
  }
  for (const [key, value] of computed) if (!Object.hasOwn(object, key)) object[key] = value;
}

function stripTypenames(value: unknown): void {
  if (Array.isArray(value)) return value.forEach(stripTypenames);
  if (value === null || typeof value !== 'object') return;
  const object = value as Record<string, unknown>;
  delete object[typenameHelper];
  for (const item of Object.values(object)) stripTypenames(item);
}

function relocated(result: ExecutionResult, helpers: ReadonlyMap<string, string>, computedErrors: GraphQLError[]): ExecutionResult {
  const moved = (result.errors ?? []).map((error) => {
    if (!error.path?.some((step) => typeof step === 'string' && helpers.has(step))) return error;
    const path = error.path.map((step) => (typeof step === 'string' ? (helpers.get(step) ?? step) : step));
    return new GraphQLError(error.message, { path, originalError: error.originalError ?? undefined, extensions: error.extensions });
  });
  const errors = [...moved, ...computedErrors];
  return errors.length > 0 ? { ...result, errors } : result;
}
