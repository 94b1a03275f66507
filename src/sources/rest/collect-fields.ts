import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  getDirectiveValues,
  isAbstractType,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { conditionVariables } from '../../execution/condition-variables.ts';

/** The fields an object's selection selects, by response key, in document order. */
export type Fields = Map<string, FieldNode[]>;

/** What collecting needs of one execution (see `executeInProcess`). */
export interface CollectRun {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  /** Collected fields by selection set and type, when no `@skip`/`@include` decides them. */
  collected: WeakMap<SelectionSetNode, Map<string, Fields>>;
}

/**
 * The fields the sub-selections of `nodes` (or the operation's selection) select on `type`,
 * fragments inlined and `@skip`/`@include` applied (graphql-js's CollectFields); remembered per
 * selection set and type for the rest of the operation when one node selects them.
 */
export function collect(run: CollectRun, type: GraphQLObjectType, nodes: readonly FieldNode[] | SelectionSetNode): Fields {
  const single = 'kind' in nodes ? nodes : nodes.length === 1 ? nodes[0]?.selectionSet : undefined;
  const known = single && run.collected.get(single)?.get(type.name);
  if (known) return known;
  const fields: Fields = new Map();
  const visited = new Set<string>();
  if ('kind' in nodes) visitSelections(run, type, nodes, fields, visited);
  else for (const node of nodes) if (node.selectionSet) visitSelections(run, type, node.selectionSet, fields, visited);
  if (single) {
    const byType = run.collected.get(single) ?? new Map<string, Fields>();
    run.collected.set(single, byType.set(type.name, fields));
  }
  return fields;
}

function visitSelections(run: CollectRun, type: GraphQLObjectType, selectionSet: SelectionSetNode, fields: Fields, visited: Set<string>): void {
  for (const selection of selectionSet.selections) {
    if (!included(run, selection)) continue;
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      const nodes = fields.get(key);
      if (nodes) nodes.push(selection);
      else fields.set(key, [selection]);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (!selection.typeCondition || applies(run.schema, type, selection.typeCondition.name.value))
        visitSelections(run, type, selection.selectionSet, fields, visited);
    } else if (!visited.has(selection.name.value)) {
      visited.add(selection.name.value);
      const fragment = run.fragments[selection.name.value];
      if (fragment && applies(run.schema, type, fragment.typeCondition.name.value)) visitSelections(run, type, fragment.selectionSet, fields, visited);
    }
  }
}

function included(run: CollectRun, selection: SelectionSetNode['selections'][number]): boolean {
  if (!selection.directives?.length) return true;
  if (getDirectiveValues(GraphQLSkipDirective, selection, run.variables)?.['if'] === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, selection, run.variables)?.['if'] !== false;
}

function applies(schema: GraphQLSchema, type: GraphQLObjectType, condition: string): boolean {
  if (condition === type.name) return true;
  const named = schema.getType(condition);
  return named !== undefined && isAbstractType(named) && schema.isSubType(named, type);
}

/**
 * Collected fields of documents whose `@skip`/`@include` read no variable, by schema: the same for
 * every request (`null`: the document's do read one).
 */
const sharedCollections = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, CollectRun['collected'] | null>>();

/**
 * Where a run keeps its collected fields (and with them {@link entriesOf}'s lists): shared by every
 * run of a document (a plan's fetch document is one object for all its requests) when collecting
 * cannot depend on the variables, else the run's own.
 */
export function collectedFor(schema: GraphQLSchema, document: DocumentNode): CollectRun['collected'] {
  let byDocument = sharedCollections.get(schema);
  if (!byDocument) sharedCollections.set(schema, (byDocument = new WeakMap()));
  let collected = byDocument.get(document);
  if (collected === undefined) byDocument.set(document, (collected = conditionVariables(document).length > 0 ? null : new WeakMap()));
  return collected ?? new WeakMap();
}
