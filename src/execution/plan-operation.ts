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
  type FieldNode,
  type GraphQLAbstractType,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import { NotPlannable, collectFields, subSelections, type OperationScope } from './collect-fields.ts';
import { passedDirectives } from './executable-directives.ts';
import { hiddenFields, hiddenMembers } from './hidden-types.ts';
import { planInterfaceObject } from './plan-interface-object.ts';
import { planRoot } from './plan-root.ts';
import { Position } from './plan-object.ts';
import { overrideLabelOf, requiresOf, resolvesField, type Supergraph, type SupergraphType } from './read-supergraph.ts';
import { Selection, isInternalKey } from './selection.ts';
import { typeStep, type Fetch, type PathStep } from './fetch.ts';

/** What the planner needs beyond the supergraph: the gateway's schema and what other sources add to it. */
export interface PlanningContext {
  schema: GraphQLSchema;
  supergraph: Supergraph;
  /** Object types the model can't plan: sources of both kinds define them, or graphql and rest sources when those are not planned. */
  foreignTypes: ReadonlySet<string>;
  /** Root fields the model can't plan, as `Query.name` and `Mutation.name`. */
  foreignRootFields: ReadonlySet<string>;
  /** Types of the supergraph the public schema lacks (`@inaccessible`). */
  hiddenTypes: ReadonlySet<string>;
  /** The subgraphs a client's composed executable directive on a field is passed on to (the supergraph's); none when undefined. */
  directiveGraphs?: ReadonlySet<string>;
}

/** A fetch under construction: its selection, the variables it uses, and the calls made after it. */
export interface Draft {
  fetch: Fetch;
  selection: Selection;
  variables: Set<string>;
  drafts: Draft[];
  parent: Draft | undefined;
  after: Draft[];
}

/**
 * Plans a query over the supergraph the way a federation router does: each root field goes to the
 * subgraph that answers it (and its selection) in the fewest calls, the query stays in a subgraph as
 * long as it resolves the fields, and the fields it doesn't resolve (or resolves only given their
 * `@requires`) become entity calls after the calls that bring their keys and required fields
 * (see {@link Position}): `_entities` for a subgraph, the `@merge` entry point (`usersByIds(ids:)`)
 * for a graphql or rest source. Interfaces and unions are selected with one inline fragment per object
 * type the subgraph may return there (see {@link planInterfaceObject} for an `@interfaceObject`). A
 * progressive `@override` is planned for the labels `scope.overrideLabels` says are active. Throws
 * {@link NotPlannable} for what it doesn't cover (subscriptions, directives other than
 * `@skip`/`@include`, types both kinds of source define, `@computed` fields, client response keys
 * starting with `__` (which useReservedAliases renames first), a progressive `@override` without
 * the request's labels), which the gateway then executes through stitching. `labelsRead` receives
 * the labels the plan (or the reason) depends on.
 */
export function planOperation(context: PlanningContext, operation: OperationDefinitionNode, scope: OperationScope, labelsRead = new Set<string>()): Fetch[] {
  const planner = new Planner(context, scope, labelsRead);
  try {
    return planRoot(planner, operation);
  } catch (error) {
    // A plan that failed for want of a subgraph may have met a field whose subgraph the request's labels decide.
    if (error instanceof NotPlannable && planner.undecided !== undefined) throw new NotPlannable(planner.undecided);
    throw error;
  }
}

/** The root type an operation selects on: Query or Mutation (subscriptions are not planned). */
export function rootTypeOf(schema: GraphQLSchema, operation: OperationDefinitionNode): GraphQLObjectType {
  const type = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : undefined;
  if (!type) throw new NotPlannable(`${operation.operation}s are not planned`);
  return type;
}

/** Plans selections into drafts; {@link Position} plans the entity calls of one position. */
export class Planner {
  /** Why the plan may depend on the request: a progressive `@override` met without the request's labels. */
  undecided: string | undefined;

  /** `labelsRead`: filled with the labels of the progressive `@override`s the plan met, the only ones it depends on. */
  constructor(
    readonly context: PlanningContext,
    readonly scope: OperationScope,
    private readonly labelsRead = new Set<string>(),
  ) {}

  /** Whether a subgraph answers a field of a type itself, progressive `@override`s decided by the request's labels. */
  resolves(info: SupergraphType, name: string, graph: string): boolean {
    const labels = this.scope.overrideLabels;
    const label = overrideLabelOf(info, name);
    if (label !== undefined) {
      this.labelsRead.add(label);
      if (labels === undefined)
        this.undecided ??= `${info.name}.${name} has a progressive @override (label "${label}"): which subgraph answers depends on the request's labels, which the planner was not given`;
    }
    return resolvesField(info, name, graph, labels);
  }

