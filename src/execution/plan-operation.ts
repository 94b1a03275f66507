import {
  Kind,
  getNamedType,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  parse,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { NotPlannable, collectFields, subSelections, type OperationScope } from './collect-fields.ts';
import { isInterfaceObject, resolvesField, type Supergraph, type SupergraphType } from './read-supergraph.ts';

/** A step of the path to a fetch's objects: a response key, or `@` for every item of a list. */
export type PathStep = string;

/** One call to one subgraph; its children run once its answer is merged. */
export interface Fetch {
  graph: string;
  document: DocumentNode;
  /** The client's variables the call passes on. */
  variables: string[];
  /** The response keys of the client's answer the call fills on each of its objects (made null, with its error, if it fails). */
  keys: string[];
  /** An `_entities` call: the objects it completes and the fields that represent them. */
  entity?: { typeName: string; path: PathStep[]; representation: SelectionSetNode };
  children: Fetch[];
}

/** What the planner needs beyond the supergraph: the gateway's schema and what other sources add to it. */
export interface PlanningContext {
  schema: GraphQLSchema;
  supergraph: Supergraph;
  /** Object types other (non-federation) sources also define: merged by stitching, never planned. */
  foreignTypes: ReadonlySet<string>;
  /** Root fields other sources answer, as `Query.name` and `Mutation.name`. */
  foreignRootFields: ReadonlySet<string>;
}

/** A fetch under construction: its selection and the variables it uses. */
interface Draft {
  fetch: Fetch;
  selection: Selection;
  variables: Set<string>;
  drafts: Draft[];
}

/**
 * Plans a query over the supergraph the way a federation router does: root fields go to the
 * subgraph that resolves them, the query stays in a subgraph as long as it resolves the fields,
 * and the fields it doesn't resolve become one `_entities` call per subgraph and position (after
 * the call that brings a field's `@requires`). Interfaces and unions are selected with one inline
 * fragment per object type the subgraph may return there. Throws {@link NotPlannable} for what it
 * doesn't cover (`@interfaceObject`, subscriptions, directives other than `@skip`/`@include`, fields
 * of other sources), which the gateway then executes through stitching.
 */
export function planOperation(context: PlanningContext, operation: OperationDefinitionNode, scope: OperationScope): Fetch[] {
  if (operation.variableDefinitions?.some((definition) => definition.variable.name.value === 'representations')) throw new NotPlannable('a variable is named $representations');
  const rootType = rootTypeOf(context.schema, operation);
  const rootInfo = supergraphType(context, rootType.name);
  const mutation = operation.operation === 'mutation';
  // A query's root fields: one call per subgraph. A mutation's run in order: one call per run of
  // consecutive fields of one subgraph (which executes them in order itself).
  const groups: Array<[string, Map<string, FieldNode[]>]> = [];
  for (const [key, nodes] of collectFields(context.schema, scope, rootType, [operation.selectionSet])) {
    const name = (nodes[0] as FieldNode).name.value;
    if (name === '__typename') continue;
    if (name.startsWith('__') || context.foreignRootFields.has(`${rootType.name}.${name}`)) throw new NotPlannable(`${rootType.name}.${name} is not a supergraph field`);
    const candidates = graphsResolving(rootInfo, name);
    const joinable = mutation ? groups.slice(-1) : groups;
    const group = joinable.find(([graph]) => candidates.includes(graph));
    if (group) {
      group[1].set(key, nodes);
      continue;
    }
    if (candidates[0] === undefined) throw new NotPlannable(`no subgraph resolves ${rootType.name}.${name}`);
    groups.push([candidates[0], new Map([[key, nodes]])]);
  }
  const planner = new Planner(context, scope);
  return groups.map(([graph, fields]) => {
    const draft = newDraft(graph, [...fields.keys()]);
    planner.planObject(rootType, fields, draft, draft.selection, [], undefined);
    return finish(draft, operation);
  });
}

/** The root type an operation selects on: Query or Mutation (subscriptions are not planned). */
export function rootTypeOf(schema: GraphQLSchema, operation: OperationDefinitionNode): GraphQLObjectType {
  const type = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : undefined;
  if (!type) throw new NotPlannable(`${operation.operation}s are not planned`);
  return type;
}

class Planner {
  constructor(
    private readonly context: PlanningContext,
    private readonly scope: OperationScope,
  ) {}

  /** Plans the fields of objects of one type the draft's subgraph is at, adding `_entities` calls for the rest. */
  planObject(type: GraphQLObjectType, fields: Map<string, FieldNode[]>, draft: Draft, selection: Selection, path: PathStep[], provided: SelectionSetNode | undefined): void {
    const info = supergraphType(this.context, type.name);
    const graph = draft.fetch.graph;
    const remote = new Map<string, Map<string, FieldNode[]>>();
    const placeRemotely = (key: string, nodes: FieldNode[], name: string) => {
      const target = this.chooseGraph(info, name, graph, provided, remote);
      remote.set(target, (remote.get(target) ?? new Map<string, FieldNode[]>()).set(key, nodes));
    };
    for (const [key, nodes] of fields) {
      const name = (nodes[0] as FieldNode).name.value;
      if (name === '__typename') selection.add(key, key === name ? name : `${key}: __typename`);
      else if (resolvesField(info, name, graph) || isProvided(provided, name)) this.planField(type, info, key, nodes, draft, selection, path, provided);
      else placeRemotely(key, nodes, name);
    }
    if (remote.size === 0) return;

    // Each remote field's @requires: resolved here when this subgraph can, else by another call first.
    const dependsOn = new Map<string, string>();
    /** Fields asked for only because a remote field requires them: not in the client's answer. */
    const requiredOnly = new Set<FieldNode>();
    const requiresOf = new Map<string, SelectionSetNode[]>();
    for (const [target, group] of [...remote]) {
      for (const nodes of group.values()) {
        const requires = info.fields.get((nodes[0] as FieldNode).name.value)?.get(target)?.requires;
        if (!requires) continue;
        requiresOf.set(target, [...(requiresOf.get(target) ?? []), requires]);
        for (const required of requires.selections) {
          if (required.kind !== Kind.FIELD) throw new NotPlannable('@requires with fragments');
          const name = required.name.value;
          if (resolvesField(info, name, graph) || isProvided(provided, name)) {
            this.planField(type, info, name, [required], draft, selection, path, provided);
            continue;
          }
          let source = [...remote].find(([, candidate]) => (candidate.get(name)?.[0] as FieldNode | undefined)?.name.value === name)?.[0];
          if (source === undefined) {
            requiredOnly.add(required);
            placeRemotely(name, [required], name);
            source = [...remote].find(([, candidate]) => candidate.get(name)?.includes(required))?.[0] as string;
          }
          if (source === target) throw new NotPlannable(`${type.name}.${name} is required by a field of the same subgraph`);
          if (info.fields.get(name)?.get(source)?.requires) throw new NotPlannable(`${type.name}.${name}: a required field has @requires itself`);
          if (dependsOn.has(target) && dependsOn.get(target) !== source) throw new NotPlannable(`${type.name}: @requires from several subgraphs`);
          dependsOn.set(target, source);
        }
      }
    }

    // A subgraph this one has no key for is reached through one that has both: its key fields are
    // fetched there first (reviews knows a product's upc, inventory keys it by sku, products has both).
    for (const target of [...remote.keys()]) {
      const access = this.keyVia(info, target, graph, provided);
      if (access?.via === undefined) continue;
      const via = remote.get(access.via) ?? new Map<string, FieldNode[]>();
      remote.set(access.via, via);
      for (const field of access.key.selections as readonly FieldNode[]) {
        if (via.has(field.name.value)) continue;
        requiredOnly.add(field);
        via.set(field.name.value, [field]);
      }
      if (dependsOn.has(target) && dependsOn.get(target) !== access.via) throw new NotPlannable(`${type.name}: a key and @requires from different subgraphs`);
      dependsOn.set(target, access.via);
    }

    selection.add('__typename', '__typename');
    const created = new Map<string, Draft>();
    const creating = new Set<string>();
    const create = (target: string): Draft => {
      const existing = created.get(target);
      if (existing) return existing;
      if (creating.has(target)) throw new NotPlannable(`${type.name}: @requires in a cycle`);
      creating.add(target);
      const access = this.keyVia(info, target, graph, provided);
      if (!access) throw new NotPlannable(`${info.name} has no key ${graph} can give ${target}`);
      const { key } = access;
      if (access.via === undefined) for (const field of key.selections) this.planField(type, info, (field as FieldNode).name.value, [field as FieldNode], draft, selection, path, provided);
      const group = remote.get(target) as Map<string, FieldNode[]>;
      const representation: SelectionSetNode = { kind: Kind.SELECTION_SET, selections: [...key.selections, ...(requiresOf.get(target) ?? []).flatMap((set) => set.selections)] };
      const answered = [...group].filter(([, nodes]) => !nodes.every((node) => requiredOnly.has(node))).map(([key]) => key);
      const child = newDraft(target, answered, { typeName: type.name, path, representation });
      const dependency = dependsOn.get(target);
      (dependency === undefined ? draft : create(dependency)).drafts.push(child);
      this.planObject(type, group, child, child.selection, path, undefined);
      created.set(target, child);
      return child;
    };
    for (const target of remote.keys()) create(target);
  }

  private planField(type: GraphQLObjectType, info: SupergraphType, key: string, nodes: FieldNode[], draft: Draft, selection: Selection, path: PathStep[], provided: SelectionSetNode | undefined): void {
    const node = nodes[0] as FieldNode;
    const name = node.name.value;
    const field = type.getFields()[name];
    if (!field) throw new NotPlannable(`${type.name}.${name} is not in the schema`);
    for (const argument of node.arguments ?? []) visit(argument, { Variable: (variable) => void draft.variables.add(variable.name.value) });
    const head = `${key === name ? '' : `${key}: `}${name}${node.arguments && node.arguments.length > 0 ? `(${node.arguments.map((argument) => print(argument)).join(', ')})` : ''}`;
    const named = getNamedType(field.type);
    if (isLeafType(named)) {
      selection.add(key, head);
      return;
    }
    const steps = [...path, key, ...listSteps(field.type)];
    if (isAbstractType(named)) {
      // One fragment per object type this subgraph may return here; __typename says which it is.
      const sub = selection.add(key, head, new Selection()) as Selection;
      sub.add('__typename', '__typename');
      const returned = this.context.supergraph.members.get(named.name);
      if (!returned || isInterfaceObject(this.context.supergraph, named.name)) throw new NotPlannable(`${named.name} has no members per subgraph, or is an @interfaceObject`);
      for (const possible of this.context.schema.getPossibleTypes(named)) {
        if (!returned.get(possible.name)?.has(draft.fetch.graph)) continue;
        const childFields = collectFields(this.context.schema, this.scope, possible, subSelections(nodes));
        const fragment = sub.add(`... on ${possible.name}`, `... on ${possible.name}`, new Selection()) as Selection;
        fragment.add('__typename', '__typename');
        this.planObject(possible, childFields, draft, fragment, steps, undefined);
      }
      return;
    }
    const sub = selection.add(key, head, new Selection());
    const provides = info.fields.get(name)?.get(draft.fetch.graph)?.provides ?? providedBelow(provided, name);
    const childFields = collectFields(this.context.schema, this.scope, named, subSelections(nodes));
    this.planObject(named as GraphQLObjectType, childFields, draft, sub as Selection, steps, provides);
  }

  /** The subgraph to ask for a field this one doesn't resolve: one already asked at this position, else the first reachable directly, else through another. */
  private chooseGraph(info: SupergraphType, name: string, current: string, provided: SelectionSetNode | undefined, asked: ReadonlyMap<string, unknown>): string {
    const able = graphsResolving(info, name).filter((graph) => graph !== current && this.keyVia(info, graph, current, provided) !== undefined);
    const graph = able.find((candidate) => asked.has(candidate)) ?? able.find((candidate) => this.keyOrUndefined(info, candidate, current, provided)) ?? able[0];
    if (graph === undefined) throw new NotPlannable(`no subgraph can complete ${info.name}.${name} from ${current}`);
    return graph;
  }

  /** A key of the target the current subgraph gives, else one a third subgraph (`via`) gives, reached by a key the current one gives. */
  private keyVia(info: SupergraphType, target: string, current: string, provided: SelectionSetNode | undefined): { key: SelectionSetNode; via?: string } | undefined {
    const local = this.keyOrUndefined(info, target, current, provided);
    if (local) return { key: local };
    const inTarget = info.graphs.get(target);
    if (!inTarget || inTarget.isInterfaceObject) return undefined;
    for (const key of inTarget.keys) {
      for (const via of info.graphs.keys()) {
        if (via === target || via === current || !this.keyOrUndefined(info, via, current, provided)) continue;
        if (key.selections.every((field) => field.kind === Kind.FIELD && resolvesField(info, field.name.value, via))) return { key, via };
      }
    }
    return undefined;
  }

  /** A `@key` of the target subgraph whose fields the current subgraph resolves. */
  private keyOrUndefined(info: SupergraphType, target: string, current: string, provided: SelectionSetNode | undefined): SelectionSetNode | undefined {
    const inTarget = info.graphs.get(target);
    if (!inTarget || inTarget.isInterfaceObject || !info.graphs.has(current)) return undefined;
    return inTarget.keys.find((key) => key.selections.every((field) => field.kind === Kind.FIELD && (resolvesField(info, field.name.value, current) || isProvided(provided, field.name.value))));
  }
}

/** A subgraph selection under construction: response keys in order, each with its field text and sub-selection. */
export class Selection {
  private readonly entries = new Map<string, { head: string; sub?: Selection }>();

  add(key: string, head: string, sub?: Selection): Selection | undefined {
    const existing = this.entries.get(key);
    if (!existing) {
      this.entries.set(key, sub ? { head, sub } : { head });
      return sub;
    }
    if (existing.head !== head || Boolean(existing.sub) !== Boolean(sub)) throw new NotPlannable(`the response key ${key} is used for two different fields`);
    return existing.sub;
  }

  toString(): string {
    return `{ ${[...this.entries.values()].map(({ head, sub }) => (sub ? `${head} ${sub.toString()}` : head)).join(' ')} }`;
  }
}

function newDraft(graph: string, keys: string[], entity?: Fetch['entity']): Draft {
  return { fetch: { graph, document: { kind: Kind.DOCUMENT, definitions: [] }, variables: [], keys, ...(entity ? { entity } : {}), children: [] }, selection: new Selection(), variables: new Set(), drafts: [] };
}

/** Writes a draft's subgraph operation and finishes its children. */
function finish(draft: Draft, operation: OperationDefinitionNode): Fetch {
  const { fetch } = draft;
  const definitions = (operation.variableDefinitions ?? []).filter((definition) => draft.variables.has(definition.variable.name.value));
  const printedDefinitions = definitions.map((definition) => print(definition));
  const text = fetch.entity
    ? `query(${['$representations: [_Any!]!', ...printedDefinitions].join(', ')}) { _entities(representations: $representations) { ... on ${fetch.entity.typeName} ${draft.selection.toString()} } }`
    : `${operation.operation}${printedDefinitions.length > 0 ? `(${printedDefinitions.join(', ')})` : ''} ${draft.selection.toString()}`;
  fetch.document = parse(text, { noLocation: true });
  fetch.variables = [...draft.variables];
  fetch.children = draft.drafts.map((child) => finish(child, operation));
  return fetch;
}

function supergraphType(context: PlanningContext, name: string): SupergraphType {
  const info = context.supergraph.types.get(name);
  if (!info || !info.isObject) throw new NotPlannable(`${name} is not an object type of the supergraph`);
  if (context.foreignTypes.has(name)) throw new NotPlannable(`${name} is also defined by another source`);
  if (info.interfaces.some((name) => isInterfaceObject(context.supergraph, name))) throw new NotPlannable(`${name} implements an @interfaceObject`);
  return info;
}

function graphsResolving(info: SupergraphType, name: string): string[] {
  const fields = info.fields.get(name);
  const graphs = fields ? [...fields.keys()] : [...info.graphs.keys()];
  return graphs.filter((graph) => resolvesField(info, name, graph));
}

function isProvided(provided: SelectionSetNode | undefined, name: string): boolean {
  return provided?.selections.some((selection) => selection.kind === Kind.FIELD && selection.name.value === name) ?? false;
}

function providedBelow(provided: SelectionSetNode | undefined, name: string): SelectionSetNode | undefined {
  const field = provided?.selections.find((selection): selection is FieldNode => selection.kind === Kind.FIELD && selection.name.value === name);
  return field?.selectionSet;
}

function listSteps(type: GraphQLOutputType): PathStep[] {
  const steps: PathStep[] = [];
  let current: GraphQLOutputType = type;
  for (;;) {
    if (isNonNullType(current)) current = current.ofType;
    else if (isListType(current)) {
      steps.push('@');
      current = current.ofType;
    } else return steps;
  }
}
