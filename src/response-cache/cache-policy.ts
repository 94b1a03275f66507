import {
  Kind,
  getNamedType,
  isAbstractType,
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
 * It is computed from the document alone, counting every fragment branch and every field under
 * `@skip`/`@include`, so it never depends on the data and can be kept per document; it may be
 * shorter than what the returned data alone would allow, never longer.
 */
export function computeCachePolicy(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, hints: CacheHints, defaultMaxAge: number, rules: CallerRules): CachePolicy {
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION && (!operationName || definition.name?.value === operationName),
  );
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return { maxAge: 0, scope: 'PUBLIC', callerDependent: false };
  const fragments = new Map(document.definitions.filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION).map((fragment) => [fragment.name.value, fragment]));
  let maxAge = Number.POSITIVE_INFINITY;
  let scope: CacheScope = 'PUBLIC';
  let callerDependent = false;

  const walk = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType, atRoot: boolean, seen: ReadonlySet<string>): void => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (isCompositeType(type)) walk(selection.selectionSet, type, atRoot, seen);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        const type = fragment && schema.getType(fragment.typeCondition.name.value);
        if (fragment && isCompositeType(type) && !seen.has(fragment.name.value)) walk(fragment.selectionSet, type, atRoot, new Set([...seen, fragment.name.value]));
      } else if (!selection.name.value.startsWith('__') && (isObjectType(parent) || isInterfaceType(parent))) {
        const field = parent.getFields()[selection.name.value];
        if (!field) continue;
        const named = getNamedType(field.type);
        const coordinate = `${parent.name}.${field.name}`;
        const hint = fieldHint(schema, hints, coordinate, named);
        const own = hint.maxAge ?? ((isCompositeType(named) && !hint.inheritMaxAge) || atRoot ? defaultMaxAge : undefined);
        if (own !== undefined) maxAge = Math.min(maxAge, own);
        if (hint.scope === 'PRIVATE' || rules.byPolicy(coordinate, named)) scope = 'PRIVATE';
        if (rules.byStanding(coordinate, named)) callerDependent = true;
        if (selection.selectionSet && isCompositeType(named)) walk(selection.selectionSet, named, false, seen);
      }
    }
  };
  walk(operation.selectionSet, root, true, new Set());
  return { maxAge: Number.isFinite(maxAge) ? maxAge : 0, scope, callerDependent };
}

/** The field's hint over its type's: a field's `maxAge` or `scope` replaces the type's, and PRIVATE from either stays. */
function fieldHint(schema: GraphQLSchema, hints: CacheHints, coordinate: string, type: GraphQLNamedType): CacheHint {
  const ofType = isCompositeType(type) ? typeHint(schema, hints, type) : {};
  const ofField = hints.fields.get(coordinate) ?? {};
  const maxAge = ofField.maxAge ?? (ofField.inheritMaxAge ? undefined : ofType.maxAge);
  return {
    ...(maxAge === undefined ? {} : { maxAge }),
    ...(ofType.scope === 'PRIVATE' || ofField.scope === 'PRIVATE' ? { scope: 'PRIVATE' } : {}),
    ...(ofField.inheritMaxAge || (ofField.maxAge === undefined && ofType.inheritMaxAge) ? { inheritMaxAge: true } : {}),
  };
}

/**
 * A type's hint. An interface or union without a maxAge of its own takes the shortest of its
 * possible types' when every one has one (whichever comes back, its hint is respected), and is
 * PRIVATE when any possible type is.
 */
function typeHint(schema: GraphQLSchema, hints: CacheHints, type: GraphQLCompositeType): CacheHint {
  const own = hints.types.get(type.name) ?? {};
  if (!isAbstractType(type)) return own;
  const possible = schema.getPossibleTypes(type).map((member) => hints.types.get(member.name) ?? {});
  const maxAges = possible.map((hint) => hint.maxAge);
  const maxAge = own.maxAge ?? (maxAges.length > 0 && maxAges.every((value) => value !== undefined) ? Math.min(...(maxAges as number[])) : undefined);
  return {
    ...own,
    ...(maxAge === undefined ? {} : { maxAge }),
    ...(own.scope === 'PRIVATE' || possible.some((hint) => hint.scope === 'PRIVATE') ? { scope: 'PRIVATE' } : {}),
  };
}
