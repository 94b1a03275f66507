import { isInputObjectType, isInterfaceType, isObjectType, type GraphQLNamedType } from 'graphql';
import type { LoadedSource } from '../sources/loaded-source.ts';

const kindOf = (type: GraphQLNamedType) => type.astNode?.kind.replace('TypeDefinition', '').toLowerCase() ?? 'built-in';

/**
 * Conflicts between services' definitions of the same type, which type merging cannot resolve:
 * a name used for two kinds of type, or a field whose named type differs. Each problem names
 * the element, both services and what each says.
 */
export function findTypeConflicts(sources: readonly LoadedSource[]): string[] {
  const seen = new Map<string, { source: string; type: GraphQLNamedType }>();
  const fields = new Map<string, { source: string; type: string }>();
  const problems: string[] = [];
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
        const named = String(field.type).replace(/[[\]!]/g, '');
        const earlier = fields.get(coordinate);
        if (!earlier) fields.set(coordinate, { source: source.name, type: named });
        else if (earlier.type !== named) problems.push(`${coordinate} is ${earlier.type} in ${earlier.source} but ${named} in ${source.name}; services must agree on a shared field's type`);
      }
    }
  }
  return problems;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}
