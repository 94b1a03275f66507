import { Kind, type ConstDirectiveNode, type DocumentNode, type EnumValueDefinitionNode } from 'graphql';

/** A subgraph as a supergraph lists it: a `join__Graph` value with its `@join__graph(name:, url:)`. */
export interface JoinGraph {
  /** The enum value, e.g. `REVIEWS`, by which the supergraph's `@join__*` directives name the subgraph. */
  value: string;
  /** The subgraph's name (`join__graph(name:)`), when given. */
  name?: string;
  /** The subgraph's URL (`join__graph(url:)`), when given; `""` when it was composed without one. */
  url?: string;
  node: EnumValueDefinitionNode;
}

/** The subgraphs of a supergraph, in the order of its `join__Graph` enum; `undefined` when it has no such enum. */
export function joinGraphs(supergraph: DocumentNode): JoinGraph[] | undefined {
  const definition = supergraph.definitions.find((candidate) => candidate.kind === Kind.ENUM_TYPE_DEFINITION && candidate.name.value === 'join__Graph');
  if (definition?.kind !== Kind.ENUM_TYPE_DEFINITION) return undefined;
  return (definition.values ?? []).map((node) => {
    const directive = node.directives?.find((candidate) => candidate.name.value === 'join__graph');
    const name = stringArgument(directive, 'name');
    const url = stringArgument(directive, 'url');
    return { value: node.name.value, ...(name === undefined ? {} : { name }), ...(url === undefined ? {} : { url }), node };
  });
}

/** A directive's string argument, e.g. `join__graph(name:)`; `undefined` when absent or not a string. */
export function stringArgument(directive: ConstDirectiveNode | undefined, name: string): string | undefined {
  const value = directive?.arguments?.find((argument) => argument.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : undefined;
}
