import { getDirective } from '@graphql-tools/utils';
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, type DocumentNode, type GraphQLSchema } from 'graphql';
import { walkCoordinates } from './walk-coordinates.ts';

/**
 * What `@inaccessible` hides from clients, by schema coordinate: `Type`, `Type.field`,
 * `Type.field(arg:)`, `Enum.VALUE` and `Input.field`. Read from a source's schema and, for
 * federation, from the supergraph SDL, where composition keeps the directive on every element.
 */
export function inaccessibleElements(schema: GraphQLSchema, supergraph?: DocumentNode): Set<string> {
  const hidden = new Set<string>();
  const marked = (element: Parameters<typeof getDirective>[1]) => (getDirective(schema, element, 'inaccessible') ?? []).length > 0;
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (marked(type)) hidden.add(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (marked(field)) hidden.add(`${type.name}.${field.name}`);
        for (const argument of field.args) if (marked(argument)) hidden.add(`${type.name}.${field.name}(${argument.name}:)`);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) if (marked(field)) hidden.add(`${type.name}.${field.name}`);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) if (marked(value)) hidden.add(`${type.name}.${value.name}`);
    }
  }
  if (supergraph) for (const coordinate of inaccessibleInDocument(supergraph)) hidden.add(coordinate);
  return hidden;
}

function inaccessibleInDocument(document: DocumentNode): string[] {
  const found: string[] = [];
  walkCoordinates(document, (coordinate, directives) => {
    if (directives?.some((directive) => directive.name.value === 'inaccessible')) found.push(coordinate);
  });
  return found;
}
