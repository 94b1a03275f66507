import { Kind, print, type FieldNode, type GraphQLObjectType, type SelectionNode, type SelectionSetNode } from 'graphql';
import { NotPlannable } from './collect-fields.ts';
import { withoutTypeSteps, type Fetch } from './fetch.ts';
import type { Draft, Planner } from './plan-operation.ts';
import { requiresOf, type SupergraphType } from './read-supergraph.ts';
import { requiredKey, type Selection } from './selection.ts';

/** One `_entities` call to make at a position: the fields it answers and what it needs first. */
interface Step {
  graph: string;
  /** By response key: the client's fields and the plan's own (under internal keys). */
  fields: Map<string, FieldNode[]>;
  /** The client's response keys among them. */
  answered: string[];
  /** The key and `@requires` fields the representation sends, each aliased by its internal key. */
  representation: FieldNode[];
  /** The steps whose answers carry fields this one needs (its key, its `@requires`). */
  deps: Set<Step>;
  /** The internal keys of its key's fields: an object with one of them null is not sent. */
  keyFields: string[];
  /**
   * Calls made to fill fields nested in its representation that the draft sourced itself (`pid` of
   * a key `products { id pid }` whose `products` the draft answers but whose `pid` another subgraph
   * does): the step waits for them, not only for its parent.
   */
  waitsFor: Set<Draft>;
}

/** Where the planner is: objects of one type, at one path, in one draft's subgraph. */
export interface Place {
  type: GraphQLObjectType;
  info: SupergraphType;
  draft: Draft;
  selection: Selection;
  path: string[];
  provided: SelectionSetNode | undefined;
}

/** More hops than this to reach a subgraph's key is a plan not worth making: stitching executes it. */
const maxDepth = 6;

/**
 * The fields of one position that its draft's subgraph does not answer (or answers only given its
 * `@requires`) become `_entities` steps. Every field a step needs (a key, a required field) is
 * "sourced": resolved by the draft itself when it can, else by another step, which the step then
 * depends on. A source is never a step that depends on the one it feeds; when every step of the
 * right subgraph does, a new call to that subgraph is made (`@requires` cycles between subgraphs).
 */
export class Position {
  private readonly steps: Step[] = [];
  private depth = 0;

  constructor(
    private readonly planner: Planner,
    private readonly at: Place,
  ) {}

  private get graph(): string {
    return this.at.draft.fetch.graph;
  }

  /** The draft's subgraph answers this field here, needing nothing else. */
  local(name: string): boolean {
    if (isProvided(this.at.provided, name)) return true;
    return this.planner.answersAlone(this.at.info, name, this.graph);
  }

  /** A client's field the draft's subgraph does not answer here. */
  placeRemotely(key: string, nodes: FieldNode[]): void {
    const name = (nodes[0] as FieldNode).name.value;
    // A step whose representation sends a field this one requires with other arguments can't be
    // shared (a representation has one `price`): then another call to the subgraph answers it.
    const conflicting = new Set<Step>();
    let step = this.stepFor(name, conflicting);
    while (this.requiresOtherwise(step, name)) {
      // A new call's representation holds its key alone: the key itself is required otherwise.
      if (step.fields.size === 0) throw new NotPlannable(`${this.at.info.name}.${name} requires a field of its key with arguments`);
      conflicting.add(step);
      step = this.stepFor(name, conflicting);
    }
    this.addToStep(step, key, nodes);
    step.answered.push(key);
  }

