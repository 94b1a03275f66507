import {
  Kind,
  getNamedType,
  getNullableType,
  isListType,
  isCompositeType,
  isInterfaceType,
  isNonNullType,
  isObjectType,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import { coerceOperationVariables } from '../execution/coerce-operation-variables.ts';
import { isPromise, type MaybePromise } from '../maybe-promise.ts';
import type { FieldOccurrence } from './authorization-config.ts';
import { coversType, fieldDeclarations, possibleObjectTypes } from './possible-types.ts';
import { Occurrence } from './occurrence.ts';
import { anyMayRestrict, mayRestrictWithin } from './restrictable-selections.ts';
import { WalkedSelections } from './walked-selections.ts';
import { internalAliases, rewriteRestricted } from './rewrite-restricted.ts';

export { placeholderKey } from './rewrite-restricted.ts';

/** A step of a response path: the response key, whether the field is non-null, and whether its list items are. */
export interface PathStep {
  key: string;
  nonNull: boolean;
  itemsNonNull: boolean;
}

/** Why a field was cut from the document, and where its null goes in the response. */
export interface Denial {
  path: PathStep[];
  code: 'UNAUTHENTICATED' | 'FORBIDDEN' | 'RATE_LIMITED' | 'SERVICE_UNAVAILABLE';
  message: string;
  /**
   * Set when the field was cut from a fragment that may not apply to every object at `path` (one
   * on a union member, say): a response key the gateway added to that fragment, so present on
   * exactly the objects that selected the field. Only those get the null and the error.
   */
  marker?: string;
}

/** A refusal without its place: `undefined` allows. */
export type Verdict = Omit<Denial, 'path' | 'marker'> | undefined;

/**
 * One occurrence of a field in the operation, as a decider sees it, for one type it can resolve
 * on. A field selected on an interface is visited once for the interface, then once for each
 * implementation and each interface of those that declares it (`Account.email`, `User.email`,
 * `Robot.email`), so that a rule on any of them applies; one selected on an object type, once for
 * it and once for each of its interfaces that declares it. The first refusal cuts the field.
 */
export interface FieldVisit extends FieldOccurrence {
  /** The field as `parentType` declares it. */
  field: GraphQLField<unknown, unknown>;
  node: FieldNode;
  /** The type whose field is decided (`coordinate`'s type). */
  parentType: GraphQLCompositeType;
  /** The type the field is selected on: `parentType` on an occurrence's first visit. */
  selectedOn: GraphQLCompositeType;
}

/** A decision left to the result, on the objects one field occurrence reaches. */
export interface Deferred {
  /**
   * `parent`: each object the field is selected on, whose field becomes null when refused;
   * `self`: each object the field returns, which becomes null when refused.
   */
  on: 'parent' | 'self';
  /** The type whose objects it decides: objects of other types at the same place are not decided. */
  typeName: string;
  /** Fields the decision reads on that object; the operation selects them under internal aliases. */
  requires: readonly FieldNode[];
  /** Decides one object from the values of its `requires` fields. */
  decide(values: ReadonlyMap<FieldNode, unknown>): Promise<Verdict>;
}

/** A {@link Deferred} decision placed in the operation. */
export interface ResultCheck extends Deferred {
  /** The field occurrence's response path. */
  path: PathStep[];
  /** The response key each `requires` field has on the object. */
  keys: ReadonlyMap<FieldNode, string>;
  /** Set when the objects at `path` can be of other types than `typeName`. */
  typenames?: TypenameFilter;
}

/** Which objects a {@link ResultCheck} decides, by their `__typename`. */
export interface TypenameFilter {
  /** The response key of the `__typename` the gateway added. */
  key: string;
  /** The object types decided. */
  names: ReadonlySet<string>;
  /**
   * Whether an object without `key` is decided all the same. True when every object at the path
   * passes through the selection that holds it (the key missing is then an anomaly: decide, fail
   * closed); false under a fragment on a narrower type, whose key is missing exactly on the
   * objects that fragment does not select.
   */
  decidesUnnamed: boolean;
}

/**
 * Decides one {@link FieldVisit}: a refusal, decisions left to the result, or `undefined` to allow
 * it. Synchronously when it can: the walk then makes no promise at all.
 */
export type Decide = (visit: FieldVisit) => MaybePromise<Verdict | { deferred: readonly Deferred[] }>;

/**
 * Whether a visit could be anything but allowed, from what the schema alone says of it (a rule on
 * its coordinate or on the type it returns): `false` lets {@link restrictDocument} skip `decide`,
 * which most fields of most operations have nothing to decide on. `firstVisit`: `parentType` is
 * the type the field is selected on.
 */
export type MayRestrict = (parentType: GraphQLObjectType | GraphQLInterfaceType, field: GraphQLField<unknown, unknown>, firstVisit: boolean) => boolean;

/** What {@link restrictDocument} made of an operation. */
export interface RestrictedDocument {
  document: DocumentNode;
  /** The fields cut, with their places. */
  denials: Denial[];
  /** The decisions the result makes. */
  checks: ResultCheck[];
  /** The response keys the gateway added for `checks`: remove them from every answer. */
  internalKeys: ReadonlySet<string>;
}

function nullability(type: GraphQLOutputType): Pick<PathStep, 'nonNull' | 'itemsNonNull'> {
  const nullable = getNullableType(type);
  return { nonNull: isNonNullType(type), itemsNonNull: isListType(nullable) && isNonNullType(nullable.ofType) };
}

/**
 * Where a selection set is walked: the type it is selected on, its response path, the fragments
 * spread on the way (a cycle stops there), the field occurrence it is in, and whether a fragment on
 * the way (since the operation's root) may not apply to every object at `path`, so that objects
 * there may come from other selections than this one.
 */
interface Place {
  selectionSet: SelectionSetNode;
  parent: GraphQLCompositeType;
  path: PathStep[];
  seen: ReadonlySet<string>;
  occurrence: FieldOccurrence | undefined;
  narrowed: boolean;
}

/** What {@link restrictDocument}'s decideAll gives a field nothing was deferred on. */
const noDeferred: readonly Deferred[] = Object.freeze([]);

/** The `__typename` the gateway adds, under aliases of its own, to tell objects apart. */
const typenameField: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } };

