import { Kind, getNamedType, isObjectType, type FieldNode, type GraphQLObjectType } from 'graphql';
import { collectFields, subSelections } from './collect-fields.ts';
import type { Planner } from './plan-operation.ts';

/** A share of a root field another subgraph answers too: the field as sent there, and the client's keys it fills on its objects. */
export interface RootShare {
  graph: string;
  nodes: FieldNode[];
  fields: string[];
}

/**
 * A `@shareable` root field several subgraphs answer, whose selection has fields the chosen one
 * does not resolve but another of them does: each of those subgraphs is asked for the root field
 * with its own fields, all at once, instead of entity calls after the chosen one's answer (Apollo's
 * planner does the same; a shareable root field answers the same objects everywhere). The chosen
 * subgraph keeps the other fields (entity calls from there for any no candidate resolves) and the
 * `__typename`: its answer says whether the object is there, and the others merge into it, list
 * items by position. `undefined`: nothing to share (one candidate, an abstract type, or every field
 * resolved by the chosen subgraph).
 */
export function splitSharedRoot(
  planner: Planner,
  rootType: GraphQLObjectType,
  nodes: FieldNode[],
  candidates: readonly string[],
  chosen: string,
): { chosen: FieldNode[]; shares: RootShare[] } | undefined {
  if (candidates.length < 2) return undefined;
  const field = rootType.getFields()[(nodes[0] as FieldNode).name.value];
  const named = field && getNamedType(field.type);
  if (!named || !isObjectType(named)) return undefined;
  const info = planner.context.supergraph.types.get(named.name);
  if (!info) return undefined;
  const owners = new Map<string, string>();
  const fields = collectFields(planner.context.schema, planner.scope, named, subSelections(nodes));
  for (const [key, fieldNodes] of fields) {
    const name = (fieldNodes[0] as FieldNode).name.value;
    const owner =
      name === '__typename' || planner.answersAlone(info, name, chosen)
        ? chosen
        : candidates.find((graph) => graph !== chosen && planner.answersAlone(info, name, graph));
    owners.set(key, owner ?? chosen);
  }
  const graphs = [...new Set(owners.values())].filter((graph) => graph !== chosen);
  if (graphs.length === 0) return undefined;
  const withFields = (keys: string[], typename: boolean): FieldNode[] => [
    {
      ...(nodes[0] as FieldNode),
      selectionSet: {
        kind: Kind.SELECTION_SET,
        selections: [
          ...(typename ? [{ kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } } as FieldNode] : []),
          ...keys.flatMap((key) => fields.get(key) ?? []),
        ],
      },
    },
  ];
  const keysOf = (graph: string) => [...owners].flatMap(([key, owner]) => (owner === graph ? [key] : []));
  return {
    chosen: withFields(keysOf(chosen), !fields.has('__typename')),
    shares: graphs.map((graph) => ({ graph, nodes: withFields(keysOf(graph), false), fields: keysOf(graph) })),
  };
}