  /** Whether a subgraph answers a field of a type needing nothing first: it resolves it, and without `@requires`. */
  answersAlone(info: SupergraphType, name: string, graph: string): boolean {
    return this.resolves(info, name, graph) && requiresOf(info, name, graph) === undefined;
  }

  /** The subgraphs that answer a field of a type (with or without `@requires`). */
  graphsResolving(info: SupergraphType, name: string): string[] {
    const fields = info.fields.get(name);
    const graphs = fields ? [...fields.keys()] : [...info.graphs.keys()];
    return graphs.filter((graph) => this.resolves(info, name, graph));
  }

  newDraft(graph: string, keys: string[], entity?: Fetch['entity'], parent?: Draft): Draft {
    return {
      fetch: { graph, document: { kind: Kind.DOCUMENT, definitions: [] }, variables: [], keys, ...(entity ? { entity } : {}), children: [] },
      selection: new Selection(),
      variables: new Set(),
      drafts: [],
      parent,
      after: [],
    };
  }

  /**
   * The subgraph to send a root field to: of those that answer it, the one whose plan of the field
   * makes the fewest calls (its `@provides` spare entity calls), one already called on a tie.
   */
  cheapestRoot(rootType: GraphQLObjectType, key: string, nodes: FieldNode[], candidates: readonly string[], called: readonly string[]): string {
    if (candidates.length <= 1) {
      if (candidates[0] === undefined) throw new NotPlannable(`no subgraph resolves ${rootType.name}.${(nodes[0] as FieldNode).name.value}`);
      return candidates[0];
    }
    let best: { graph: string; cost: number } | undefined;
    for (const graph of candidates) {
      const draft = this.newDraft(graph, [key]);
      let cost: number;
      try {
        this.planObject(rootType, new Map([[key, nodes]]), draft, draft.selection, [], undefined);
        cost = countDrafts(draft) - (called.includes(graph) ? 0.5 : 0);
      } catch (error) {
        if (!(error instanceof NotPlannable)) throw error;
        continue;
      }
      if (!best || cost < best.cost) best = { graph, cost };
    }
    if (!best) throw new NotPlannable(`no subgraph can plan ${rootType.name}.${(nodes[0] as FieldNode).name.value}`);
    return best.graph;
  }

  /**
   * Plans the fields of objects of one type the draft's subgraph is at, adding `_entities` calls for
   * the rest. `satisfied`: the response keys an entity call was made for, whose `@requires` its
   * representation carries.
   */
  planObject(
    type: GraphQLObjectType,
    fields: Map<string, FieldNode[]>,
    draft: Draft,
    selection: Selection,
    path: PathStep[],
    provided: SelectionSetNode | undefined,
    satisfied: ReadonlySet<string> = new Set(),
  ): void {
    const info = supergraphType(this.context, type.name);
    const position = new Position(this, { type, info, draft, selection, path, provided });
    for (const [key, nodes] of fields) {
      const name = (nodes[0] as FieldNode).name.value;
      if (key.startsWith('__') && !(key === '__typename' && name === '__typename') && !satisfied.has(key))
        throw new NotPlannable(`the response key ${key} starts with __`);
      const unplannable = this.context.supergraph.unplannable?.get(`${type.name}.${name}`);
      if (unplannable !== undefined) throw new NotPlannable(unplannable);
      if (name === '__typename') selection.add(key, key === name ? name : `${key}: __typename`);
      else if (position.local(name) || (satisfied.has(key) && this.resolves(info, name, draft.fetch.graph)))
        this.planField(type, info, key, nodes, draft, selection, path, provided);
      else position.placeRemotely(key, nodes);
    }
    position.finish();
  }