/**
 * Cuts every field `decide` refuses out of the operation, before execution, so no service
 * is ever asked for it, and adds the fields that decisions left to the result read; returns the
 * new document, where each cut field was and the checks to run on the result. A selection set left
 * empty keeps an aliased `__typename` ({@link placeholderKey}), so the document stays valid.
 * `variables` are the request's, for the occurrences' argument values; `mayRestrict` spares the
 * visits that cannot be restricted a call of `decide`. Returns `undefined` when the document stays as it is.
 * Synchronous when every decision is: a promise only once a decision is one.
 */
export function restrictDocument(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  decide: Decide,
  variables: Record<string, unknown> = {},
  mayRestrict: MayRestrict = () => true,
): MaybePromise<RestrictedDocument | undefined> {
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION && (!operationName || definition.name?.value === operationName),
  );
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return undefined;
  const fragments = new Map(
    document.definitions
      .filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );
  // Most operations hold nothing a rule could apply to: nothing to walk.
  if (!mayRestrictWithin(schema, operation.selectionSet, root, fragments, mayRestrict)) return undefined;
  const coerced = coerceOperationVariables(schema, document, operationName, variables)?.coerced ?? {};
  const removed = new Set<FieldNode>();
  const denials: Denial[] = [];
  const checks: ResultCheck[] = [];
  const added = new Map<SelectionSetNode, Map<string, Map<string, FieldNode>>>();
  const aliasOf = internalAliases(document);
  const markers = new Map<SelectionSetNode, string>();
  const signature: string[] = [];

  const add = (target: SelectionSetNode, condition: string, alias: string, field: FieldNode) => {
    const byCondition = added.get(target) ?? new Map<string, Map<string, FieldNode>>();
    added.set(target, byCondition);
    const fields = byCondition.get(condition) ?? new Map<string, FieldNode>();
    byCondition.set(condition, fields);
    fields.set(alias, { ...field, alias: { kind: Kind.NAME, value: alias } });
  };
  const markerOf = (selectionSet: SelectionSetNode) => {
    let marker = markers.get(selectionSet);
    if (marker === undefined) markers.set(selectionSet, (marker = aliasOf(`cut ${markers.size}`, typenameField)));
    add(selectionSet, '', marker, typenameField);
    return marker;
  };
  const placeCheck = (deferred: Deferred, target: SelectionSetNode, targetType: GraphQLCompositeType, narrowed: boolean, path: PathStep[]) => {
    const type = schema.getType(deferred.typeName);
    const condition = deferred.typeName === targetType.name ? '' : deferred.typeName;
    const keys = new Map(deferred.requires.map((field) => [field, aliasOf(deferred.typeName, field)]));
    for (const [field, alias] of keys) add(target, condition, alias, field);
    let typenames: TypenameFilter | undefined;
    if (type && isCompositeType(type) && (narrowed || !coversType(schema, type, targetType))) {
      const key = aliasOf('', typenameField);
      add(target, '', key, typenameField);
      typenames = { key, names: new Set(possibleObjectTypes(schema, type).map((object) => object.name)), decidesUnnamed: !narrowed };
    }
    checks.push({ ...deferred, path, keys, ...(typenames ? { typenames } : {}) });
    return `${deferred.on}:${condition}:${[...keys.values()].join(',')}${typenames ? `:${typenames.key}` : ''}`;
  };
  // Synchronous, with no promise to make, for a field nothing may restrict (most of them).
  const decideAll = (
    selection: FieldNode,
    parent: GraphQLObjectType | GraphQLInterfaceType,
    occurrence: FieldOccurrence | undefined,
  ): MaybePromise<NonNullable<Verdict> | readonly Deferred[]> => {
    const declarations = fieldDeclarations(schema, parent, selection.name.value);
    return anyMayRestrict(declarations, parent, mayRestrict) ? decideEach(declarations, selection, parent, occurrence, 0, []) : noDeferred;
  };
  // The declarations from `from` on, in order: the first refusal is the field's.
  const decideEach = (
    declarations: ReturnType<typeof fieldDeclarations>,
    selection: FieldNode,
    parent: GraphQLObjectType | GraphQLInterfaceType,
    occurrence: FieldOccurrence | undefined,
    from: number,
    deferred: Deferred[],
  ): MaybePromise<NonNullable<Verdict> | readonly Deferred[]> => {
    for (let index = from; index < declarations.length; index++) {
      const { type, field } = declarations[index] as (typeof declarations)[number];
      if (!mayRestrict(type, field, type === parent)) continue;
      const coordinate = `${type.name}.${field.name}`;
      const visit = Object.assign(new Occurrence(coordinate, occurrence, field, selection, coerced), {
        field,
        node: selection,
        parentType: type,
        selectedOn: parent,
      });
      const decision = decide(visit);
      if (isPromise(decision)) {
        return decision.then((settled) => refusalOf(settled, deferred) ?? decideEach(declarations, selection, parent, occurrence, index + 1, deferred));
      }
      const refusal = refusalOf(decision, deferred);
      if (refusal) return refusal;
    }
    return deferred.length > 0 ? deferred : noDeferred;
  };

  // A selection set met again at the same place (`path`, whose array stands for the place and its
  // occurrence) on the same type, narrowed alike, decides and adds nothing new: a fragment spread
  // there twice, or fragments each spreading the next twice, are walked once.
  const walkedAt = new WeakMap<PathStep[], WalkedSelections>();
  const firstVisit = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType, path: PathStep[], narrowed: boolean): boolean => {
    let walked = walkedAt.get(path);
    if (!walked) walkedAt.set(path, (walked = new WalkedSelections()));
    return walked.first(selectionSet, `${parent.name} ${narrowed}`);
  };

  // Walks a place's selections from `from` on, in order, synchronously until a decision is a promise.
  const walk = (place: Place, from = 0): MaybePromise<void> => {
    const { selectionSet, parent, path, narrowed } = place;
    if (from === 0 && !firstVisit(selectionSet, parent, path, narrowed)) return;
    const { selections } = selectionSet;
    for (let index = from; index < selections.length; index++) {
      const pending = visitSelection(place, selections[index] as SelectionNode);
      if (isPromise(pending)) return pending.then(() => walk(place, index + 1));
    }
  };
  const visitSelection = (place: Place, selection: SelectionNode): MaybePromise<void> => {
    const { parent, seen, narrowed } = place;
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
      if (type && isCompositeType(type))
        return walk({ ...place, selectionSet: selection.selectionSet, parent: type, narrowed: narrowed || !coversType(schema, type, parent) });
    } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = fragments.get(selection.name.value);
      const type = fragment && schema.getType(fragment.typeCondition.name.value);
      if (fragment && type && isCompositeType(type) && !seen.has(fragment.name.value)) {
        return walk({
          ...place,
          selectionSet: fragment.selectionSet,
          parent: type,
          seen: new Set([...seen, fragment.name.value]),
          narrowed: narrowed || !coversType(schema, type, parent),
        });
      }
    } else if (!selection.name.value.startsWith('__') && (isObjectType(parent) || isInterfaceType(parent))) {
      const field = parent.getFields()[selection.name.value];
      if (!field) return;
      const decision = decideAll(selection, parent, place.occurrence);
      return isPromise(decision)
        ? decision.then((settled) => decided(place, parent, selection, field, settled))
        : decided(place, parent, selection, field, decision);
    }
  };
  // A field's decision applied: cut, or kept with what the result decides, and walked into.
  const decided = (
    place: Place,
    parent: GraphQLObjectType | GraphQLInterfaceType,
    selection: FieldNode,
    field: GraphQLField<unknown, unknown>,
    decision: NonNullable<Verdict> | readonly Deferred[],
  ): MaybePromise<void> => {
    const { selectionSet, path, occurrence, narrowed } = place;
    const named = getNamedType(field.type);
    const step = { key: selection.alias?.value ?? selection.name.value, ...nullability(field.type) };
    if ('code' in decision) {
      removed.add(selection);
      denials.push({ ...decision, path: [...path, step], ...(narrowed ? { marker: markerOf(selectionSet) } : {}) });
      signature.push('-');
      return;
    }
    for (const deferred of decision) {
      if (deferred.on === 'parent') signature.push(placeCheck(deferred, selectionSet, parent, narrowed, [...path, step]));
      else if (selection.selectionSet && isCompositeType(named)) signature.push(placeCheck(deferred, selection.selectionSet, named, narrowed, [...path, step]));
    }
    signature.push('+');
    // The occurrence is the parent of the fields inside it: a leaf needs none, nor a selection
    // where no rule can apply (every field in it is allowed).
    if (selection.selectionSet && isCompositeType(named) && mayRestrictWithin(schema, selection.selectionSet, named, fragments, mayRestrict)) {
      const here = new Occurrence(`${parent.name}.${field.name}`, occurrence, field, selection, coerced);
      return walk({ ...place, selectionSet: selection.selectionSet, parent: named, path: [...path, step], occurrence: here });
    }
  };
  const finish = (): RestrictedDocument | undefined => {
    if (removed.size === 0 && checks.length === 0) return undefined;
    const internalKeys = new Set([...added.values()].flatMap((byCondition) => [...byCondition.values()].flatMap((fields) => [...fields.keys()])));
    return { document: rewriteRestricted(document, `${operationName ?? ''} ${signature.join(' ')}`, removed, added), denials, checks, internalKeys };
  };
  const walked = walk({ selectionSet: operation.selectionSet, parent: root, path: [], seen: new Set(), occurrence: undefined, narrowed: false });
  return isPromise(walked) ? walked.then(finish) : finish();
}
/** A decision's refusal; else `undefined`, its deferred decisions added to `deferred`. */
function refusalOf(decision: Verdict | { deferred: readonly Deferred[] }, deferred: Deferred[]): NonNullable<Verdict> | undefined {
  if (decision && !('deferred' in decision)) return decision;
  if (decision?.deferred.length) deferred.push(...decision.deferred);
  return undefined;
}
