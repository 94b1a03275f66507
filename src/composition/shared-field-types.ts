import type { MergeFieldConfigCandidate } from '@graphql-tools/stitch';
import {
  GraphQLList,
  GraphQLNonNull,
  Kind,
  getNamedType,
  parseType,
  print,
  type ConstDirectiveNode,
  type DefinitionNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type GraphQLFieldConfig,
  type GraphQLNamedOutputType,
  type GraphQLOutputType,
  type TypeNode,
} from 'graphql';
import { joinGraphs } from '../sources/federation/join-graphs.ts';

/** A subgraph as composition takes it: its name and SDL. */
export interface SubgraphDefinition {
  name: string;
  typeDefs: DocumentNode;
}

/**
 * Completes a supergraph where a field several subgraphs define returns a different named type in
 * each (`Query.book: Book` in one, the interface `Media` Book implements in another), as Apollo's
 * composition writes it: the field returns the most general of the types (outputs widen: the
 * interface or union, nullable where one subgraph is), and every subgraph's own type is in its
 * `@join__field(type:)`, by which the query planner and stitching select only what each subgraph
 * has. @theguild/federation-composition 0.27 keeps the first or most nullable type and, on root
 * fields, no `@join__field` at all. Fields whose types are incompatible are left as they are.
 */
export function widenSharedFieldTypes(supergraph: DocumentNode, subgraphs: readonly SubgraphDefinition[]): DocumentNode {
  const graphValues = new Map((joinGraphs(supergraph) ?? []).map(({ value, name }) => [name ?? value.toLowerCase(), value]));
  const typesIn = subgraphs.map(({ name, typeDefs }) => ({ graph: graphValues.get(name), fields: fieldTypes(typeDefs) }));
  const supertypes = supertypesOf(supergraph);
  const definitions = supergraph.definitions.map((definition): DefinitionNode => {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.INTERFACE_TYPE_DEFINITION) return definition;
    const fields = definition.fields?.map((field) => {
      const byGraph = typesIn.flatMap(({ graph, fields }) => {
        const type = fields.get(`${definition.name.value}.${field.name.value}`);
        return graph && type ? [[graph, type] as const] : [];
      });
      if (new Set(byGraph.map(([, type]) => namedOf(type))).size < 2) return field;
      const widest = byGraph.map(([, type]) => type).reduce<TypeNode | undefined>((wide, type) => wide && widen(wide, type, supertypes), byGraph[0]?.[1]);
      return widest ? withJoinTypes(field, widest, byGraph) : field;
    });
    return { ...definition, ...(fields ? { fields } : {}) };
  });
  return { ...supergraph, definitions };
}

/** How stitching merges the definitions several subschemas give of one field. */
export type FieldConfigMerger = (candidates: MergeFieldConfigCandidate[]) => GraphQLFieldConfig<unknown, Record<string, unknown>>;

/**
 * Stitching's field merger for a supergraph's subgraphs, where a shared field whose named type
 * differs per subgraph returns the supergraph's type: federation's own merger keeps the last
 * subgraph's type on root fields (`Query.book: Book` where the supergraph says `Media`), and the
 * gateway's schema would then refuse `book { ... on Movie { minutes } }`.
 */
export function withSupergraphFieldTypes(merge: FieldConfigMerger, supergraph: DocumentNode): FieldConfigMerger {
  const types = new Map<string, TypeNode>();
  for (const definition of supergraph.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
    for (const field of definition.fields ?? []) types.set(`${definition.name.value}.${field.name.value}`, field.type);
  }
  return (candidates) => {
    const merged = merge(candidates);
    const named = candidates.map((candidate) => getNamedType(candidate.fieldConfig.type));
    const first = candidates[0];
    const type = first && new Set(named.map(({ name }) => name)).size > 1 ? types.get(`${first.type.name}.${first.fieldName}`) : undefined;
    const widest = type && named.find(({ name }) => name === namedOf(type));
    return type && widest ? { ...merged, type: wrapped(type, widest) } : merged;
  };
}

/** A named type wrapped in the lists and non-nulls a type reference says. */
function wrapped(type: TypeNode, named: GraphQLNamedOutputType): GraphQLOutputType {
  if (type.kind === Kind.NON_NULL_TYPE) return new GraphQLNonNull(wrapped(type.type, named) as Exclude<GraphQLOutputType, GraphQLNonNull<never>>);
  if (type.kind === Kind.LIST_TYPE) return new GraphQLList(wrapped(type.type, named));
  return named;
}

