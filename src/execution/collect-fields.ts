import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  getDirectiveValues,
  isObjectType,
  isUnionType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';

/** The operation can't be planned; the gateway executes it through stitching instead. */
export class NotPlannable extends Error {}

/** What collecting fields needs of an operation: its fragments, and the (coerced) variables `@skip` and `@include` read. */
export interface OperationScope {
  fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  variables: Readonly<Record<string, unknown>>;
  /** Enum values `@inaccessible` hides, by enum name: a subgraph returning one gets null there, as for a missing value. */
  hiddenEnumValues?: ReadonlyMap<string, ReadonlySet<string>>;
  /** Object types of the supergraph `@inaccessible` hides: an object of one where an interface or union is expected is null, as for a missing value. */
  hiddenTypes?: ReadonlySet<string>;
  /**
   * The progressive `@override` labels active for this request (see `decideOverrideLabels`); plans
   * differ by them. `undefined`: not decided, and an operation a label would decide is not planned.
   */
  overrideLabels?: ReadonlySet<string>;
}

/**
 * The fields a selection selects on one concrete object type (or on an interface itself: the
 * fragments on it and its own interfaces), by response key in document order, fragments inlined,
 * `@skip` and `@include` applied (graphql-js's CollectFields). Any other directive on a selection
 * makes the operation not plannable.
 */
export function collectFields(
  schema: GraphQLSchema,
  scope: OperationScope,
  type: GraphQLObjectType | GraphQLInterfaceType,
  selectionSets: readonly SelectionSetNode[],
): Map<string, FieldNode[]> {
  const { fragments } = scope;
  const fields = new Map<string, FieldNode[]>();
  // A named fragment is collected once however often it is spread (the spec's visitedFragments):
  // fragments spreading the next one twice would otherwise repeat its fields 2^depth times.
  const visited = new Set<string>();
  const visit = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (!included(schema, selection, scope.variables)) continue;
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const nodes = fields.get(key);
        if (nodes) nodes.push(selection);
        else fields.set(key, [selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (!selection.typeCondition || applies(schema, type, selection.typeCondition.name.value)) visit(selection.selectionSet);
      } else if (!visited.has(selection.name.value)) {
        visited.add(selection.name.value);
        const fragment = fragments[selection.name.value];
        if (fragment && applies(schema, type, fragment.typeCondition.name.value)) visit(fragment.selectionSet);
      }
    }
  };
  for (const selectionSet of selectionSets) visit(selectionSet);
  return fields;
}

/**
 * Whether the selection differs by concrete type: a `__typename`, or fields some implementation
 * selects otherwise than the interface (`shapeOperation` completes the objects the same way otherwise).
 */
export function dependsOnType(onInterface: ReadonlyMap<string, readonly FieldNode[]>, byType: Iterable<ReadonlyMap<string, readonly FieldNode[]>>): boolean {
  if ([...onInterface.values()].some((keyNodes) => keyNodes[0]?.name.value === '__typename')) return true;
  for (const fields of byType) {
    if (fields.size !== onInterface.size) return true;
    for (const [key, keyNodes] of onInterface) {
      const other = fields.get(key);
      if (!other || other.length !== keyNodes.length || other.some((node, index) => node !== keyNodes[index])) return true;
    }
  }
  return false;
}

/** The sub-selections of every node of one response key, merged. */
export function subSelections(nodes: readonly FieldNode[]): SelectionSetNode[] {
  return nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
}

function included(schema: GraphQLSchema, selection: SelectionNode, variables: Readonly<Record<string, unknown>>): boolean {
  if (!selection.directives || selection.directives.length === 0) return true;
  // On a field, a directive the schema has beyond @skip and @include is one the supergraph composed: passed on to the subgraph.
  const other = selection.directives.find(
    (directive) =>
      directive.name.value !== 'skip' && directive.name.value !== 'include' && !(selection.kind === Kind.FIELD && schema.getDirective(directive.name.value)),
  );
  if (other) throw new NotPlannable(`a selection has the directive @${other.name.value}`);
  if (getDirectiveValues(GraphQLSkipDirective, selection, variables)?.['if'] === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, selection, variables)?.['if'] !== false;
}

function applies(schema: GraphQLSchema, type: GraphQLObjectType | GraphQLInterfaceType, condition: string): boolean {
  if (condition === type.name) return true;
  if (type.getInterfaces().some((candidate) => candidate.name === condition)) return true;
  const named = schema.getType(condition);
  return isUnionType(named) && isObjectType(type) && named.getTypes().includes(type);
}
