import type { Executor } from '@graphql-tools/utils';
import {
  Kind,
  getOperationAST,
  getVariableValues,
  isObjectType,
  visit,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type GraphQLSchema,
} from 'graphql';
import type { LoadedSource } from '../sources/loaded-source.ts';
import { completeResult } from './complete-result.ts';
import { executePlan } from './execute-plan.ts';
import { NotPlannable } from './collect-fields.ts';
import { planOperation, rootTypeOf, type Fetch, type PlanningContext } from './plan-operation.ts';
import { readSupergraph } from './read-supergraph.ts';
import { shapeOperation, type ObjectShape } from './shape-operation.ts';

/** A planned operation: its subgraph calls and the shape of its answer. */
export interface QueryPlan {
  fetches: Fetch[];
  shape: ObjectShape;
}

/** Executes the operations it can plan; says `undefined` for the rest, which stitching executes. */
export interface QueryPlanner {
  /** The plan of an operation (cached per document, operation name and `@skip`/`@include` conditions), or why there is none. */
  plan(document: DocumentNode, operationName: string | null | undefined, variables?: Readonly<Record<string, unknown>>): QueryPlan | NotPlannable;
  execute(args: ExecutionArgs): Promise<ExecutionResult> | undefined;
  /** How many executions fell back to stitching, by the planner's reason: never a silent fallback. */
  fallbacks(): ReadonlyMap<string, number>;
}

/**
 * The federation query planner of a gateway, or `undefined` when it has no federation source.
 * Plans are made once per document (the parsed document Yoga caches per query text) and reused.
 */
export function createQueryPlanner(schema: GraphQLSchema, sources: readonly LoadedSource[]): QueryPlanner | undefined {
  const federation = sources.filter((source) => source.kind === 'federation');
  const supergraphDocument = federation[0]?.supergraph?.document;
  if (!supergraphDocument) return undefined;
  const executors = new Map(federation.map((source) => [source.name, source.subschema.executor as Executor]));
  const foreignTypes = new Set<string>();
  const foreignRootFields = new Set<string>();
  for (const source of sources) {
    if (source.kind === 'federation') continue;
    const sourceSchema = source.subschema.schema;
    const rootTypes = [sourceSchema.getQueryType(), sourceSchema.getMutationType(), sourceSchema.getSubscriptionType()];
    for (const rootType of rootTypes) for (const name of Object.keys(rootType?.getFields() ?? {})) foreignRootFields.add(`${rootType?.name}.${name}`);
    for (const type of Object.values(sourceSchema.getTypeMap())) {
      if (isObjectType(type) && !rootTypes.includes(type) && !type.name.startsWith('__')) foreignTypes.add(type.name);
    }
  }
  const context: PlanningContext = { schema, supergraph: readSupergraph(supergraphDocument), foreignTypes, foreignRootFields };
  const plans = new WeakMap<DocumentNode, { conditions: string[]; plans: Map<string, QueryPlan | NotPlannable> }>();

  /** Plans depend on the document, the operation and the values of the variables `@skip`/`@include` read. */
  const plan = (document: DocumentNode, operationName: string | null | undefined, variables: Readonly<Record<string, unknown>> = {}): QueryPlan | NotPlannable => {
    let entry = plans.get(document);
    if (!entry) plans.set(document, (entry = { conditions: conditionVariables(document), plans: new Map() }));
    const key = `${operationName ?? ''}\u0000${JSON.stringify(entry.conditions.map((name) => variables[name] ?? null))}`;
    const cached = entry.plans.get(key);
    if (cached) return cached;
    const made = makePlan(context, document, operationName, variables);
    entry.plans.set(key, made);
    return made;
  };

  const fallbacks = new Map<string, number>();
  return {
    plan,
    fallbacks: () => fallbacks,
    execute(args) {
      if (args.schema !== schema) return undefined;
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation) return undefined;
      const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], (args.variableValues ?? {}) as Record<string, unknown>);
      // Bad variables: stitching's executor answers them (400, graphql-js's messages).
      if (coerced.errors) return undefined;
      const planned = plan(args.document, args.operationName, coerced.coerced);
      if (planned instanceof NotPlannable) {
        fallbacks.set(planned.message, (fallbacks.get(planned.message) ?? 0) + 1);
        return undefined;
      }
      return executePlan(planned.fetches, executors, (args.variableValues ?? {}) as Record<string, unknown>, args.contextValue, operation.operation === 'mutation').then(({ data, errors }) => {
        const completed = completeResult(data, planned.shape, errors);
        return errors.length > 0 ? { data: completed, errors } : { data: completed };
      });
    },
  };
}

/** The variables a document's `@skip` and `@include` conditions read. */
function conditionVariables(document: DocumentNode): string[] {
  const names = new Set<string>();
  visit(document, {
    Directive(directive) {
      if (directive.name.value !== 'skip' && directive.name.value !== 'include') return;
      visit(directive, { Variable: (variable) => void names.add(variable.name.value) });
    },
  });
  return [...names].sort();
}

function makePlan(context: PlanningContext, document: DocumentNode, operationName: string | null | undefined, variables: Readonly<Record<string, unknown>>): QueryPlan | NotPlannable {
  const operation = getOperationAST(document, operationName);
  if (!operation) return new NotPlannable('no operation to execute');
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  try {
    const scope = { fragments, variables, hiddenEnumValues: context.supergraph.hiddenEnumValues };
    return { fetches: planOperation(context, operation, scope), shape: shapeOperation(context.schema, scope, rootTypeOf(context.schema, operation), operation.selectionSet) };
  } catch (error) {
    if (error instanceof NotPlannable) return error;
    return new NotPlannable(`planning failed: ${(error as Error).message}`);
  }
}
