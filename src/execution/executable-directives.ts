import { Kind, print, type DirectiveNode, type DocumentNode, type GraphQLSchema } from 'graphql';

/** Where a client may put a directive: an executable directive has only these locations. */
const executableLocations = new Set([
  'QUERY',
  'MUTATION',
  'SUBSCRIPTION',
  'FIELD',
  'FRAGMENT_DEFINITION',
  'FRAGMENT_SPREAD',
  'INLINE_FRAGMENT',
  'VARIABLE_DEFINITION',
]);

/**
 * The names of the executable directives a supergraph composed (`@composeDirective` of a
 * directive every subgraph defines alike): clients may use them, and the subgraphs expect them passed on.
 */
export function executableDirectives(supergraph: DocumentNode): Set<string> {
  const found = new Set<string>();
  for (const definition of supergraph.definitions) {
    if (definition.kind !== Kind.DIRECTIVE_DEFINITION) continue;
    const name = definition.name.value;
    if (name.startsWith('join__') || name.startsWith('link') || name === 'inaccessible' || name === 'tag') continue;
    if (definition.locations.every((location) => executableLocations.has(location.value))) found.add(name);
  }
  return found;
}

/**
 * A client's directive on a field as a subgraph is sent it: with every argument the client left
 * out that the supergraph's definition gives a default, so a subgraph whose own definition has no
 * default (or another one) gets the value the client's schema promised.
 */
export function withDefaults(directive: DirectiveNode, schema: GraphQLSchema): DirectiveNode {
  const definition = schema.getDirective(directive.name.value);
  if (!definition) return directive;
  const given = new Set((directive.arguments ?? []).map((argument) => argument.name.value));
  const added = definition.astNode?.arguments?.filter((argument) => argument.defaultValue && !given.has(argument.name.value)) ?? [];
  if (added.length === 0) return directive;
  return {
    ...directive,
    arguments: [
      ...(directive.arguments ?? []),
      ...added.map(
        (argument) => ({ kind: Kind.ARGUMENT, name: argument.name, value: argument.defaultValue as NonNullable<typeof argument.defaultValue> }) as const,
      ),
    ],
  };
}

/** The directives to print after a field in a subgraph's document: the client's own, with defaults, but `@skip`/`@include` (applied already). */
export function passedDirectives(directives: readonly DirectiveNode[] | undefined, schema: GraphQLSchema): string {
  const passed = (directives ?? []).filter((directive) => directive.name.value !== 'skip' && directive.name.value !== 'include');
  return passed.map((directive) => ` ${print(withDefaults(directive, schema))}`).join('');
}
