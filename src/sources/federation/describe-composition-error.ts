import {
  isTypeDefinitionNode,
  isTypeExtensionNode,
  type ASTNode,
  type DocumentNode,
  type EnumValueDefinitionNode,
  type FieldDefinitionNode,
  type GraphQLError,
  type InputValueDefinitionNode,
  type TypeDefinitionNode,
  type TypeExtensionNode,
} from 'graphql';

/** A subgraph as it went into composition. */
export interface ComposedSubgraph {
  name: string;
  typeDefs: DocumentNode;
}

/** A composition error as a problem line, and the subgraphs it is about (to group the lines by). */
export interface CompositionProblem {
  subgraphs: string[];
  problem: string;
}

/** The directive an error code is about, for messages that do not name it. */
const directiveOfCode: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(INTERFACE_)?KEY_|^NO_KEY$/, '@key'],
  [/^REQUIRES_/, '@requires'],
  [/^PROVIDES_/, '@provides'],
  [/^EXTERNAL_|^MERGED_DIRECTIVE_APPLICATION_ON_EXTERNAL$/, '@external'],
  [/^OVERRIDE_/, '@override'],
  [/^INVALID_FIELD_SHARING$|^INVALID_SHAREABLE_USAGE$/, '@shareable'],
  [/^INTERFACE_OBJECT_/, '@interfaceObject'],
  [/INACCESSIBLE/, '@inaccessible'],
  [/LINK_/, '@link'],
  [/^CONTEXT|CONTEXTUAL/, '@context'],
  [/^LIST_SIZE_/, '@listSize'],
  [/COST_/, '@cost'],
];

/** `On field "Product.weight", for @requires(fields: "weight"): ...`: the coordinate and the directive with its arguments. */
const located = /^On (?:\w+ )*"([^"]+)", for (@\w+(?:\((?:[^")]|"(?:[^"\\]|\\.)*")*\))?): /;

/**
 * Words a composition error from `@theguild/federation-composition` as
 * `sources.<name>: <directive> on <Type.field>: <message> (<CODE>)`. The subgraph is the error's
 * `subgraphName` (or its `[name]` prefix), else every subgraph the message quotes; the directive and
 * coordinate come from the message, else from the code and from where the error points in the
 * subgraph's SDL.
 */
export function describeCompositionError(error: GraphQLError, subgraphs: readonly ComposedSubgraph[]): CompositionProblem {
  const names = subgraphs.map((subgraph) => subgraph.name);
  const prefixed = /^\[([^\]]+)\] ([\s\S]*)$/.exec(error.message);
  const own = [error.extensions['subgraphName'], prefixed?.[1]].find((name): name is string => typeof name === 'string' && names.includes(name));
  let message = prefixed && prefixed[1] === own ? (prefixed[2] ?? '') : error.message;
  const about = own ? [own] : names.filter((name) => message.includes(`"${name}"`));
  const code = typeof error.extensions['code'] === 'string' ? error.extensions['code'] : undefined;
  const at = located.exec(message);
  if (at) message = message.slice(at[0].length);
  const directive = at?.[2] ?? directiveOfCode.find(([pattern]) => code !== undefined && pattern.test(code))?.[1];
  const typeDefs = subgraphs.find((subgraph) => subgraph.name === own)?.typeDefs;
  const coordinate =
    at?.[1] ?? quotedCoordinate(message) ?? (typeDefs && error.positions?.[0] !== undefined ? coordinateAt(typeDefs, error.positions[0]) : undefined);
  const subject = [directive, coordinate].filter(Boolean).join(' on ');
  const prefix = about.length > 0 ? about.map((name) => `sources.${name}`).join(', ') : 'federation';
  return { subgraphs: about, problem: `${prefix}: ${subject ? `${subject}: ` : ''}${message}${code ? ` (${code})` : ''}` };
}

/**
 * The problems of a failed composition, grouped by subgraph in the order the config lists them
 * (problems about several subgraphs after those of the first of them).
 */
export function describeCompositionErrors(errors: readonly GraphQLError[], subgraphs: readonly ComposedSubgraph[]): string[] {
  const names = subgraphs.map((subgraph) => subgraph.name);
  const rank = ({ subgraphs: about }: CompositionProblem) =>
    (about.length === 0 ? names.length : Math.min(...about.map((name) => names.indexOf(name)))) * (names.length + 1) + about.length;
  return errors
    .map((error) => describeCompositionError(error, subgraphs))
    .sort((a, b) => rank(a) - rank(b))
    .map(({ problem }) => problem);
}

/** The first `"Type.field"` (or `"Type"` after the word type) a message quotes. */
function quotedCoordinate(message: string): string | undefined {
  return /"([A-Za-z_]\w*\.[A-Za-z_]\w*)"/.exec(message)?.[1] ?? /\b[Tt]ype "([A-Za-z_]\w*)"/.exec(message)?.[1];
}

/** The type, or `Type.field`, whose definition holds a character offset of the subgraph's SDL. */
function coordinateAt(document: DocumentNode, offset: number): string | undefined {
  const holds = (node: ASTNode) => node.loc !== undefined && node.loc.start <= offset && offset < node.loc.end;
  const definition = document.definitions.find(
    (candidate): candidate is TypeDefinitionNode | TypeExtensionNode => (isTypeDefinitionNode(candidate) || isTypeExtensionNode(candidate)) && holds(candidate),
  );
  if (!definition) return undefined;
  const members: readonly (FieldDefinitionNode | InputValueDefinitionNode | EnumValueDefinitionNode)[] =
    ('fields' in definition ? definition.fields : 'values' in definition ? definition.values : undefined) ?? [];
  const member = members.find(holds);
  return member ? `${definition.name.value}.${member.name.value}` : definition.name.value;
}
