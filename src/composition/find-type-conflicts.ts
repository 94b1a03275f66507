import { isInputObjectType, isInterfaceType, isObjectType, type GraphQLNamedType } from 'graphql';
import type { LoadedSource } from '../sources/loaded-source.ts';

const kindOf = (type: GraphQLNamedType) => type.astNode?.kind.replace('TypeDefinition', '').toLowerCase() ?? 'built-in';

/** One source's definition of a shared field: the named type it says the field has. */
interface FieldDefinition {
  source: string;
  federation: boolean;
  type: string;
}

/**
 * Conflicts between services' definitions of the same type, which type merging cannot resolve:
 * a name used for two kinds of type, or a field whose named type differs. Each problem names
 * the element, both services and what each says. Two federation subgraphs may differ on a field's
 * named type (`Book` in one, the interface `Media` in another): their federation composition
 * checked the types are compatible, and the supergraph says each subgraph's own
 * ({@link fieldsTypedPerSubgraph}); any other source must agree with every subgraph.
 */
export function findTypeConflicts(sources: readonly LoadedSource[]): string[] {
  return compareDefinitions(sources).problems;
}

/**
 * The coordinates (`Query.book`) of the shared fields whose named type differs between federation
 * subgraphs only, which {@link findTypeConflicts} accepts and stitching must be told to accept.
 */
export function fieldsTypedPerSubgraph(sources: readonly LoadedSource[]): string[] {
  return [...compareDefinitions(sources).typedPerSubgraph];
}

function compareDefinitions(sources: readonly LoadedSource[]): { problems: string[]; typedPerSubgraph: Set<string> } {
  const seen = new Map<string, { source: string; type: GraphQLNamedType }>();
  const fields = new Map<string, FieldDefinition[]>();
  const problems: string[] = [];
  const typedPerSubgraph = new Set<string>();
  for (const source of sources) {
    for (const type of Object.values(source.subschema.schema.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      const first = seen.get(type.name);
      if (!first) seen.set(type.name, { source: source.name, type });
      else if (kindOf(first.type) !== kindOf(type)) {
        problems.push(`type ${type.name} is ${article(kindOf(first.type))} in ${first.source} but ${article(kindOf(type))} in ${source.name}`);
        continue;
      }
      if (!isObjectType(type) && !isInterfaceType(type) && !isInputObjectType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        const coordinate = `${type.name}.${field.name}`;
        const definition = { source: source.name, federation: source.kind === 'federation', type: String(field.type).replace(/[[\]!]/g, '') };
        const earlier = fields.get(coordinate) ?? [];
        fields.set(coordinate, [...earlier, definition]);
        const differing = earlier.filter((other) => other.type !== definition.type);
        const conflict = differing.find((other) => !(other.federation && definition.federation));
        if (conflict)
          problems.push(
            `${coordinate} is ${conflict.type} in ${conflict.source} but ${definition.type} in ${source.name}; services must agree on a shared field's type`,
          );
        else if (differing.length > 0) typedPerSubgraph.add(coordinate);
      }
    }
  }
  return { problems, typedPerSubgraph };
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}
