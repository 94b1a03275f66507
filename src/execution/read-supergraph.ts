import { joinGraphs, stringArgument } from '../sources/federation/join-graphs.ts';
import { Kind, parse, type ConstDirectiveNode, type DocumentNode, type SelectionSetNode } from 'graphql';

/** How one subgraph sees a type of the supergraph (`@join__type`). */
export interface TypeInGraph {
  /** The `@key`s this subgraph resolves the type by (`resolvable: false` ones are left out). */
  keys: SelectionSetNode[];
  /** The subgraph sees this interface as an object type (`@interfaceObject`). */
  isInterfaceObject: boolean;
  /** A graphql or rest source: the `@merge` root field it fetches objects of the type by (instead of `_entities`). */
  entry?: MergeEntry;
  /**
   * The subgraph knows objects of this type only as the `@interfaceObject` of this name (an
   * interface the type implements): it is sent them as that type, by that type's keys.
   */
  asInterface?: string;
}

/**
 * How a graphql or rest source fetches objects of a type by their keys: one call of a `@merge` root
 * field with the keys of every object at a position (`usersByIds(ids: [...])`), answered in key
 * order. The arguments are what stitching's own merge config (`key`, `argsFromKeys`) gives, so
 * both ways agree.
 */
export interface MergeEntry {
  fieldName: string;
  /** The field's arguments, each sent as a variable: `ids: [ID!]!`. */
  arguments: Array<{ name: string; type: string }>;
  /** The field's arguments for the objects of these representations (the fields of `@key(selectionSet:)`), in their order: `{ ids: [...] }`. */
  argumentsFor: (representations: readonly Record<string, unknown>[]) => Record<string, unknown>;
}

/** How one subgraph resolves a field (`@join__field`). */
export interface FieldInGraph {
  /** The subgraph only references the field (`@external`): another subgraph resolves it. */
  external: boolean;
  /** The subgraph lost the field to another one (`@override`) and keeps it only for keys. */
  usedOverridden: boolean;
  /** Progressive `@override(label:)`: which subgraph answers depends on the request. */
  overrideLabel: boolean;
  /** The progressive override's label (`percent(20)`): the overriding subgraph answers while it is active, the other one while it is not. */
  label?: string;
  /** `@override(from:)`: the subgraph this one took the field over from. */
  overrides?: string;
  /** `@requires(fields:)`: fields of the parent, resolved elsewhere, the subgraph needs first. */
  requires?: SelectionSetNode;
  /** `@provides(fields:)`: external fields of the returned type this subgraph answers on this path. */
  provides?: SelectionSetNode;
  /** The field's type in this subgraph when it differs from the supergraph's (`@join__field(type:)`), e.g. `ID!` for `ID`. */
  type?: string;
}

/** A type of the supergraph: its kind, the subgraphs that define it and how each resolves its fields. */
export interface SupergraphType {
  name: string;
  /** Object types only can be planned; interfaces and unions fall back to stitching. */
  isObject: boolean;
  /** By subgraph (source) name. */
  graphs: Map<string, TypeInGraph>;
  /** By field name; `null` when no `@join__field` names subgraphs: every subgraph of the type resolves it. */
  fields: Map<string, Map<string, FieldInGraph> | null>;
  /** Interfaces the object implements. */
  interfaces: string[];
}

/** What the query planner knows of a supergraph. */
export interface Supergraph {
  types: Map<string, SupergraphType>;
  /**
   * The object types each subgraph can return where an interface or union is expected, by the
   * abstract type's name, then the object type's: `join__implements` and `join__unionMember`.
   */
  members: Map<string, Map<string, Set<string>>>;
  /** Enum values `@inaccessible` hides from clients, by enum name: a subgraph returning one gets null. */
  hiddenEnumValues: Map<string, Set<string>>;
  /** Fields the planner leaves to stitching, by coordinate (`Order.total`), with the reason (`@computed`). */
  unplannable?: Map<string, string>;
  /** The labels of the progressive `@override`s (`percent(20)`), each once: every request decides which are active. */
  overrideLabels?: string[];
}

