import { Kind, isUnionType, type FieldNode, type FragmentDefinitionNode, type GraphQLObjectType, type GraphQLSchema, type SelectionSetNode } from 'graphql';

/** The operation can't be planned; the gateway executes it through stitching instead. */
export class NotPlannable extends Error {}

/**
 * The fields a selection selects on one concrete object type, by response key in document order,
 * fragments inlined (graphql-js's CollectFields without `@skip`/`@include`: a selection carrying any
 * directive is not planned, since the plan is shared by every request of the document).
 */
export function collectFields(
  schema: GraphQLSchema,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  type: GraphQLObjectType,
  selectionSets: readonly SelectionSetNode[],
): Map<string, FieldNode[]> {
  const fields = new Map<string, FieldNode[]>();
  const visit = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.directives && selection.directives.length > 0) throw new NotPlannable(`a selection has directives (@${selection.directives[0]?.name.value})`);
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const nodes = fields.get(key);
        if (nodes) nodes.push(selection);
        else fields.set(key, [selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (!selection.typeCondition || applies(schema, type, selection.typeCondition.name.value)) visit(selection.selectionSet);
      } else {
        const fragment = fragments[selection.name.value];
        if (fragment && applies(schema, type, fragment.typeCondition.name.value)) visit(fragment.selectionSet);
      }
    }
  };
  for (const selectionSet of selectionSets) visit(selectionSet);
  return fields;
}

/** The sub-selections of every node of one response key, merged. */
export function subSelections(nodes: readonly FieldNode[]): SelectionSetNode[] {
  return nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
}

function applies(schema: GraphQLSchema, type: GraphQLObjectType, condition: string): boolean {
  if (condition === type.name) return true;
  if (type.getInterfaces().some((candidate) => candidate.name === condition)) return true;
  const named = schema.getType(condition);
  return isUnionType(named) && named.getTypes().includes(type);
}
