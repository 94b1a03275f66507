import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { Kind, buildASTSchema, parse, type DefinitionNode, type GraphQLSchema } from 'graphql';
import type { ChangeCriticality, SchemaChange } from './check-report.ts';

const criticalities: Record<CriticalityLevel, ChangeCriticality> = {
  [CriticalityLevel.Breaking]: 'breaking',
  [CriticalityLevel.Dangerous]: 'dangerous',
  [CriticalityLevel.NonBreaking]: 'safe',
};
const rank: Record<ChangeCriticality, number> = { breaking: 0, dangerous: 1, safe: 2 };

/**
 * Every change from one schema to another, classified by @graphql-inspector/core's `diff`,
 * breaking ones first. `touched` adds, to each breaking change, the coordinates whose use it breaks.
 */
export async function schemaChanges(before: GraphQLSchema, after: GraphQLSchema, touched?: (change: Change) => string[]): Promise<SchemaChange[]> {
  const changes = (await diff(before, after)).map((change): SchemaChange => {
    const criticality = criticalities[change.criticality.level];
    return {
      criticality,
      type: change.type,
      message: change.message,
      ...(change.path ? { path: change.path } : {}),
      ...(touched && criticality === 'breaking' ? { coordinates: touched(change) } : {}),
    };
  });
  return changes.sort((a, b) => rank[a.criticality] - rank[b.criticality]);
}

/**
 * A service's SDL as a schema to compare versions by: a type only extended (`extend type Query`,
 * as subgraphs write) counts as defined, and directives are read as written, not checked. Throws
 * when it cannot be built (an unknown type).
 */
export function serviceSchema(sdl: string): GraphQLSchema {
  const document = parse(sdl);
  const defined = new Set(document.definitions.flatMap((definition) => (isDefinition(definition) ? [definition.name.value] : [])));
  const definitions = document.definitions.map((definition) => {
    const asDefinition = extensionKinds[definition.kind];
    if (!asDefinition || !('name' in definition) || !definition.name || defined.has(definition.name.value)) return definition;
    defined.add(definition.name.value);
    return { ...definition, kind: asDefinition } as DefinitionNode;
  });
  return buildASTSchema({ ...document, definitions }, { assumeValidSDL: true });
}

const extensionKinds: Partial<Record<Kind, Kind>> = {
  [Kind.OBJECT_TYPE_EXTENSION]: Kind.OBJECT_TYPE_DEFINITION,
  [Kind.INTERFACE_TYPE_EXTENSION]: Kind.INTERFACE_TYPE_DEFINITION,
  [Kind.UNION_TYPE_EXTENSION]: Kind.UNION_TYPE_DEFINITION,
  [Kind.ENUM_TYPE_EXTENSION]: Kind.ENUM_TYPE_DEFINITION,
  [Kind.INPUT_OBJECT_TYPE_EXTENSION]: Kind.INPUT_OBJECT_TYPE_DEFINITION,
  [Kind.SCALAR_TYPE_EXTENSION]: Kind.SCALAR_TYPE_DEFINITION,
};

function isDefinition(definition: DefinitionNode): definition is DefinitionNode & { name: { value: string } } {
  return definition.kind.endsWith('TypeDefinition') && 'name' in definition && definition.name !== undefined;
}
