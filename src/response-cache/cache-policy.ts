import {
  Kind,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { fieldDeclarations, possibleObjectTypes, typesOfValue, type FieldDeclaration } from '../security/possible-types.ts';
import { WalkedSelections } from '../security/walked-selections.ts';
import type { CacheHint, CacheHints, CacheScope } from './cache-hints.ts';

/** How a query's response may be cached, whatever data it returns. */
export interface CachePolicy {
  /** Seconds; `0` is not cacheable. */
  maxAge: number;
  scope: CacheScope;
  /**
   * Whether the document reads a field that authorization rules govern by caller (`@authenticated`,
   * `@requiresScopes`): a PUBLIC entry is then shared only by callers with the same standing.
   */
  callerDependent: boolean;
}

/** What the policy needs to know about authorization, per field coordinate and return type. */
export interface CallerRules {
  /** `@authenticated` or `@requiresScopes`: the answer differs between anonymous callers and by scopes. */
  byStanding(coordinate: string, type: GraphQLNamedType): boolean;
  /** `@policy`: the answer may differ between any two callers, so the response is PRIVATE. */
  byPolicy(coordinate: string, type: GraphQLNamedType): boolean;
}

/**
 * The policy of an operation, following Apollo Server's cache-control rules: every root field and
 * every field returning an object, interface or union takes its own hint, else its type's hint,
 * else `defaultMaxAge` (or, with `inheritMaxAge`, its parent's); a scalar or enum field has no
 * maxAge of its own unless hinted. The response's maxAge is the smallest of them; it is PRIVATE
 * when any field or type it selects is.
 *
 * Hints and caller rules follow the schema, not how the query spells a selection. A field selected
 * on an interface may resolve on any implementation, and one selected on an object type is also
 * the field its interfaces declare, so the rule above is applied to every declaration of the field
 * (see `fieldDeclarations`); a field returning an interface or union may return any of its object
 * types, so it is applied once per object type, whose hint (and its interfaces') restricts the
 * returned type's. The most restrictive outcome wins: the shortest maxAge, PRIVATE over PUBLIC.
 * Apollo, deciding at run time, reads the hint of the implementation's field and of the declared
 * return type only; a hint it would read is never ignored here, and those it would not only shorten
 * or privatize the answer.
 *
 * It is computed from the document alone, counting every fragment branch and every field under
 * `@skip`/`@include`, so it never depends on the data and can be kept per document; it may be
 * shorter than what the returned data alone would allow, never longer.
 */
export function computeCachePolicy(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  hints: CacheHints,
  defaultMaxAge: number,
  rules: CallerRules,
): CachePolicy {
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION && (!operationName || definition.name?.value === operationName),
  );
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return { maxAge: 0, scope: 'PUBLIC', callerDependent: false };
  const fragments = new Map(
    document.definitions
      .filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );
  const policy: CachePolicy = { maxAge: Number.POSITIVE_INFINITY, scope: 'PUBLIC', callerDependent: false };

  // A selection set met again on the same type (a fragment spread twice, or a fragment spreading
  // another twice) can only restrict the policy as it already did: each is walked once.
  const walked = new WalkedSelections();
  const walk = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType, atRoot: boolean): void => {
    if (!walked.first(selectionSet, atRoot ? `${parent.name} root` : parent.name)) return;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (isCompositeType(type)) walk(selection.selectionSet, type, atRoot);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        const type = fragment && schema.getType(fragment.typeCondition.name.value);
        if (fragment && isCompositeType(type)) walk(fragment.selectionSet, type, atRoot);
      } else if (!selection.name.value.startsWith('__') && (isObjectType(parent) || isInterfaceType(parent))) {
        const field = parent.getFields()[selection.name.value];
        if (!field) continue;
        for (const declaration of fieldDeclarations(schema, parent, field.name))
          restrict(policy, declarationPolicy(schema, declaration, { hints, rules, defaultMaxAge, atRoot }));
        const named = getNamedType(field.type);
        if (selection.selectionSet && isCompositeType(named)) walk(selection.selectionSet, named, false);
      }
    }
  };
  walk(operation.selectionSet, root, true);
  return { ...policy, maxAge: Number.isFinite(policy.maxAge) ? policy.maxAge : 0 };
}

