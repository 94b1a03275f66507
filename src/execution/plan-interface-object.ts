import { Kind, type FieldNode, type GraphQLInterfaceType, type GraphQLObjectType, type SelectionSetNode } from 'graphql';
import { NotPlannable, collectFields, dependsOnType, subSelections } from './collect-fields.ts';
import type { PathStep } from './fetch.ts';
import type { Draft, Planner } from './plan-operation.ts';
import type { SupergraphType } from './read-supergraph.ts';
import { internalKey, Selection } from './selection.ts';

/**
 * An interface position in a subgraph that sees the interface as an object type (`@interfaceObject`):
 * its objects come back as `__typename: "Media"`, the interface's name. The fields that subgraph
 * resolves and the client selects on the interface itself (the same for every implementation) are
 * fetched right there; a field selected on some implementations only waits for their type, so no
 * object is asked (or fails) for a field it was not selected for. When the selection depends on
 * the concrete type (a `__typename`, a fragment on an implementation) or selects a field that
 * subgraph does not resolve, one entity call to a subgraph that defines the interface with a `@key`
 * (it knows the implementations) is sent the objects as the interface and answers their
 * `__typename` and, by type, the rest; fields of other subgraphs follow from there. Without that
 * call, the objects keep the interface's name and are completed by the selection on the interface
 * (Apollo Router does the same).
 */
export function planInterfaceObject(
  planner: Planner,
  abstract: GraphQLInterfaceType,
  nodes: readonly FieldNode[],
  draft: Draft,
  selection: Selection,
  path: PathStep[],
): void {
  const { schema, supergraph } = planner.context;
  const info = supergraph.types.get(abstract.name) as SupergraphType;
  const graph = draft.fetch.graph;
  const selections = subSelections(nodes);
  const onInterface = collectFields(schema, planner.scope, abstract, selections);
  const byType = new Map(schema.getPossibleTypes(abstract).map((type) => [type, collectFields(schema, planner.scope, type, selections)] as const));
  const fetched = new Set<string>();
  for (const [key, keyNodes] of onInterface) {
    const name = (keyNodes[0] as FieldNode).name.value;
    if (key.startsWith('__') && name !== '__typename') throw new NotPlannable(`the response key ${key} starts with __`);
    const everywhere = [...byType.values()].every((fields) => sameNodes(fields.get(key), keyNodes));
    if (name === '__typename' || !everywhere || !planner.answersAlone(info, name, graph)) continue;
    planner.planField(abstract, info, key, keyNodes, draft, selection, path, undefined);
    fetched.add(key);
  }
  fetchFromOtherInterfaceObjects(planner, abstract, info, draft, selection, path, onInterface, byType, fetched);
  const pending = [...byType].map(([type, fields]) => [type, new Map([...fields].filter(([key]) => !fetched.has(key)))] as const);
  if (pending.every(([, fields]) => fields.size === 0) && !dependsOnType(onInterface, byType.values())) return;
  resolveConcreteTypes(planner, abstract, info, draft, selection, path, pending);
}

/**
 * Fields selected on the interface itself (the same for every implementation) that another subgraph
 * resolves for the interface as a whole (it too has an `@interfaceObject`): one entity call there,
 * the objects sent as the interface, whatever their concrete type. Apollo's planner does the same;
 * going by type instead would ask an implementation's own subgraph, which may answer differently.
 */
