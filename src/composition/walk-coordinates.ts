import { visit, type ConstDirectiveNode, type DocumentNode } from 'graphql';

/**
 * Calls `onElement` with the schema coordinate (`Type`, `Type.field`, `Type.field(arg:)`,
 * `Enum.VALUE`, `Input.field`) and the directives of every type, field, argument, input field and
 * enum value an SDL document defines or extends. Directive definitions are skipped.
 */
export function walkCoordinates(document: DocumentNode, onElement: (coordinate: string, directives: readonly ConstDirectiveNode[] | undefined) => void): void {
  let typeName = '';
  let fieldName: string | undefined;
  const enterType = (node: { name: { value: string }; directives?: readonly ConstDirectiveNode[] | undefined }) => {
    typeName = node.name.value;
    onElement(typeName, node.directives);
  };
  visit(document, {
    ObjectTypeDefinition: enterType,
    ObjectTypeExtension: enterType,
    InterfaceTypeDefinition: enterType,
    InterfaceTypeExtension: enterType,
    UnionTypeDefinition: enterType,
    EnumTypeDefinition: enterType,
    InputObjectTypeDefinition: enterType,
    ScalarTypeDefinition: enterType,
    DirectiveDefinition: () => false,
    FieldDefinition: {
      enter(node) {
        fieldName = node.name.value;
        onElement(`${typeName}.${fieldName}`, node.directives);
      },
      leave() {
        fieldName = undefined;
      },
    },
    InputValueDefinition(node) {
      onElement(fieldName === undefined ? `${typeName}.${node.name.value}` : `${typeName}.${fieldName}(${node.name.value}:)`, node.directives);
    },
    EnumValueDefinition(node) {
      onElement(`${typeName}.${node.name.value}`, node.directives);
    },
  });
}
