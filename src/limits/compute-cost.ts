import {
  Kind,
  getNamedType,
  getNullableType,
  getOperationAST,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { fieldDeclarations, type FieldDeclaration } from '../security/possible-types.ts';
import type { CostModel, ListSize } from './cost-model.ts';

/** What {@link computeCost} needs besides the document. */
export interface CostOptions {
  /** The composed schema: field types, arguments and their defaults. */
  schema: GraphQLSchema;
  /** `@cost` and `@listSize` of the registered schemas. */
  model: CostModel;
  /** The operation to measure when the document has several. */
  operationName?: string | null | undefined;
  /** The operation's variables, coerced or as sent (one without a value falls back to its default). */
  variables?: Readonly<Record<string, unknown>> | null | undefined;
  /** Size of a list field with neither `@listSize` nor a slicing argument's value. */
  defaultListSize: number;
}

/** The static cost of an operation, and the fields whose slicing arguments break `requireOneSlicingArgument`. */
export interface CostResult {
  cost: number;
  problems: string[];
}

interface Sized {
  fields: ReadonlySet<string>;
  size: number;
}

/**
 * The static cost of a validated operation, after the IBM GraphQL cost directives specification:
 * a field costs its weight (its `@cost`, else its type's `@cost`, else 1 for an object and 0 for a
 * scalar or enum) plus its selection's cost, times its list size when it returns a list, plus the
 * `@cost` of the arguments it is given. A list's size is the largest value given to a
 * `@listSize` slicing argument (literal, variable or default), else its `assumedSize`, else
 * `defaultListSize`. Introspection fields cost nothing (the introspection policy governs them).
 *
 * Costs follow the schema, not how the query spells a selection, taking the maximum over the
 * possible types as the specification does for abstract types: a field costs the most any of its
 * declarations costs (see `fieldDeclarations`: through an interface, each implementation's `@cost`
 * and `@listSize`; on an object type, its interfaces' too), and an interface or union returned
 * weighs what its heaviest object type weighs. Fragments on the branches of an abstract type are
 * added up rather than maximised, which overestimates.
 */
export function computeCost(document: DocumentNode, options: CostOptions): CostResult {
  const { schema, model, variables = {}, defaultListSize } = options;
  const operation = getOperationAST(document, options.operationName);
  if (!operation) return { cost: 0, problems: [] };
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const variableDefaults = new Map(operation.variableDefinitions?.map((definition) => [definition.variable.name.value, definition.defaultValue]));
  const problems: string[] = [];
  const fragmentCosts = new Map<string, number>();
  const spreading = new Set<string>();

  const valueOf = (node: ValueNode): unknown => {
    if (node.kind !== Kind.VARIABLE) return valueFromASTUntyped(node, variables);
    const name = node.name.value;
    if (variables && Object.hasOwn(variables, name)) return variables[name];
    const fallback = variableDefaults.get(name);
    return fallback ? valueFromASTUntyped(fallback) : undefined;
  };

  const listSizeOf = (coordinate: string, field: GraphQLField<unknown, unknown>, node: FieldNode, listSize: ListSize | undefined): number => {
    if (!listSize) return defaultListSize;
    const sizes = listSize.slicingArguments.flatMap((name) => {
      const given = node.arguments?.find((argument) => argument.name.value === name);
      const value = given ? valueOf(given.value) : field.args.find((arg) => arg.name === name)?.defaultValue;
      return typeof value === 'number' && Number.isFinite(value) ? [Math.max(0, value)] : [];
    });
    if (listSize.requireOneSlicingArgument && sizes.length !== 1) {
      problems.push(`Field "${coordinate}" must be given exactly one of its slicing arguments: ${listSize.slicingArguments.join(', ')}.`);
    }
    return sizes.length > 0 ? Math.max(...sizes) : (listSize.assumedSize ?? defaultListSize);
  };

  const typeWeight = (type: GraphQLNamedType): number => {
    const own = model.typeWeights.get(type.name);
    if (own !== undefined || !isAbstractType(type)) return own ?? (isCompositeType(type) ? 1 : 0);
    const weights = schema.getPossibleTypes(type).map((object) => model.typeWeights.get(object.name) ?? 1);
    return weights.length > 0 ? Math.max(...weights) : 1;
  };

  const declarationCost = (
    { type: owner, field }: FieldDeclaration,
    node: FieldNode,
    sized: Sized | undefined,
    children: (sized: Sized | undefined) => number,
  ): number => {
    const coordinate = `${owner.name}.${field.name}`;
    const info = model.fields.get(coordinate);
    const weight = info?.weight ?? typeWeight(getNamedType(field.type));
    const argumentsCost = (node.arguments ?? []).reduce((sum, argument) => sum + (info?.argumentWeights[argument.name.value] ?? 0), 0);
    const isList = isListType(getNullableType(field.type));
    const size = isList || info?.listSize?.sizedFields.length ? listSizeOf(coordinate, field, node, info?.listSize) : 1;
    const childrenSized = info?.listSize?.sizedFields.length ? { fields: new Set(info.listSize.sizedFields), size } : undefined;
    const multiplier = sized?.fields.has(field.name) ? sized.size : isList && !childrenSized ? size : 1;
    return multiplier * (weight + children(childrenSized)) + argumentsCost;
  };

  const fieldCost = (parent: GraphQLNamedType, node: FieldNode, sized: Sized | undefined): number => {
    if (node.name.value.startsWith('__') || !(isObjectType(parent) || isInterfaceType(parent))) return 0;
    const field = parent.getFields()[node.name.value];
    if (!field) return 0;
    // The selection is measured on the selected field's type, once per sizing its declarations ask for.
    const childCosts = new Map<string, number>();
    const children = (childrenSized: Sized | undefined): number => {
      if (!node.selectionSet) return 0;
      const key = sizedKey(childrenSized);
      let cost = childCosts.get(key);
      if (cost === undefined) childCosts.set(key, (cost = selectionCost(getNamedType(field.type), node.selectionSet, childrenSized)));
      return cost;
    };
    return Math.max(...fieldDeclarations(schema, parent, field.name).map((declaration) => declarationCost(declaration, node, sized, children)));
  };

  // A fragment's cost is worked out once per sizing: fragments spreading the next one twice (the
  // cost counts every spread) then cost the document's size to measure, not 2^depth.
  const fragmentCost = (name: string, sized: Sized | undefined): number => {
    const key = `${name}\u0000${sizedKey(sized)}`;
    const known = fragmentCosts.get(key);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    const type = fragment && schema.getType(fragment.typeCondition.name.value);
    if (!fragment || !type || spreading.has(name)) return 0;
    spreading.add(name);
    const cost = selectionCost(type, fragment.selectionSet, sized);
    spreading.delete(name);
    fragmentCosts.set(key, cost);
    return cost;
  };

  const selectionCost = (parent: GraphQLNamedType, selectionSet: SelectionSetNode, sized: Sized | undefined): number => {
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) cost += fieldCost(parent, selection, sized);
      else if (selection.kind === Kind.FRAGMENT_SPREAD) cost += fragmentCost(selection.name.value, sized);
      else cost += selectionCost((selection.typeCondition && schema.getType(selection.typeCondition.name.value)) || parent, selection.selectionSet, sized);
    }
    return cost;
  };

  const root = schema.getRootType(operation.operation);
  const cost = root ? selectionCost(root, operation.selectionSet, undefined) : 0;
  return { cost, problems: [...new Set(problems)] };
}

/** The text that tells two sizings apart (none: `''`), for remembering costs per sizing. */
function sizedKey(sized: Sized | undefined): string {
  return sized ? `${[...sized.fields].join(',')}:${sized.size}` : '';
}