  /**
   * A field as a representation sends it: fragments on interfaces and unions become one fragment
   * per object type (the executor matches them by `__typename`), which selections with fragments also get.
   */
  concrete(field: FieldNode): FieldNode {
    if (!field.selectionSet) return field;
    const selections: SelectionNode[] = [];
    for (const selection of field.selectionSet.selections) {
      if (selection.kind === Kind.FIELD) selections.push(this.concrete(selection));
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const conditionName = selection.typeCondition?.name.value;
        const condition = conditionName === undefined ? undefined : this.context.schema.getType(conditionName);
        const inner = this.concrete({ ...field, selectionSet: selection.selectionSet }).selectionSet as SelectionSetNode;
        // Objects of types `@inaccessible` hides are represented too: the subgraph that asks knows them.
        const types =
          condition && isAbstractType(condition)
            ? [...this.context.schema.getPossibleTypes(condition).map((type) => type.name), ...hiddenMembers(this.context, condition.name)]
            : condition
              ? [condition.name]
              : conditionName !== undefined && this.context.hiddenTypes.has(conditionName)
                ? [conditionName]
                : [];
        if (!selection.typeCondition) selections.push(...inner.selections);
        for (const type of types)
          selections.push({
            kind: Kind.INLINE_FRAGMENT,
            typeCondition: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: type } },
            selectionSet: inner,
          });
      } else throw new NotPlannable('a named fragment in a field set');
    }
    if (selections.some((selection) => selection.kind === Kind.INLINE_FRAGMENT))
      selections.unshift({ kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } });
    return { ...field, selectionSet: { kind: Kind.SELECTION_SET, selections } };
  }

  /** Plans a field the draft's subgraph answers (on an object type, or on an `@interfaceObject`'s interface). */
  planField(
    type: GraphQLObjectType | GraphQLInterfaceType,
    info: SupergraphType,
    key: string,
    nodes: FieldNode[],
    draft: Draft,
    selection: Selection,
    path: PathStep[],
    provided: SelectionSetNode | undefined,
  ): void {
    const node = nodes[0] as FieldNode;
    const name = node.name.value;
    const field = type.getFields()[name];
    if (!field) throw new NotPlannable(`${type.name}.${name} is not in the schema`);
    for (const argument of node.arguments ?? []) visit(argument, { Variable: (variable) => void draft.variables.add(variable.name.value) });
    // A field whose type differs in this subgraph (`ID!` for `ID`) travels under a key of its own,
    // so that sibling fragments selecting `id` on several types never conflict in the subgraph.
    const typeInGraph = info.fields.get(name)?.get(draft.fetch.graph)?.type;
    const responseKey =
      typeInGraph !== undefined && typeInGraph !== String(field.type) ? `__t_${key}_${typeInGraph.replace(/!/g, 'N').replace(/[[\]]/g, 'L')}` : key;
    const target = responseKey === key ? undefined : key;
    const directives = passedDirectives(node.directives, this.context.schema);
    if (directives !== '' && !this.context.directiveGraphs?.has(draft.fetch.graph))
      throw new NotPlannable(`${type.name}.${name} has a directive ${draft.fetch.graph} does not take`);
    const head = `${responseKey === name ? '' : `${responseKey}: `}${name}${node.arguments && node.arguments.length > 0 ? `(${node.arguments.map((argument) => print(argument)).join(', ')})` : ''}${directives}`;
    const named = getNamedType(field.type);
    if (isLeafType(named)) {
      selection.add(responseKey, head, undefined, target);
      return;
    }
    const steps = [...path, key, ...listSteps(field.type)];
    const provides = info.fields.get(name)?.get(draft.fetch.graph)?.provides ?? providedBelow(provided, name);
    const sub = selection.add(responseKey, head, new Selection(), target) as Selection;
    const namedInGraph = typeInGraph === undefined ? named.name : typeInGraph.replace(/[[\]!]/g, '');
    if (isAbstractType(named)) {
      // One fragment per object type this subgraph may return here; __typename says which it is.
      sub.add('__typename', '__typename');
      if (this.context.supergraph.types.get(named.name)?.graphs.get(draft.fetch.graph)?.isInterfaceObject)
        return planInterfaceObject(this, named as GraphQLInterfaceType, nodes, draft, sub, steps);
      for (const possible of this.possibleTypes(named, namedInGraph, draft.fetch.graph)) {
        const childFields = collectFields(this.context.schema, this.scope, possible, subSelections(nodes));
        const fragment = sub.add(`... on ${possible.name}`, `... on ${possible.name}`, new Selection()) as Selection;
        fragment.add('__typename', '__typename');
        this.planObject(possible, childFields, draft, fragment, [...steps, typeStep(possible.name)], providedOn(this.context.schema, provides, possible));
      }
      // A key or `@requires` the plan fetches for a subgraph is the subgraph's business: its objects of
      // a type `@inaccessible` hides from clients carry the fields too.
      if (isInternalKey(key)) {
        for (const hidden of hiddenMembers(this.context, namedInGraph, draft.fetch.graph)) {
          const fragment = sub.add(`... on ${hidden}`, `... on ${hidden}`, new Selection()) as Selection;
          fragment.add('__typename', '__typename');
          for (const field of hiddenFields(this.context.supergraph, hidden, subSelections(nodes))) fragment.add(field, field);
        }
      }
      return;
    }
    const childFields = collectFields(this.context.schema, this.scope, named as GraphQLObjectType, subSelections(nodes));
    if (namedInGraph === named.name) return this.planObject(named as GraphQLObjectType, childFields, draft, sub, steps, provides);
    // An interface or union in this subgraph (`@join__field(type:)`): the object type's fields under its fragment.
    sub.add('__typename', '__typename');
    const fragment = sub.add(`... on ${named.name}`, `... on ${named.name}`, new Selection()) as Selection;
    this.planObject(named as GraphQLObjectType, childFields, draft, fragment, steps, provides);
  }

  /**
   * The object types of an abstract position a subgraph may return: the members it declares, of the
   * field's own type there when that is narrower (`@join__field(type:)`: `Book` where the supergraph
   * says `Media`).
   */
  private possibleTypes(named: GraphQLAbstractType, namedInGraph: string, graph: string): readonly GraphQLObjectType[] {
    const possible = this.context.schema.getPossibleTypes(named);
    const narrowed = this.context.schema.getType(namedInGraph);
    if (namedInGraph !== named.name && isObjectType(narrowed)) return possible.filter((type) => type === narrowed);
    const returned = this.context.supergraph.members.get(namedInGraph);
    const known = this.context.supergraph.types.get(namedInGraph)?.graphs.has(graph) || [...(returned?.values() ?? [])].some((graphs) => graphs.has(graph));
    if (!known)
      throw new NotPlannable(`${graph} does not define ${namedInGraph}, and the supergraph does not say what the field returns there (@join__field(type:))`);
    return possible.filter((type) => returned?.get(type.name)?.has(graph));
  }
}

