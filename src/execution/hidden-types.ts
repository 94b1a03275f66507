import { Kind, type SelectionSetNode } from 'graphql';
import { NotPlannable } from './collect-fields.ts';
import type { PlanningContext } from './plan-operation.ts';
import type { Supergraph } from './read-supergraph.ts';

/**
 * Types `@inaccessible` hides from clients are still the subgraphs' business: a key or a
 * `@requires` the plan fetches for a subgraph selects on them too, and a representation carries
 * their fields. The public schema has no such type, so the planner knows them by name only, from
 * the supergraph's `join__implements` and `join__unionMember`.
 */

/** The object types of an interface or union that `@inaccessible` hides (those `graph` returns there, when given). */
export function hiddenMembers(context: PlanningContext, abstract: string, graph?: string): string[] {
  const members = context.supergraph.members.get(abstract);
  if (!members) return [];
  return [...members].flatMap(([name, graphs]) => (context.hiddenTypes.has(name) && (graph === undefined || graphs.has(graph)) ? [name] : []));
}

/**
 * The fields a key's or `@requires`'s selection sets select on a hidden object type, fragments
 * applied by the supergraph's interfaces and unions: leaves only, by name.
 */
export function hiddenFields(supergraph: Supergraph, typeName: string, selectionSets: readonly SelectionSetNode[], fields = new Set<string>()): Set<string> {
  for (const selectionSet of selectionSets) {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.selectionSet) throw new NotPlannable(`a key or @requires selects below a field of ${typeName}, which @inaccessible hides`);
        fields.add(selection.name.value);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition?.name.value;
        if (condition === undefined || condition === typeName || supergraph.members.get(condition)?.has(typeName))
          hiddenFields(supergraph, typeName, [selection.selectionSet], fields);
      } else throw new NotPlannable('a named fragment in a field set');
    }
  }
  return fields;
}
