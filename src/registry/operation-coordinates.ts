import {
  Kind,
  TypeInfo,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

/**
 * The schema coordinates one operation of a document uses, sorted: what the registry counts as
 * usage, and what a breaking change is checked against (see `touchedCoordinates`).
 *
 * - `Type.field` for every field selected (on the type it is selected on), `__typename` and
 *   introspection (`__schema`, `__type` and what they select) aside;
 * - `Type.field(arg:)` for every argument given;
 * - `Input.field` and `Enum.VALUE` for every input field and enum value a literal gives;
 * - `Type` for every type condition (`... on Type`, `fragment F on Type`).
 *
 * Values that variables carry are read from `variableValues` when given (the gateway has them at
 * execution). Without them a variable stands for every input field and enum value its type can
 * hold: a check then errs towards "used", never towards "unused".
 *
 * Only the chosen operation (`operationName`, or the only one) and the fragments it reaches count.
 * Fields the schema does not know are left out.
 */
export function operationCoordinates(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
  variableValues?: Readonly<Record<string, unknown>>,
): string[] {
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName
    ? operations.find((candidate) => candidate.name?.value === operationName)
    : operations.length === 1
      ? operations[0]
      : undefined;
  if (!operation) return [];
  const coordinates = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  const visitor = visitWithTypeInfo(typeInfo, {
    Field(node) {
      const parent = typeInfo.getParentType();
      if (parent && typeInfo.getFieldDef() && !node.name.value.startsWith('__') && !parent.name.startsWith('__'))
        coordinates.add(`${parent.name}.${node.name.value}`);
    },
    Argument(node) {
      const parent = typeInfo.getParentType();
      const field = typeInfo.getFieldDef();
      if (!typeInfo.getDirective() && parent && field && typeInfo.getArgument()) coordinates.add(`${parent.name}.${field.name}(${node.name.value}:)`);
    },
    ObjectField(node) {
      const input = getNamedType(typeInfo.getParentInputType());
      if (isInputObjectType(input) && input.getFields()[node.name.value]) coordinates.add(`${input.name}.${node.name.value}`);
    },
    EnumValue(node) {
      const type = getNamedType(typeInfo.getInputType());
      if (isEnumType(type) && type.getValue(node.value)) coordinates.add(`${type.name}.${node.value}`);
    },
    InlineFragment(node) {
      if (node.typeCondition) coordinates.add(node.typeCondition.name.value);
    },
    FragmentDefinition(node) {
      coordinates.add(node.typeCondition.name.value);
    },
    VariableDefinition(node) {
      const type = typeInfo.getInputType();
      if (type) addInputValue(coordinates, type, variableValues ? variableValues[node.variable.name.value] : everything, new Set());
      // The default value is a literal: visited below like any other.
    },
  });
  for (const definition of [operation, ...reachedFragments(document, operation)]) visit(definition, visitor);
  return [...coordinates].sort();
}

/**
 * The coordinates every operation of a document uses (a persisted document may hold several), sorted.
 */
export function documentCoordinates(schema: GraphQLSchema, document: DocumentNode): string[] {
  const names = document.definitions.flatMap((definition) => (definition.kind === Kind.OPERATION_DEFINITION ? [definition.name?.value ?? null] : []));
  const operations = names.length === 1 ? [undefined] : names.filter((name): name is string => name !== null);
  return [...new Set(operations.flatMap((name) => operationCoordinates(schema, document, name)))].sort();
}

/** Stands for "any value": a variable whose value is not known. */
const everything = Symbol('every value');

/** The input fields and enum values a value of an input type uses (every one it can hold, for `everything`). */
function addInputValue(coordinates: Set<string>, type: GraphQLInputType, value: unknown, seen: Set<string>): void {
  if (value === null || value === undefined) return;
  if (isNonNullType(type)) return addInputValue(coordinates, type.ofType, value, seen);
  if (isListType(type)) {
    for (const item of value === everything ? [everything] : Array.isArray(value) ? value : [value]) addInputValue(coordinates, type.ofType, item, seen);
    return;
  }
  if (isEnumType(type)) {
    for (const enumValue of type.getValues()) if (value === everything || enumValue.name === value) coordinates.add(`${type.name}.${enumValue.name}`);
    return;
  }
  if (!isInputObjectType(type) || (value !== everything && typeof value !== 'object')) return;
  if (value === everything && seen.has(type.name)) return;
  const inner = new Set(seen).add(type.name);
  for (const field of Object.values(type.getFields())) {
    const given = value === everything ? everything : (value as Record<string, unknown>)[field.name];
    if (given === undefined) continue;
    coordinates.add(`${type.name}.${field.name}`);
    addInputValue(coordinates, field.type, given, inner);
  }
}

/** The fragments an operation spreads, directly or through other fragments. */
function reachedFragments(document: DocumentNode, operation: OperationDefinitionNode): FragmentDefinitionNode[] {
  const fragments = new Map(
    document.definitions.flatMap((definition) => (definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [])),
  );
  const reached = new Map<string, FragmentDefinitionNode>();
  const spreadsOf = (node: OperationDefinitionNode | FragmentDefinitionNode) => {
    visit(node, {
      FragmentSpread(spread) {
        const fragment = fragments.get(spread.name.value);
        if (!fragment || reached.has(spread.name.value)) return;
        reached.set(spread.name.value, fragment);
        spreadsOf(fragment);
      },
    });
  };
  spreadsOf(operation);
  return [...reached.values()];
}