/** Writes a draft's subgraph operation and finishes its children. */
export function finish(draft: Draft, operation: OperationDefinitionNode, made = new Map<Draft, Fetch>()): Fetch {
  const { fetch } = draft;
  const definitions = (operation.variableDefinitions ?? []).filter((definition) => draft.variables.has(definition.variable.name.value));
  const printedDefinitions = definitions.map((definition) => print(definition));
  const merge = fetch.entity?.merge;
  const text = !fetch.entity
    ? `${operation.operation}${printedDefinitions.length > 0 ? `(${printedDefinitions.join(', ')})` : ''} ${draft.selection.toString()}`
    : merge
      ? `query(${[...merge.arguments.map(({ name, type }) => `$${mergeVariable(name)}: ${type}`), ...printedDefinitions].join(', ')}) { _entities: ${merge.fieldName}(${merge.arguments.map(({ name }) => `${name}: $${mergeVariable(name)}`).join(', ')}) { ... on ${fetch.entity.typeName} ${draft.selection.toString()} } }`
      : `query(${['$representations: [_Any!]!', ...printedDefinitions].join(', ')}) { _entities(representations: $representations) { ... on ${fetch.entity.representedAs ?? fetch.entity.typeName} ${draft.selection.toString()} } }`;
  fetch.document = parse(text, { noLocation: true });
  fetch.variables = [...draft.variables];
  const renames = draft.selection.renames();
  if (renames) fetch.renames = renames;
  made.set(draft, fetch);
  fetch.children = draft.drafts.map((child) => finish(child, operation, made));
  if (draft.after.length > 0) fetch.after = draft.after.map((other) => other.fetch);
  return fetch;
}

/** The variable a `@merge` entry point's argument travels in: never one of the client's. */
export function mergeVariable(argument: string): string {
  return `__merge_${argument}`;
}

export function supergraphType(context: PlanningContext, name: string): SupergraphType {
  const info = context.supergraph.types.get(name);
  if (!info || !info.isObject) throw new NotPlannable(`${name} is not an object type of the supergraph`);
  if (context.foreignTypes.has(name)) throw new NotPlannable(`${name} is also defined by another source`);
  return info;
}

function providedBelow(provided: SelectionSetNode | undefined, name: string): SelectionSetNode | undefined {
  const field = provided?.selections.find((selection): selection is FieldNode => selection.kind === Kind.FIELD && selection.name.value === name);
  return field?.selectionSet;
}

/** What a `@provides` on an abstract field provides on one of its object types: its fields, and those of the fragments that apply. */
function providedOn(schema: GraphQLSchema, provides: SelectionSetNode | undefined, type: GraphQLObjectType): SelectionSetNode | undefined {
  if (!provides) return undefined;
  const selections: SelectionNode[] = [];
  for (const selection of provides.selections) {
    if (selection.kind === Kind.FIELD) selections.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const condition = selection.typeCondition?.name.value;
      const named = condition === undefined ? undefined : schema.getType(condition);
      if (condition === undefined || condition === type.name || (named && isAbstractType(named) && schema.isSubType(named, type)))
        selections.push(...(providedOn(schema, selection.selectionSet, type)?.selections ?? []));
    }
  }
  return { kind: Kind.SELECTION_SET, selections };
}

function countDrafts(draft: Draft): number {
  return draft.drafts.reduce((total, child) => total + countDrafts(child), 1);
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
