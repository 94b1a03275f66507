import { getDirective } from '@graphql-tools/utils';
import { isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';

/** `@listSize` of a field: how many elements its list is assumed or asked to have. */
export interface ListSize {
  /** The size when no slicing argument has a value. */
  assumedSize?: number;
  /** Arguments whose value is the size (`first`, `last`): the largest given one wins. */
  slicingArguments: readonly string[];
  /** Child fields the size applies to instead of this field (a connection's `edges`). */
  sizedFields: readonly string[];
  /** Whether exactly one slicing argument must have a value (given, or its default). */
  requireOneSlicingArgument: boolean;
}

/** What the registered schemas say about one field's cost. */
export interface FieldCost {
  /** `@cost` on the field: replaces its type's weight. */
  weight?: number;
  /** `@cost` on arguments, by argument name: added when the argument is given. */
  argumentWeights: Readonly<Record<string, number>>;
  listSize?: ListSize;
}

/**
 * The cost directives of the registered schemas, as data. The composed schema carries no
 * directives, so they are read from each source's own schema; a field or type several services
 * define takes the highest weight any of them declares.
 */
export interface CostModel {
  /** `@cost` on types (objects, scalars, enums), by type name. */
  typeWeights: ReadonlyMap<string, number>;
  /** By field coordinate, `Type.field`. */
  fields: ReadonlyMap<string, FieldCost>;
}

/** Reads `@cost` and `@listSize` from the schemas that define them. */
export function buildCostModel(schemas: readonly GraphQLSchema[]): CostModel {
  const typeWeights = new Map<string, number>();
  const fields = new Map<string, FieldCost>();
  for (const schema of schemas) {
    if (!schema.getDirective('cost') && !schema.getDirective('listSize')) continue;
    const weightOf = (node: Parameters<typeof getDirective>[1]): number | undefined =>
      (getDirective(schema, node, 'cost')?.[0] as { weight: number } | undefined)?.weight;
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      const typeWeight = weightOf(type);
      if (typeWeight !== undefined) typeWeights.set(type.name, Math.max(typeWeight, typeWeights.get(type.name) ?? typeWeight));
      if (!isObjectType(type) && !isInterfaceType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        const weight = weightOf(field);
        const argumentWeights = Object.fromEntries(
          field.args.flatMap((arg) => {
            const argWeight = weightOf(arg);
            return argWeight === undefined ? [] : [[arg.name, argWeight]];
          }),
        );
        const listSize = readListSize(schema, field);
        if (weight === undefined && Object.keys(argumentWeights).length === 0 && !listSize) continue;
        const coordinate = `${type.name}.${field.name}`;
        fields.set(
          coordinate,
          mergeFieldCosts(fields.get(coordinate), { ...(weight === undefined ? {} : { weight }), argumentWeights, ...(listSize ? { listSize } : {}) }),
        );
      }
    }
  }
  return { typeWeights, fields };
}

function readListSize(schema: GraphQLSchema, field: Parameters<typeof getDirective>[1]): ListSize | undefined {
  const args = getDirective(schema, field, 'listSize')?.[0] as
    | { assumedSize?: number; slicingArguments?: string[]; sizedFields?: string[]; requireOneSlicingArgument?: boolean }
    | undefined;
  if (!args) return undefined;
  return {
    ...(args.assumedSize === undefined || args.assumedSize === null ? {} : { assumedSize: args.assumedSize }),
    slicingArguments: args.slicingArguments ?? [],
    sizedFields: args.sizedFields ?? [],
    requireOneSlicingArgument: (args.slicingArguments?.length ?? 0) > 0 && args.requireOneSlicingArgument !== false,
  };
}

function mergeFieldCosts(known: FieldCost | undefined, found: FieldCost): FieldCost {
  if (!known) return found;
  const weights = [known.weight, found.weight].filter((weight) => weight !== undefined);
  const argumentWeights = { ...known.argumentWeights };
  for (const [name, weight] of Object.entries(found.argumentWeights)) argumentWeights[name] = Math.max(weight, argumentWeights[name] ?? weight);
  const listSize = known.listSize ?? found.listSize;
  return { ...(weights.length ? { weight: Math.max(...weights) } : {}), argumentWeights, ...(listSize ? { listSize } : {}) };
}
