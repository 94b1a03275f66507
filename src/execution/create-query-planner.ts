import { describeError } from '../observability/gateway-logger.ts';
import { createDefaultExecutor } from '@graphql-tools/delegate';
import type { Executor } from '@graphql-tools/utils';
import {
  Kind,
  getOperationAST,
  isObjectType,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { LRUCache } from 'lru-cache';
import type { LoadedSource } from '../sources/loaded-source.ts';
import { coerceOperationVariables } from './coerce-operation-variables.ts';
import { completeResult } from './complete-result.ts';
import { conditionVariables } from './condition-variables.ts';
import { executePlan } from './execute-plan.ts';
import { NotPlannable } from './collect-fields.ts';
import { decideOverrideLabels, overrideLabelKey, type OverrideLabelOptions } from './override-labels.ts';
import { stickyCallerOf } from '../transport/sticky-share.ts';
import type { Fetch } from './fetch.ts';
import { planOperation, rootTypeOf, type PlanningContext } from './plan-operation.ts';
import { planIdOf, printPlan } from './print-plan.ts';
import { readStitchedSources } from './read-stitched-sources.ts';
import { readSupergraph, type Supergraph } from './read-supergraph.ts';
import { shapeOperation, type ObjectShape } from './shape-operation.ts';

/** A planned operation: its subgraph calls and the shape of its answer. */
export interface QueryPlan {
  fetches: Fetch[];
  shape: ObjectShape;
  /** Whether the root calls run one after another (a mutation's), not together. */
  serial: boolean;
  /**
   * The plan's id: the first 16 hex digits of the SHA-256 of its printed form ({@link printPlan}),
   * so the same plan has the same id in every process and in `concierge plan`. Computed once per plan.
   * @example '3f9c2a71d04b8e65'
   */
  id: string;
}

/** Executes the operations it can plan; says `undefined` for the rest, which stitching executes. */
export interface QueryPlanner {
  /**
   * The plan of an operation (cached per document, operation name, `@skip`/`@include` conditions and
   * active progressive `@override` labels), or why there is none. Without `overrideLabels`, an
   * operation touching a field a label decides is not planned.
   */
  plan(
    document: DocumentNode,
    operationName: string | null | undefined,
    variables?: Readonly<Record<string, unknown>>,
    overrideLabels?: ReadonlySet<string>,
  ): QueryPlan | NotPlannable;
  /** Runs the operation's plan, or says why stitching must execute it instead. */
  execute(args: ExecutionArgs): PlannedExecution | Fallback;
  /** How many executions fell back to stitching, by the planner's reason: never a silent fallback. */
  fallbacks(): ReadonlyMap<string, number>;
}

/** An operation run by its plan: the plan and the result it gives. */
export interface PlannedExecution {
  plan: QueryPlan;
  result: Promise<ExecutionResult>;
}

/**
 * Most plans kept per document. Plans are keyed by the values of the variables `@skip` and
 * `@include` read, so a document with n of them has up to 2^n plans: the most recently used are
 * kept, and a client cycling through more combinations costs planning time, never memory.
 */
export const maxPlansPerDocument = 32;

/** Why an operation goes to stitching: a planner's reason (at most 100 distinct ones, then `other reasons`). */
export interface Fallback {
  reason: string;
}

/** Options of {@link createQueryPlanner}. */
export interface QueryPlannerOptions {
  /**
   * Plan operations over graphql and rest sources too (their `@merge` entry points as entity
   * fetches); `false` leaves every operation touching them to stitching, as before.
   * @default true
   */
  stitchedSources?: boolean;
  /**
   * Told each planner exception (a bug: the operation goes through stitching) and each plan made
   * after: the gateway's burst log, which logs the first of a burst and counts every one.
   * @default nothing told
   */
  failures?: { failed(reason: string): void; succeeded(): void };
  /**
   * How each request decides which progressive `@override` labels (`percent(20)`) are active: once
   * per request, before planning it (see {@link decideOverrideLabels}).
   * @default { random: Math.random, isActive: () => false }
   * @example { random: () => 0 } // every percent(n) label active, as in a test
   */
  overrideLabels?: OverrideLabelOptions;
}

/**
 * The query planner of a gateway, or `undefined` when it has nothing to plan. Its graph model is
 * read from the supergraph's `join__*` directives (federation sources) and from the merge config of
 * the stitching directives (graphql and rest sources). Plans are made once per document (the
 * parsed document Yoga caches per query text) and reused, at most {@link maxPlansPerDocument} per document.
 */
export function createQueryPlanner(
  schema: GraphQLSchema,
  sources: readonly LoadedSource[],
  { stitchedSources = true, overrideLabels, failures = { failed: () => {}, succeeded: () => {} } }: QueryPlannerOptions = {},
): QueryPlanner | undefined {
  const federation = sources.filter((source) => source.kind === 'federation');
  const stitched = sources.filter((source) => source.kind !== 'federation');
  const supergraphDocument = federation[0]?.supergraph?.document;
  if (!supergraphDocument && (!stitchedSources || stitched.length === 0)) return undefined;
  const executors = new Map(
    sources.map((source) => [source.name, (source.plannedExecutor ?? source.subschema.executor ?? createDefaultExecutor(source.subschema.schema)) as Executor]),
  );
  const model = supergraphDocument ? readSupergraph(supergraphDocument) : emptyModel();
  const foreignTypes = new Set<string>();
  const foreignRootFields = new Set<string>();
  if (stitchedSources)
    joinModels(model, readStitchedSources(schema, stitched), foreignTypes, foreignRootFields, [schema.getQueryType(), schema.getMutationType()]);
  else for (const source of stitched) addForeign(source, foreignTypes, foreignRootFields);
  const context: PlanningContext = {
    schema,
    supergraph: model,
    foreignTypes,
    foreignRootFields,
    hiddenTypes: hiddenTypesOf(model, schema),
    directiveGraphs: new Set(federation.map((source) => source.name)),
  };
  const plans = new WeakMap<DocumentNode, PlansOfDocument>();

  /**
   * Plans depend on the document, the operation, the values of the variables `@skip`/`@include` read
   * and the active labels, of which only those of the fields its plans met: planning reads a label
   * only to decide such a field, so two label sets that agree on every label a plan read make that
   * same plan. A document whose plans meet no labelled field has one plan for every request, however
   * many labels the supergraph has, and the {@link maxPlansPerDocument} slots go to real differences.
   */
  const plan = (
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Readonly<Record<string, unknown>> = {},
    labels?: ReadonlySet<string>,
  ): QueryPlan | NotPlannable => {
    let entry = plans.get(document);
    if (!entry)
      plans.set(document, (entry = { conditions: conditionVariables(document), labelsRead: new Set(), plans: new LRUCache({ max: maxPlansPerDocument }) }));
    const prefix = `${operationName ?? ''}\u0000${JSON.stringify(entry.conditions.map((name) => variables[name] ?? null))}\u0000`;
    const { labelsRead } = entry;
    const keyOf = () => `${prefix}${labels === undefined ? '-' : `+${overrideLabelKey(new Set([...labels].filter((label) => labelsRead.has(label))))}`}`;
    const cached = entry.plans.get(keyOf());
    if (cached) return cached;
    const made = makePlan(context, document, operationName, variables, labels, labelsRead, failures);
    entry.plans.set(keyOf(), made);
    return made;
  };

  const fallbacks = new Map<string, number>();
  return {
    plan,
    fallbacks: () => fallbacks,
    execute(args) {
      if (args.schema !== schema) return { reason: 'another schema' };
      const coerced = coerceOperationVariables(schema, args.document, args.operationName, args.variableValues as Record<string, unknown> | undefined);
      if (!coerced) return { reason: 'no operation to execute' };
      // Bad variables: stitching's executor answers them (400, graphql-js's messages).
      if (coerced.errors) return { reason: 'variables that do not coerce' };
      const planned = plan(
        args.document,
        args.operationName,
        coerced.coerced,
        decideOverrideLabels(model.overrideLabels ?? [], overrideLabels, callerOf(args.contextValue)),
      );
      if (planned instanceof NotPlannable) {
        // Reasons can name a client's response key: past maxFallbackReasons they count together.
        const reason = fallbacks.has(planned.message) || fallbacks.size < maxFallbackReasons ? planned.message : otherReasons;
        fallbacks.set(reason, (fallbacks.get(reason) ?? 0) + 1);
        return { reason };
      }
      const result = executePlan(planned.fetches, executors, (args.variableValues ?? {}) as Record<string, unknown>, args.contextValue, planned.serial).then(
        ({ data, errors }) => {
          const completed = completeResult(data, planned.shape, errors);
          // graphql-js's order: errors first.
          return errors.length > 0 ? { errors, data: completed } : { data: completed };
        },
      );
      return { plan: planned, result };
    },
  };
}

/** The caller of the request being executed, for sticky `percent(n)` labels; none outside a client request. */
function callerOf(context: unknown): string | undefined {
  const request = (context as { request?: Request } | undefined)?.request;
  return request ? stickyCallerOf(request) : undefined;
}

/** The plans of one document, and the progressive `@override` labels any of them read (see `plan`). */
interface PlansOfDocument {
  conditions: string[];
  labelsRead: Set<string>;
  plans: LRUCache<string, QueryPlan | NotPlannable>;
}

/** How many distinct fallback reasons are counted one by one; the rest count as {@link otherReasons}. */
const maxFallbackReasons = 100;
const otherReasons = 'other reasons';

/** The types of the graph model the public schema lacks: those `@inaccessible` hides. */
export function hiddenTypesOf(model: Supergraph, schema: GraphQLSchema): ReadonlySet<string> {
  return new Set([...model.types.keys()].filter((name) => !schema.getType(name)));
}

function emptyModel(): Supergraph {
  return { types: new Map(), members: new Map(), hiddenEnumValues: new Map(), unplannable: new Map() };
}

/**
 * Adds the graphql and rest sources' model to the supergraph's. Root fields join the root types;
 * a type both kinds define would need both kinds of entity calls at once: left to stitching.
 */
function joinModels(
  model: Supergraph,
  stitched: Supergraph,
  foreignTypes: Set<string>,
  foreignRootFields: Set<string>,
  rootTypes: ReadonlyArray<GraphQLObjectType | null | undefined>,
): void {
  const rootNames = new Set(rootTypes.flatMap((type) => (type ? [type.name] : [])));
  for (const [name, type] of stitched.types) {
    const present = model.types.get(name);
    if (!present) model.types.set(name, type);
    else if (!rootNames.has(name)) foreignTypes.add(name);
    else for (const [field, graphs] of type.fields) present.fields.has(field) ? foreignRootFields.add(`${name}.${field}`) : present.fields.set(field, graphs);
  }
  for (const [abstract, byObject] of stitched.members) {
    const present = model.members.get(abstract) ?? new Map<string, Set<string>>();
    model.members.set(abstract, present);
    for (const [object, graphs] of byObject) present.set(object, new Set([...(present.get(object) ?? []), ...graphs]));
  }
  model.unplannable = new Map([...(model.unplannable ?? []), ...(stitched.unplannable ?? [])]);
}

/** With stitched sources not planned: their types and root fields make an operation go to stitching. */
function addForeign(source: LoadedSource, foreignTypes: Set<string>, foreignRootFields: Set<string>): void {
  const sourceSchema = source.subschema.schema;
  const rootTypes = [sourceSchema.getQueryType(), sourceSchema.getMutationType(), sourceSchema.getSubscriptionType()];
  for (const rootType of rootTypes) for (const name of Object.keys(rootType?.getFields() ?? {})) foreignRootFields.add(`${rootType?.name}.${name}`);
  for (const type of Object.values(sourceSchema.getTypeMap())) {
    if (isObjectType(type) && !rootTypes.includes(type) && !type.name.startsWith('__')) foreignTypes.add(type.name);
  }
}

function makePlan(
  context: PlanningContext,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>>,
  labels: ReadonlySet<string> | undefined,
  labelsRead: Set<string>,
  failures: NonNullable<QueryPlannerOptions['failures']>,
): QueryPlan | NotPlannable {
  const operation = getOperationAST(document, operationName);
  if (!operation) return new NotPlannable('no operation to execute');
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  try {
    const scope = {
      fragments,
      variables,
      hiddenEnumValues: context.supergraph.hiddenEnumValues,
      hiddenTypes: context.hiddenTypes,
      ...(labels ? { overrideLabels: labels } : {}),
    };
    const fetches = planOperation(context, operation, scope, labelsRead);
    const serial = operation.operation === 'mutation';
    const shape = shapeOperation(context.schema, scope, rootTypeOf(context.schema, operation), operation.selectionSet);
    const made = { fetches, shape, serial, id: planIdOf(printPlan({ fetches, serial })) };
    failures.succeeded();
    return made;
  } catch (error) {
    if (error instanceof NotPlannable) return error;
    // A bug, not a limit of the planner: told once per cached plan (and per burst), then counted as a fallback.
    failures.failed(`${operationName ? `operation ${operationName}` : 'an operation'} goes through stitching: ${describeError(error, true)}`);
    return new NotPlannable('planning failed (a planner error, logged)');
  }
}
