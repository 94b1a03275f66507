import type { FieldNode, OperationDefinitionNode } from 'graphql';
import { NotPlannable, collectFields } from './collect-fields.ts';
import type { Fetch } from './fetch.ts';
import { finish, mergeVariable, rootTypeOf, supergraphType, type Planner } from './plan-operation.ts';
import { splitSharedRoot } from './split-shared-root.ts';

/** Plans an operation's root fields into root calls (see `planOperation`). */
export function planRoot(planner: Planner, operation: OperationDefinitionNode): Fetch[] {
  const { context, scope } = planner;
  if (operation.variableDefinitions?.some(({ variable }) => variable.name.value === 'representations' || variable.name.value.startsWith(mergeVariable(''))))
    throw new NotPlannable("a variable is named like the plan's own ($representations, $__merge_*)");
  const rootType = rootTypeOf(context.schema, operation);
  const rootInfo = supergraphType(context, rootType.name);
  const mutation = operation.operation === 'mutation';
  // A query's root fields: one call per subgraph. A mutation's run in order: one call per run of
  // consecutive fields of one subgraph (which executes them in order itself). A root field's shares
  // (see splitSharedRoot) are calls of their own, which no other field joins.
  const groups: RootGroup[] = [];
  for (const [key, nodes] of collectFields(context.schema, scope, rootType, [operation.selectionSet])) {
    const name = (nodes[0] as FieldNode).name.value;
    if (name === '__typename') continue;
    if (name.startsWith('__') || context.foreignRootFields.has(`${rootType.name}.${name}`))
      throw new NotPlannable(`${rootType.name}.${name} is not a supergraph field`);
    const unplannable = context.supergraph.unplannable?.get(`${rootType.name}.${name}`);
    if (unplannable !== undefined) throw new NotPlannable(unplannable);
    const candidates = planner.graphsResolving(rootInfo, name);
    const joinable = (mutation ? groups.slice(-1) : groups).filter((group) => !group.shares);
    const graph = planner.cheapestRoot(
      rootType,
      key,
      nodes,
      candidates,
      joinable.map((group) => group.graph),
    );
    const split = mutation ? undefined : splitSharedRoot(planner, rootType, nodes, candidates, graph);
    const group = joinable.find((candidate) => candidate.graph === graph);
    if (group) group.fields.set(key, split?.chosen ?? nodes);
    else groups.push({ graph, fields: new Map([[key, split?.chosen ?? nodes]]) });
    for (const share of split?.shares ?? []) groups.push({ graph: share.graph, fields: new Map([[key, share.nodes]]), shares: new Map([[key, share.fields]]) });
  }
  const fetches = groups.map(({ graph, fields }) => {
    const draft = planner.newDraft(graph, [...fields.keys()]);
    planner.planObject(rootType, fields, draft, draft.selection, [], undefined);
    return finish(draft, operation);
  });
  groups.forEach((group, index) => {
    if (!group.shares) return;
    const fetch = fetches[index] as Fetch;
    fetch.shares = {};
    for (const [key, fields] of group.shares) {
      const primary = fetches[groups.findIndex((other) => !other.shares && other.fields.has(key))] as Fetch;
      fetch.shares[key] = { fields, primary };
    }
  });
  return fetches;
}

/** The root fields one call is sent, and the shares among them (the client's keys it fills on the objects another call answers). */
interface RootGroup {
  graph: string;
  fields: Map<string, FieldNode[]>;
  shares?: Map<string, string[]>;
}