function fetchFromOtherInterfaceObjects(
  planner: Planner,
  abstract: GraphQLInterfaceType,
  info: SupergraphType,
  draft: Draft,
  selection: Selection,
  path: PathStep[],
  onInterface: ReadonlyMap<string, FieldNode[]>,
  byType: ReadonlyMap<GraphQLObjectType, ReadonlyMap<string, FieldNode[]>>,
  fetched: Set<string>,
): void {
  const graph = draft.fetch.graph;
  const byGraph = new Map<string, { key: SelectionSetNode; fields: Map<string, FieldNode[]> }>();
  for (const [responseKey, keyNodes] of onInterface) {
    const name = (keyNodes[0] as FieldNode).name.value;
    if (name === '__typename' || fetched.has(responseKey) || responseKey.startsWith('__')) continue;
    if (![...byType.values()].every((fields) => sameNodes(fields.get(responseKey), keyNodes))) continue;
    for (const [other, inGraph] of info.graphs) {
      if (other === graph || !inGraph.isInterfaceObject || !planner.answersAlone(info, name, other)) continue;
      const key = inGraph.keys.find((candidate) =>
        candidate.selections.every((field) => field.kind === Kind.FIELD && !field.selectionSet && planner.resolves(info, field.name.value, graph)),
      );
      if (!key) continue;
      let call = byGraph.get(other);
      if (!call) byGraph.set(other, (call = { key, fields: new Map() }));
      call.fields.set(responseKey, keyNodes);
      fetched.add(responseKey);
      break;
    }
  }
  for (const [other, { key, fields }] of byGraph) {
    const child = callAsInterface(planner, abstract, info, { draft, selection, path }, other, key, [...fields.keys()]);
    for (const [responseKey, keyNodes] of fields) planner.planField(abstract, info, responseKey, keyNodes, child, child.selection, path, undefined);
  }
}

/**
 * An entity call below the draft to `graph`, which is sent the objects as the interface, by `key`
 * (its fields fetched in the draft under internal keys); it fills the client's `keys`.
 */
function callAsInterface(
  planner: Planner,
  abstract: GraphQLInterfaceType,
  info: SupergraphType,
  { draft, selection, path }: { draft: Draft; selection: Selection; path: PathStep[] },
  graph: string,
  key: SelectionSetNode,
  keys: string[],
): Draft {
  const keyFields = key.selections as readonly FieldNode[];
  for (const field of keyFields) planner.planField(abstract, info, internalKey(field.name.value), [field], draft, selection, path, undefined);
  const representation: SelectionSetNode = {
    kind: Kind.SELECTION_SET,
    selections: keyFields.map((field) => ({ ...planner.concrete(field), alias: { kind: Kind.NAME, value: internalKey(field.name.value) } })),
  };
  const child = planner.newDraft(
    graph,
    keys,
    { typeName: abstract.name, path, representation, keyFields: keyFields.map((field) => internalKey(field.name.value)) },
    draft,
  );
  draft.drafts.push(child);
  return child;
}

/** The entity call that asks the interface's owner for the concrete type of each object, and the fields still to fetch, by type. */
function resolveConcreteTypes(
  planner: Planner,
  abstract: GraphQLInterfaceType,
  info: SupergraphType,
  draft: Draft,
  selection: Selection,
  path: PathStep[],
  pending: ReadonlyArray<readonly [GraphQLObjectType, Map<string, FieldNode[]>]>,
): void {
  const graph = draft.fetch.graph;
  const owners = [...info.graphs]
    .filter(([, inGraph]) => !inGraph.isInterfaceObject)
    .flatMap(([owner, inGraph]) => inGraph.keys.map((key) => [owner, key] as const));
  const found = owners.find(([, key]) => key.selections.every((field) => field.kind === Kind.FIELD && planner.resolves(info, field.name.value, graph)));
  if (!found)
    throw new NotPlannable(
      `no subgraph can tell the type of the ${abstract.name} objects of ${graph} (an @interfaceObject): none defines the interface with a @key whose fields ${graph} resolves`,
    );
  const [owner, key] = found;
  const keys = [...new Set(pending.flatMap(([, fields]) => [...fields.keys()]))];
  const child = callAsInterface(planner, abstract, info, { draft, selection, path }, owner, key, keys);
  child.selection.add('__typename', '__typename');
  const returned = planner.context.supergraph.members.get(abstract.name);
  for (const [type, fields] of pending) {
    if (!returned?.get(type.name)?.has(owner)) continue;
    const fragment = child.selection.add(`... on ${type.name}`, `... on ${type.name}`, new Selection()) as Selection;
    fragment.add('__typename', '__typename');
    planner.planObject(type, fields, child, fragment, path, undefined);
  }
}

/** Whether an implementation selects a response key exactly as the interface does: the same nodes, so the same sub-selection. */
function sameNodes(nodes: readonly FieldNode[] | undefined, onInterface: readonly FieldNode[]): boolean {
  return nodes !== undefined && nodes.length === onInterface.length && nodes.every((node, index) => node === onInterface[index]);
}
