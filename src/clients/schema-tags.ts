import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, Kind, type ConstDirectiveNode, type GraphQLSchema } from 'graphql';
import { walkCoordinates } from '../composition/walk-coordinates.ts';
import type { LoadedSource } from '../sources/loaded-source.ts';

/** The `@tag(name:)`s of a graph, by schema coordinate (`Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE`, `Input.field`). */
export type SchemaTags = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * Reads every `@tag` of the sources' registered schemas and, for federation, of the supergraph
 * SDL, where composition keeps `@tag` on every element that carries it in a subgraph. A
 * coordinate's tags are those of all services that define it.
 */
export function collectSchemaTags(sources: readonly LoadedSource[]): SchemaTags {
  const tags = new Map<string, Set<string>>();
  const add = (coordinate: string, directives: readonly ConstDirectiveNode[] | undefined) => {
    for (const name of tagNames(directives)) {
      let set = tags.get(coordinate);
      if (!set) tags.set(coordinate, (set = new Set()));
      set.add(name);
    }
  };
  for (const source of sources) {
    readSchemaTags(source.subschema.schema, add);
    if (source.supergraph) walkCoordinates(source.supergraph.document, add);
  }
  return tags;
}

function readSchemaTags(schema: GraphQLSchema, add: (coordinate: string, directives: readonly ConstDirectiveNode[] | undefined) => void): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    for (const node of [type.astNode, ...type.extensionASTNodes]) add(type.name, node?.directives);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        add(`${type.name}.${field.name}`, field.astNode?.directives);
        for (const argument of field.args) add(`${type.name}.${field.name}(${argument.name}:)`, argument.astNode?.directives);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) add(`${type.name}.${field.name}`, field.astNode?.directives);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) add(`${type.name}.${value.name}`, value.astNode?.directives);
    }
  }
}

function tagNames(directives: readonly ConstDirectiveNode[] | undefined): string[] {
  const names: string[] = [];
  for (const directive of directives ?? []) {
    if (directive.name.value !== 'tag') continue;
    const argument = directive.arguments?.find((candidate) => candidate.name.value === 'name');
    if (argument?.value.kind === Kind.STRING) names.push(argument.value.value);
  }
  return names;
}
