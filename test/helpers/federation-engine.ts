import { createDefaultExecutor } from '@graphql-tools/delegate';
import type { Executor } from '@graphql-tools/utils';
import {
  buildASTSchema,
  getOperationAST,
  parse,
  print,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { completeResult } from '../../src/execution/complete-result.ts';
import { hiddenTypesOf } from '../../src/execution/create-query-planner.ts';
import { executePlan } from '../../src/execution/execute-plan.ts';
import type { Fetch } from '../../src/execution/fetch.ts';
import { planOperation, rootTypeOf } from '../../src/execution/plan-operation.ts';
import { readSupergraph, type Supergraph } from '../../src/execution/read-supergraph.ts';
import { shapeOperation } from '../../src/execution/shape-operation.ts';
import type { Gateway } from '../../src/server/create-gateway.ts';

/** What the query planner runs over: the API schema, the supergraph's model and a way to call each subgraph. */
export interface Engine {
  schema: GraphQLSchema;
  supergraph: Supergraph;
  executors: ReadonlyMap<string, Executor>;
}

/** A planned query and its answer. */
export interface PlannedRun {
  fetches: Fetch[];
  body: ExecutionResult;
}

/** The engine of a running gateway: its schema, its supergraph and its own subgraph executors. */
export function engineOf(gateway: Gateway): Engine {
  const document = gateway.sources.find((source) => source.supergraph)?.supergraph?.document;
  if (!document) throw new Error('engineOf: expected a gateway with federation sources, got none');
  const executors = new Map(
    gateway.sources.map((source) => [source.name, (source.subschema.executor ?? createDefaultExecutor(source.subschema.schema)) as Executor]),
  );
  return { schema: gateway.schema, supergraph: readSupergraph(document), executors };
}

/**
 * The engine over a supergraph no gateway serves yet: the schema is the supergraph's own (its
 * `join__*` definitions left in: the planner reads only the client's types), and each subgraph is
 * called over HTTP at its URL.
 */
export function engineOver(supergraph: DocumentNode, urls: Readonly<Record<string, string>>): Engine {
  const executors = new Map(
    Object.entries(urls).map(([name, url]): [string, Executor] => [
      name,
      (async ({ document, variables }) =>
        (
          await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: print(document), variables }) })
        ).json()) as Executor,
    ]),
  );
  return { schema: buildASTSchema(supergraph, { assumeValidSDL: true }), supergraph: readSupergraph(supergraph), executors };
}

/**
 * Plans a query and runs the plan as the gateway's planner does, with the progressive `@override`
 * labels given as this request's active ones (the gateway's planner draws them per request).
 * Fragments and variables are not needed by the tests that use it.
 */
export async function runPlanned({ schema, supergraph, executors }: Engine, query: string, overrideLabels?: ReadonlySet<string>): Promise<PlannedRun> {
  const operation = getOperationAST(parse(query)) as OperationDefinitionNode;
  const hiddenTypes = hiddenTypesOf(supergraph, schema);
  const context = { schema, supergraph, foreignTypes: new Set<string>(), foreignRootFields: new Set<string>(), hiddenTypes };
  const scope = { fragments: {}, variables: {}, hiddenEnumValues: supergraph.hiddenEnumValues, hiddenTypes, ...(overrideLabels ? { overrideLabels } : {}) };
  const fetches = planOperation(context, operation, scope);
  const shape = shapeOperation(schema, scope, rootTypeOf(schema, operation), operation.selectionSet);
  const { data, errors } = await executePlan(fetches, executors, {}, {});
  const completed = completeResult(data, shape, errors);
  return { fetches, body: errors.length > 0 ? { errors, data: completed } : { data: completed } };
}

/** The subgraphs a plan calls, depth first. */
export function graphsOf(fetches: readonly Fetch[]): string[] {
  return fetches.flatMap((fetch) => [fetch.graph, ...graphsOf(fetch.children)]);
}
