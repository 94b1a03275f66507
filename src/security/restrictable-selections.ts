import {
  Kind,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { fieldDeclarations, type FieldDeclaration } from './possible-types.ts';
import type { MayRestrict } from './restrict-document.ts';

/** The answers by schema (a client's view is a schema of its own) and filter, worked out once per selection set. */
const answers = new WeakMap<GraphQLSchema, WeakMap<MayRestrict, WeakMap<SelectionSetNode, boolean>>>();

/**
 * Whether `selectionSet`, selected on `type`, holds a field at any depth (fragments included) for
 * which `mayRestrict` lets a decision be asked, on any declaration `restrictDocument` visits. When
 * it does not, every field in it is allowed whatever the request, and `restrictDocument` passes it
 * by without walking it. Remembered per schema, filter and selection set: a selection set is always
 * walked on the same type (its field's, or its fragment's condition), and a filter's answers depend
 * on the schema alone. A fragment cycle (an invalid document) counts as restrictable.
 */
export function mayRestrictWithin(
  schema: GraphQLSchema,
  selectionSet: SelectionSetNode,
  type: GraphQLCompositeType,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  mayRestrict: MayRestrict,
): boolean {
  let byFilter = answers.get(schema);
  if (!byFilter) answers.set(schema, (byFilter = new WeakMap()));
  let known = byFilter.get(mayRestrict);
  if (!known) byFilter.set(mayRestrict, (known = new WeakMap()));
  return within(schema, selectionSet, type, fragments, mayRestrict, known, new Set());
}

/**
 * Whether `mayRestrict` lets a decision be asked about a field selected on `parent`, on any of the
 * types that declare it (`restrictDocument` visits each): the one test both the walk and
 * {@link mayRestrictWithin} apply, so that a selection passed by is one the walk would allow whole.
 */
export function anyMayRestrict(declarations: readonly FieldDeclaration[], parent: GraphQLObjectType | GraphQLInterfaceType, mayRestrict: MayRestrict): boolean {
  return declarations.some(({ type, field }) => mayRestrict(type, field, type === parent));
}

function within(
  schema: GraphQLSchema,
  selectionSet: SelectionSetNode,
  parent: GraphQLCompositeType,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  mayRestrict: MayRestrict,
  known: WeakMap<SelectionSetNode, boolean>,
  open: Set<SelectionSetNode>,
): boolean {
  const answer = known.get(selectionSet);
  if (answer !== undefined) return answer;
  if (open.has(selectionSet)) return true;
  open.add(selectionSet);
  const inner = (set: SelectionSetNode, type: GraphQLCompositeType) => within(schema, set, type, fragments, mayRestrict, known, open);
  let restrictable = false;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
      restrictable = type !== undefined && isCompositeType(type) && inner(selection.selectionSet, type);
    } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = fragments.get(selection.name.value);
      const type = fragment && schema.getType(fragment.typeCondition.name.value);
      restrictable = fragment !== undefined && type !== undefined && isCompositeType(type) && inner(fragment.selectionSet, type);
    } else if (!selection.name.value.startsWith('__') && (isObjectType(parent) || isInterfaceType(parent))) {
      const field = parent.getFields()[selection.name.value];
      if (!field) continue;
      const named = getNamedType(field.type);
      restrictable =
        anyMayRestrict(fieldDeclarations(schema, parent, selection.name.value), parent, mayRestrict) ||
        (selection.selectionSet !== undefined && isCompositeType(named) && inner(selection.selectionSet, named));
    }
    if (restrictable) break;
  }
  open.delete(selectionSet);
  known.set(selectionSet, restrictable);
  return restrictable;
}