/**
 * Reads the `join__*` directives of a composed supergraph SDL (Federation v2, as written by
 * @theguild/federation-composition or Apollo Rover): which subgraph (named by `join__graph(name:)`,
 * the source's name) defines which type, by which keys, and which subgraph resolves which field.
 */
export function readSupergraph(document: DocumentNode): Supergraph {
  const graphNames = new Map((joinGraphs(document) ?? []).map(({ value, name }) => [value, name ?? value.toLowerCase()]));
  const graphOf = (directive: ConstDirectiveNode) => {
    const argument = directive.arguments?.find((candidate) => candidate.name.value === 'graph')?.value;
    return argument?.kind === Kind.ENUM ? graphNames.get(argument.value) : undefined;
  };

  const types = new Map<string, SupergraphType>();
  const members = new Map<string, Map<string, Set<string>>>();
  const overrideLabels = new Set<string>();
  /** Fields with a bare `@join__field`: an `@interfaceObject` resolves them for the type. */
  const viaInterface: Array<[SupergraphType, string]> = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.UNION_TYPE_DEFINITION) continue;
    for (const directive of definition.directives ?? []) {
      const graph = directive.name.value === 'join__unionMember' ? graphOf(directive) : undefined;
      const member = stringArgument(directive, 'member');
      if (graph && member) addMember(members, definition.name.value, member, graph);
    }
  }
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.INTERFACE_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION)
      continue;
    const type: SupergraphType = types.get(definition.name.value) ?? {
      name: definition.name.value,
      isObject: definition.kind !== Kind.INTERFACE_TYPE_DEFINITION,
      graphs: new Map(),
      fields: new Map(),
      interfaces: [],
    };
    types.set(type.name, type);
    type.interfaces.push(...(definition.interfaces ?? []).map((node) => node.name.value));
    for (const directive of definition.directives ?? []) {
      const implemented = directive.name.value === 'join__implements' ? stringArgument(directive, 'interface') : undefined;
      const implementer = implemented === undefined ? undefined : graphOf(directive);
      if (implemented !== undefined && implementer) addMember(members, implemented, type.name, implementer);
      if (directive.name.value !== 'join__type') continue;
      const graph = graphOf(directive);
      if (!graph) continue;
      const inGraph = type.graphs.get(graph) ?? { keys: [], isInterfaceObject: false };
      type.graphs.set(graph, inGraph);
      const key = stringArgument(directive, 'key');
      if (key !== undefined && booleanArgument(directive, 'resolvable') !== false) inGraph.keys.push(fieldSet(key));
      if (booleanArgument(directive, 'isInterfaceObject') === true) inGraph.isInterfaceObject = true;
    }
    for (const field of definition.fields ?? []) {
      const joins = (field.directives ?? []).filter((directive) => directive.name.value === 'join__field');
      if (joins.length === 1 && !joins[0]?.arguments?.length && type.isObject) {
        type.fields.set(field.name.value, new Map());
        viaInterface.push([type, field.name.value]);
        continue;
      }
      if (joins.length === 0 || joins.some((directive) => !graphOf(directive))) {
        type.fields.set(field.name.value, null);
        continue;
      }
      const byGraph = new Map<string, FieldInGraph>();
      for (const directive of joins) {
        const requires = stringArgument(directive, 'requires');
        const provides = stringArgument(directive, 'provides');
        const typeInGraph = stringArgument(directive, 'type');
        const label = stringArgument(directive, 'overrideLabel');
        const overrides = stringArgument(directive, 'override');
        if (label !== undefined) overrideLabels.add(label);
        byGraph.set(graphOf(directive) as string, {
          external: booleanArgument(directive, 'external') === true,
          usedOverridden: booleanArgument(directive, 'usedOverridden') === true,
          overrideLabel: label !== undefined,
          ...(label !== undefined ? { label } : {}),
          ...(overrides !== undefined ? { overrides } : {}),
          ...(requires ? { requires: fieldSet(requires) } : {}),
          ...(provides ? { provides: fieldSet(provides) } : {}),
          ...(typeInGraph ? { type: typeInGraph } : {}),
        });
      }
      type.fields.set(field.name.value, byGraph);
    }
  }
  for (const [type, field] of viaInterface) joinInterfaceObjects(types, type, field);
  const hiddenEnumValues = new Map<string, Set<string>>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION) continue;
    const hidden = (definition.values ?? [])
      .filter((value) => value.directives?.some((directive) => directive.name.value === 'inaccessible'))
      .map((value) => value.name.value);
    if (hidden.length > 0) hiddenEnumValues.set(definition.name.value, new Set(hidden));
  }
  return { types, members, hiddenEnumValues, overrideLabels: [...overrideLabels] };
}