  /** Makes the steps into child drafts, each under the last of the steps it depends on. */
  finish(): void {
    const steps = this.steps.filter((step) => step.fields.size > 0);
    if (steps.length === 0) return;
    const { type, draft, selection, path } = this.at;
    selection.add('__typename', '__typename');
    const drafts = new Map<Step, Draft>();
    const visiting = new Set<Step>();
    const create = (step: Step): Draft => {
      const made = drafts.get(step);
      if (made) return made;
      if (visiting.has(step)) throw new NotPlannable(`${type.name}: @requires in a cycle`);
      visiting.add(step);
      const deps = [...step.deps].filter((dep) => dep.fields.size > 0).map(create);
      const parent = deps.reduce<Draft>((deepest, dep) => (depthOf(dep) > depthOf(deepest) ? dep : deepest), draft);
      const representation: SelectionSetNode = { kind: Kind.SELECTION_SET, selections: mergeFields(step.representation) };
      const { entry: merge, asInterface } = this.at.info.graphs.get(step.graph) ?? {};
      const entity = {
        typeName: type.name,
        // The implementations of an interface share one call to its @interfaceObject (below): at the
        // interface's objects, each type keeping its own keys (keysByType), not those of one type.
        path: asInterface === undefined ? path : withoutTypeSteps(path),
        representation,
        keyFields: step.keyFields,
        ...(merge ? { merge } : {}),
        ...(asInterface ? { representedAs: asInterface } : {}),
      };
      // A field the step needs from another step may have parts that step's own entity calls fill
      // (`author { yearsOfExperience }`: the author from one step, its experience from a call below
      // it): the step waits for those calls too.
      const sent = new Set(step.representation.map((field) => field.alias?.value ?? field.name.value));
      const below = deps.flatMap((dep) => descendantsOf(dep).filter((made) => made.fetch.entity?.path.some((segment) => sent.has(segment))));
      const after = [...new Set([...deps, ...step.waitsFor, ...below])].filter((dep) => dep !== parent && !isAncestor(dep, parent));
      // The implementations of an interface at one position share one call to its @interfaceObject.
      const shared = asInterface === undefined ? undefined : parent.drafts.find((other) => sameCall(other, entity, step.graph, after));
      const child = shared ?? this.planner.newDraft(step.graph, step.answered, entity, parent);
      drafts.set(step, child);
      if (shared) shared.fetch.keys.push(...step.answered.filter((key) => !shared.fetch.keys.includes(key)));
      else {
        child.after = after;
        if (asInterface !== undefined && child.fetch.entity) child.fetch.entity.keysByType = {};
        parent.drafts.push(child);
      }
      const byType = child.fetch.entity?.keysByType;
      if (byType) byType[type.name] = [...new Set([...(byType[type.name] ?? []), ...step.answered])];
      if (child.fetch.entity) this.recordRequires(child.fetch.entity, step);
      this.planner.planObject(type, step.fields, child, child.selection, path, undefined, new Set(step.fields.keys()));
      return child;
    };
    for (const step of steps) create(step);
  }

  /** Records, on the call, the internal keys of the `@requires` fields each of the step's fields needs. */
  private recordRequires(entity: NonNullable<Fetch['entity']>, step: Step): void {
    for (const [key, nodes] of step.fields) {
      const requires = requiresOf(this.at.info, (nodes[0] as FieldNode).name.value, step.graph);
      if (!requires) continue;
      entity.requires ??= {};
      entity.requires[key] = requires.selections.flatMap((field) => (field.kind === Kind.FIELD ? [requiredKey(field)] : []));
    }
  }

  /** Whether the `@requires` of `name` there need a field the step's representation sends with other arguments. */
  private requiresOtherwise(step: Step, name: string): boolean {
    const required = requiresOf(this.at.info, name, step.graph)?.selections ?? [];
    return required.some((field) => field.kind === Kind.FIELD && sendsOtherwise(step, field, requiredKey(field)));
  }

  /** A step that resolves the field and depends on none of `avoid`: an existing one, else a new one. */
  private stepFor(name: string, avoid: ReadonlySet<Step>): Step {
    const { info } = this.at;
    const graphs = this.planner.graphsResolving(info, name);
    const existing = this.steps.find((step) => graphs.includes(step.graph) && !avoid.has(step) && !dependsOnAny(step, avoid));
    if (existing) return existing;
    const direct = graphs.filter((graph) => this.directKey(graph) !== undefined);
    for (const graph of [...direct, ...graphs.filter((graph) => !direct.includes(graph))]) {
      const step = this.newStep(graph, avoid);
      if (step) return step;
    }
    throw new NotPlannable(`no subgraph can complete ${info.name}.${name} from ${this.graph}`);
  }

  /** A key of the target the draft's subgraph answers itself. */
  private directKey(target: string): SelectionSetNode | undefined {
    return entityKeys(this.at.info, target, this.graph).find((key) =>
      key.selections.every((field) => field.kind === Kind.FIELD && this.local(field.name.value)),
    );
  }

  /** A new call to the target, by a key whose fields can be had (from the draft, else from other steps). */
  private newStep(target: string, avoid: ReadonlySet<Step>): Step | undefined {
    if (this.depth >= maxDepth) return undefined;
    const direct = this.directKey(target);
    for (const key of direct ? [direct] : entityKeys(this.at.info, target, this.graph)) {
      if (!key.selections.every((field) => field.kind === Kind.FIELD)) continue;
      const step: Step = {
        graph: target,
        fields: new Map(),
        answered: [],
        representation: [],
        deps: new Set(),
        waitsFor: new Set(),
        keyFields: (key.selections as readonly FieldNode[]).map(requiredKey),
      };
      this.depth++;
      try {
        for (const field of key.selections as readonly FieldNode[]) this.need(step, field, new Set([...avoid, step]));
      } catch (error) {
        if (!(error instanceof NotPlannable)) throw error;
        continue;
      } finally {
        this.depth--;
      }
      this.steps.push(step);
      return step;
    }
    return undefined;
  }