/** Each subgraph field's type by coordinate (`Query.book`), extensions included. */
function fieldTypes(typeDefs: DocumentNode): Map<string, TypeNode> {
  const types = new Map<string, TypeNode>();
  for (const definition of typeDefs.definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      definition.kind !== Kind.INTERFACE_TYPE_EXTENSION
    )
      continue;
    for (const field of definition.fields ?? []) types.set(`${definition.name.value}.${field.name.value}`, field.type);
  }
  return types;
}

/** The abstract types each named type belongs to in the supergraph: the interfaces it implements, the unions it is a member of. */
function supertypesOf(supergraph: DocumentNode): Map<string, Set<string>> {
  const supertypes = new Map<string, Set<string>>();
  const add = (type: string, abstract: string) => supertypes.set(type, (supertypes.get(type) ?? new Set()).add(abstract));
  for (const definition of supergraph.definitions) {
    if (definition.kind === Kind.UNION_TYPE_DEFINITION) for (const member of definition.types ?? []) add(member.name.value, definition.name.value);
    if (definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.INTERFACE_TYPE_DEFINITION)
      for (const implemented of definition.interfaces ?? []) add(definition.name.value, implemented.name.value);
  }
  return supertypes;
}

/** The more general of two output types of one field (`Media` for `Book!` and `Media`), or `undefined` when neither is a subtype of the other. */
function widen(a: TypeNode, b: TypeNode, supertypes: ReadonlyMap<string, ReadonlySet<string>>): TypeNode | undefined {
  if (a.kind === Kind.NON_NULL_TYPE && b.kind === Kind.NON_NULL_TYPE) {
    const inner = widen(a.type, b.type, supertypes);
    return inner && inner.kind !== Kind.NON_NULL_TYPE ? { kind: Kind.NON_NULL_TYPE, type: inner } : inner;
  }
  if (a.kind === Kind.NON_NULL_TYPE) return widen(a.type, b, supertypes);
  if (b.kind === Kind.NON_NULL_TYPE) return widen(a, b.type, supertypes);
  if (a.kind === Kind.LIST_TYPE || b.kind === Kind.LIST_TYPE) {
    if (a.kind !== Kind.LIST_TYPE || b.kind !== Kind.LIST_TYPE) return undefined;
    const inner = widen(a.type, b.type, supertypes);
    return inner && { kind: Kind.LIST_TYPE, type: inner };
  }
  if (a.name.value === b.name.value || supertypes.get(b.name.value)?.has(a.name.value)) return a;
  return supertypes.get(a.name.value)?.has(b.name.value) ? b : undefined;
}

/** The field returning the widest type, with each subgraph's own type in its `@join__field(type:)`. */
function withJoinTypes(field: FieldDefinitionNode, widest: TypeNode, byGraph: ReadonlyArray<readonly [string, TypeNode]>): FieldDefinitionNode {
  const joins = (field.directives ?? []).filter((directive) => directive.name.value === 'join__field');
  // A bare @join__field (an @interfaceObject's field on an implementation) is left alone.
  if (joins.some((directive) => !directive.arguments?.some((argument) => argument.name.value === 'graph'))) return field;
  const typeOf = new Map(byGraph.map(([graph, type]) => [graph, print(type)]));
  const withType = (directive: ConstDirectiveNode, graph: string): ConstDirectiveNode => ({
    ...directive,
    arguments: [
      ...(directive.arguments ?? []).filter((argument) => argument.name.value !== 'type'),
      { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'type' }, value: { kind: Kind.STRING, value: typeOf.get(graph) ?? print(widest) } },
    ],
  });
  const directives =
    joins.length > 0
      ? (field.directives ?? []).map((directive) => {
          const graph = directive.name.value === 'join__field' ? directive.arguments?.find((argument) => argument.name.value === 'graph')?.value : undefined;
          return graph?.kind === Kind.ENUM ? withType(directive, graph.value) : directive;
        })
      : [...(field.directives ?? []), ...byGraph.map(([graph]) => withType(joinField(graph), graph))];
  return { ...field, type: parseType(print(widest), { noLocation: true }), directives };
}

function joinField(graph: string): ConstDirectiveNode {
  return {
    kind: Kind.DIRECTIVE,
    name: { kind: Kind.NAME, value: 'join__field' },
    arguments: [{ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'graph' }, value: { kind: Kind.ENUM, value: graph } }],
  };
}

function namedOf(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedOf(type.type);
}