/**
 * A field of an object type that only an `@interfaceObject` resolves (the supergraph marks it with a
 * bare `@join__field`): the interface's subgraphs that see it as an object resolve it for the type
 * too, and know its objects as the interface, by the interface's keys there.
 */
function joinInterfaceObjects(types: ReadonlyMap<string, SupergraphType>, type: SupergraphType, fieldName: string): void {
  const byGraph = type.fields.get(fieldName) as Map<string, FieldInGraph>;
  for (const name of type.interfaces) {
    const abstract = types.get(name);
    for (const [graph, field] of abstract?.fields.get(fieldName) ?? []) {
      const inGraph = abstract?.graphs.get(graph);
      if (!inGraph?.isInterfaceObject) continue;
      byGraph.set(graph, field);
      if (!type.graphs.has(graph)) type.graphs.set(graph, { keys: inGraph.keys, isInterfaceObject: false, asInterface: name });
    }
  }
}

/** Records that a source may return an object type where an abstract type is expected. */
export function addMember(members: Supergraph['members'], abstract: string, object: string, graph: string): void {
  const byObject = members.get(abstract) ?? new Map<string, Set<string>>();
  members.set(abstract, byObject.set(object, (byObject.get(object) ?? new Set<string>()).add(graph)));
}

/**
 * Whether a subgraph answers a field of a type itself (not external, not overridden away). A field
 * every subgraph of the type defines is not answered by one that knows the type only as an
 * `@interfaceObject`, except the fields of its keys (another field there may be `@external`). A progressive
 * `@override` is decided by the request's active `labels`; without them, neither subgraph answers it.
 */
export function resolvesField(type: SupergraphType, fieldName: string, graph: string, labels?: ReadonlySet<string>): boolean {
  const fields = type.fields.get(fieldName);
  if (fields === undefined) return false;
  if (fields === null) {
    const inGraph = type.graphs.get(graph);
    if (!inGraph || inGraph.asInterface !== undefined) return false;
    return (
      !inGraph.isInterfaceObject || inGraph.keys.some((key) => key.selections.some((field) => field.kind === Kind.FIELD && field.name.value === fieldName))
    );
  }
  const field = fields.get(graph);
  if (field === undefined || field.external || field.usedOverridden) return false;
  if (field.label === undefined) return !field.overrideLabel;
  return labels !== undefined && labels.has(field.label) === (field.overrides !== undefined);
}

/** The label of a progressive `@override` of the field, if it has one. */
export function overrideLabelOf(type: SupergraphType, fieldName: string): string | undefined {
  for (const field of type.fields.get(fieldName)?.values() ?? []) if (field.label !== undefined) return field.label;
  return undefined;
}

/** The `@requires` of a field in a subgraph, if any. */
export function requiresOf(type: SupergraphType, fieldName: string, graph: string): SelectionSetNode | undefined {
  return type.fields.get(fieldName)?.get(graph)?.requires;
}

/** A field set (`"id sku"`, `"{ id }"`) as a selection set. */
export function fieldSet(fields: string): SelectionSetNode {
  const text = fields.trim().startsWith('{') ? fields : `{ ${fields} }`;
  const operation = parse(text, { noLocation: true }).definitions[0];
  if (operation?.kind !== Kind.OPERATION_DEFINITION) throw new Error(`not a field set: ${fields}`);
  return operation.selectionSet;
}

function booleanArgument(directive: ConstDirectiveNode, name: string): boolean | undefined {
  const value = directive.arguments?.find((argument) => argument.name.value === name)?.value;
  return value?.kind === Kind.BOOLEAN ? value.value : undefined;
}