  /** Adds a field to a step; its `@requires` there are sourced, and sent in the representation. */
  private addToStep(step: Step, key: string, nodes: FieldNode[]): void {
    const existing = step.fields.get(key);
    if (existing) {
      existing.push(...nodes);
      return;
    }
    step.fields.set(key, [...nodes]);
    const requires = requiresOf(this.at.info, (nodes[0] as FieldNode).name.value, step.graph);
    for (const required of requires?.selections ?? []) {
      if (required.kind !== Kind.FIELD) throw new NotPlannable(`${this.at.info.name}: @requires with a fragment at its top`);
      this.need(step, required, new Set([step]));
    }
  }

  /** A field the step sends in its representation: resolved by the draft, else by a step it then depends on. */
  private need(step: Step, field: FieldNode, avoid: ReadonlySet<Step>): void {
    const name = field.name.value;
    const key = requiredKey(field);
    // A representation has one value of a name (placeRemotely keeps such fields apart; a chain of `@requires` may not).
    if (sendsOtherwise(step, field, key)) throw new NotPlannable(`${this.at.info.name}.${name} is required with different arguments in one call`);
    step.representation.push({ ...this.planner.concrete(field), alias: { kind: Kind.NAME, value: key } });
    if (this.local(name)) {
      const { type, info, draft, selection, path, provided } = this.at;
      const before = new Set(descendantsOf(draft));
      this.planner.planField(type, info, key, [field], draft, selection, path, provided);
      for (const made of descendantsOf(draft)) if (!before.has(made)) step.waitsFor.add(made);
      return;
    }
    const source = this.stepFor(name, avoid);
    if (source === step) throw new NotPlannable(`${this.at.info.name}.${name} is required from the subgraph that requires it`);
    this.addToStep(source, key, [field]);
    step.deps.add(source);
  }
}

/** Whether the step's representation sends the field under another internal key: the same field with other arguments. */
function sendsOtherwise(step: Step, field: FieldNode, key: string): boolean {
  return step.representation.some((sent) => sent.name.value === field.name.value && sent.alias?.value !== key);
}

export function isProvided(provided: SelectionSetNode | undefined, name: string): boolean {
  return provided?.selections.some((selection) => selection.kind === Kind.FIELD && selection.name.value === name) ?? false;
}

/** The resolvable keys of a target subgraph, when the current one knows the type. */
function entityKeys(info: SupergraphType, target: string, current: string): SelectionSetNode[] {
  const inTarget = info.graphs.get(target);
  if (!inTarget || inTarget.isInterfaceObject || !info.graphs.has(current)) return [];
  return inTarget.keys;
}

function dependsOnAny(step: Step, avoid: ReadonlySet<Step>, seen = new Set<Step>()): boolean {
  for (const dep of step.deps) {
    if (avoid.has(dep)) return true;
    if (seen.has(dep)) continue;
    seen.add(dep);
    if (dependsOnAny(dep, avoid, seen)) return true;
  }
  return false;
}

/** Whether a draft is the call to an `@interfaceObject` another implementation would make: same subgraph, objects, representation and waits. */
function sameCall(draft: Draft, entity: NonNullable<Fetch['entity']>, graph: string, after: readonly Draft[]): boolean {
  const other = draft.fetch.entity;
  if (!other?.keysByType || draft.fetch.graph !== graph || other.representedAs !== entity.representedAs || other.path.join('.') !== entity.path.join('.'))
    return false;
  return (
    print(other.representation) === print(entity.representation) &&
    draft.after.length === after.length &&
    draft.after.every((dep, index) => dep === after[index])
  );
}

/** Every draft below one, depth first. */
function descendantsOf(draft: Draft): Draft[] {
  return draft.drafts.flatMap((child) => [child, ...descendantsOf(child)]);
}

function depthOf(draft: Draft): number {
  let depth = 0;
  for (let current = draft.parent; current; current = current.parent) depth++;
  return depth;
}

function isAncestor(candidate: Draft, of: Draft): boolean {
  for (let current: Draft | undefined = of; current; current = current.parent) if (current === candidate) return true;
  return false;
}

/** Representation fields by response key, sub-selections of one key merged. */
function mergeFields(fields: readonly FieldNode[]): SelectionNode[] {
  const byKey = new Map<string, FieldNode>();
  for (const field of fields) {
    const key = field.alias?.value ?? field.name.value;
    const present = byKey.get(key);
    byKey.set(
      key,
      present?.selectionSet && field.selectionSet
        ? { ...present, selectionSet: { kind: Kind.SELECTION_SET, selections: [...present.selectionSet.selections, ...field.selectionSet.selections] } }
        : (present ?? field),
    );
  }
  return [...byKey.values()];
}