/** What one declaration of a selected field needs to know besides the schema. */
interface DeclarationContext {
  hints: CacheHints;
  rules: CallerRules;
  defaultMaxAge: number;
  /** Whether the field is a root field, which takes `defaultMaxAge` even when it returns a scalar. */
  atRoot: boolean;
}

/**
 * The policy one declaration of a field imposes: Apollo's rule once per object type the field may
 * return (once for a scalar or enum), the shortest of them; and the caller rules of the field and
 * of every type its value may be. `maxAge` is infinite when the field has none of its own.
 */
function declarationPolicy(schema: GraphQLSchema, { type, field }: FieldDeclaration, { hints, rules, defaultMaxAge, atRoot }: DeclarationContext): CachePolicy {
  const coordinate = `${type.name}.${field.name}`;
  const named = getNamedType(field.type);
  const ofField = hints.fields.get(coordinate) ?? {};
  const returned = isCompositeType(named) ? typeHints(schema, hints, named) : [{}];
  let maxAge = Number.POSITIVE_INFINITY;
  let scope: CacheScope = ofField.scope === 'PRIVATE' ? 'PRIVATE' : 'PUBLIC';
  for (const ofType of returned) {
    const hint = fieldHint(ofField, ofType);
    maxAge = Math.min(maxAge, hint.maxAge ?? ((isCompositeType(named) && !hint.inheritMaxAge) || atRoot ? defaultMaxAge : Number.POSITIVE_INFINITY));
    if (hint.scope === 'PRIVATE') scope = 'PRIVATE';
  }
  const types: readonly GraphQLNamedType[] = isCompositeType(named) ? typesOfValue(schema, named) : [named];
  if (types.some((candidate) => rules.byPolicy(coordinate, candidate))) scope = 'PRIVATE';
  return { maxAge, scope, callerDependent: types.some((candidate) => rules.byStanding(coordinate, candidate)) };
}

/** Narrows `policy` to what `other` allows too. */
function restrict(policy: CachePolicy, other: CachePolicy): void {
  policy.maxAge = Math.min(policy.maxAge, other.maxAge);
  if (other.scope === 'PRIVATE') policy.scope = 'PRIVATE';
  if (other.callerDependent) policy.callerDependent = true;
}

/**
 * The field's hint over its type's, as Apollo applies them: the field's `maxAge` or `scope`
 * replaces the type's, `inheritMaxAge` (on either) holds only where neither gives a maxAge, and
 * PRIVATE from either stays.
 */
function fieldHint(ofField: CacheHint, ofType: CacheHint): CacheHint {
  const maxAge = ofField.maxAge ?? ofType.maxAge;
  return {
    ...(maxAge === undefined ? {} : { maxAge }),
    ...(ofType.scope === 'PRIVATE' || ofField.scope === 'PRIVATE' ? { scope: 'PRIVATE' } : {}),
    ...(maxAge === undefined && (ofField.inheritMaxAge || ofType.inheritMaxAge) ? { inheritMaxAge: true } : {}),
  };
}

/**
 * The hint of a field's return type, once per object type it may return (itself for an object
 * type): the return type's own hint, as Apollo reads it, restricted by the object type's and its
 * interfaces' (the shortest maxAge, PRIVATE if any is). Only the return type's own `inheritMaxAge`
 * counts: the others may restrict, never relax.
 */
function typeHints(schema: GraphQLSchema, hints: CacheHints, type: GraphQLCompositeType): CacheHint[] {
  const own = hints.types.get(type.name) ?? {};
  const objects = possibleObjectTypes(schema, type);
  if (objects.length === 0) return [own];
  return objects.map((object) =>
    restrictedBy(
      own,
      [object, ...object.getInterfaces()].filter((other) => other !== type).map((other) => hints.types.get(other.name) ?? {}),
    ),
  );
}

function restrictedBy(own: CacheHint, others: readonly CacheHint[]): CacheHint {
  const maxAges = [own, ...others].flatMap((hint) => (hint.maxAge === undefined ? [] : [hint.maxAge]));
  return {
    ...(maxAges.length > 0 ? { maxAge: Math.min(...maxAges) } : {}),
    ...([own, ...others].some((hint) => hint.scope === 'PRIVATE') ? { scope: 'PRIVATE' } : {}),
    ...(maxAges.length === 0 && own.inheritMaxAge ? { inheritMaxAge: true } : {}),
  };
}
