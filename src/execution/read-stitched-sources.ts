import type { MergedTypeConfig, MergedTypeEntryPoint } from '@graphql-tools/delegate';
import { stitchingDirectives } from '@graphql-tools/stitching-directives';
import { Kind, isInterfaceType, isObjectType, isUnionType, type GraphQLInterfaceType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import type { LoadedSource } from '../sources/loaded-source.ts';
import { entryPointArguments, type ArgsFromKeys, type KeyOf } from './entry-point-arguments.ts';
import { addMember, fieldSet, type FieldInGraph, type MergeEntry, type Supergraph, type SupergraphType, type TypeInGraph } from './read-supergraph.ts';

const { stitchingDirectivesTransformer } = stitchingDirectives();

/** One source's definition of a field, before deciding which sources answer it. */
interface Definition {
  graph: string;
  canonical: boolean;
  /** The field is part of the source's `@key` of the type: the source answers it whatever `@canonical` says. */
  key: boolean;
  type?: string;
}

/**
 * The graph model of graphql and rest sources, read from the merge config stitching itself makes of
 * their stitching directives: each type's sources, the `@key(selectionSet:)` a source resolves it by
 * and its `@merge` entry point (`usersByIds(ids:)`; a REST `@stub` merge is one too), and which
 * sources answer each field. A field several sources define is answered by the `@canonical` one
 * (and by every source whose key it is part of); a root field several sources define without one
 * canonical definition, and `@computed` fields, are left to stitching (`unplannable`).
 */
export function readStitchedSources(schema: GraphQLSchema, sources: readonly LoadedSource[]): Supergraph {
  const types = new Map<string, SupergraphType>();
  const members = new Map<string, Map<string, Set<string>>>();
  const unplannable = new Map<string, string>();
  const definitions = new Map<string, Definition[]>();
  const roots = new Set<SupergraphType>();
  for (const source of sources) {
    const config = stitchingDirectivesTransformer(source.subschema);
    const sourceSchema = config.schema;
    const rootNames = new Map<unknown, string | undefined>([
      [sourceSchema.getQueryType(), schema.getQueryType()?.name],
      [sourceSchema.getMutationType(), schema.getMutationType()?.name],
    ]);
    for (const type of Object.values(sourceSchema.getTypeMap())) {
      if (type.name.startsWith('__') || type === sourceSchema.getSubscriptionType()) continue;
      if (isUnionType(type) || isInterfaceType(type)) {
        for (const member of sourceSchema.getPossibleTypes(type)) addMember(members, type.name, member.name, source.name);
      }
      if (!isObjectType(type) && !isInterfaceType(type)) continue;
      const isRoot = rootNames.has(type);
      const name = isRoot ? rootNames.get(type) : type.name;
      const gatewayType = name === undefined ? undefined : schema.getType(name);
      if (!gatewayType || (!isObjectType(gatewayType) && !isInterfaceType(gatewayType))) continue;
      const model = typeModel(types, gatewayType);
      if (isRoot) roots.add(model);
      const merged = config.merge?.[type.name];
      if (!isRoot) model.graphs.set(source.name, typeInGraph(merged, sourceSchema));
      const keyFields = new Set(
        [merged, ...(merged?.entryPoints ?? [])]
          .flatMap((point) => (point?.selectionSet ? fieldSet(point.selectionSet).selections : []))
          .flatMap((selection) => (selection.kind === Kind.FIELD ? [selection.name.value] : [])),
      );
      for (const field of Object.values(type.getFields())) {
        const gatewayField = gatewayType.getFields()[field.name];
        if (!gatewayField) continue;
        const coordinate = `${model.name}.${field.name}`;
        const fieldConfig = merged?.fields?.[field.name];
        if (fieldConfig?.computed || fieldConfig?.selectionSet)
          unplannable.set(coordinate, `${coordinate} is @computed in ${source.name}: computed fields go through stitching`);
        const typeInGraph = String(field.type) === String(gatewayField.type) ? undefined : String(field.type);
        const list = definitions.get(coordinate) ?? [];
        definitions.set(coordinate, list);
        list.push({
          graph: source.name,
          canonical: Boolean(fieldConfig?.canonical ?? merged?.canonical),
          key: keyFields.has(field.name),
          ...(typeInGraph ? { type: typeInGraph } : {}),
        });
      }
    }
  }
  for (const [coordinate, list] of definitions) {
    const [typeName = '', fieldName = ''] = coordinate.split('.');
    const model = types.get(typeName) as SupergraphType;
    const canonical = list.filter((definition) => definition.canonical);
    const answering =
      list.length > 1 && canonical.length > 0 ? list.filter((definition) => definition.canonical || (!roots.has(model) && definition.key)) : list;
    if (roots.has(model) && answering.length > 1)
      unplannable.set(coordinate, `${coordinate} is defined by ${answering.map((definition) => definition.graph).join(', ')} and none is @canonical`);
    const byGraph = new Map<string, FieldInGraph>();
    for (const { graph, type } of answering) byGraph.set(graph, { external: false, usedOverridden: false, overrideLabel: false, ...(type ? { type } : {}) });
    model.fields.set(fieldName, byGraph);
  }
  return { types, members, hiddenEnumValues: new Map(), unplannable };
}

function typeModel(types: Map<string, SupergraphType>, gatewayType: GraphQLObjectType | GraphQLInterfaceType): SupergraphType {
  let model = types.get(gatewayType.name);
  if (!model) {
    model = {
      name: gatewayType.name,
      isObject: isObjectType(gatewayType),
      graphs: new Map(),
      fields: new Map(),
      interfaces: gatewayType.getInterfaces().map((type) => type.name),
    };
    types.set(model.name, model);
  }
  return model;
}

/** A source's keys of a type: the selection set of its batched `@merge` entry point, if it has one. */
function typeInGraph(merged: MergedTypeConfig | undefined, sourceSchema: GraphQLSchema): TypeInGraph {
  const point = [...(merged?.entryPoints ?? []), ...(merged ? [merged] : [])].find(
    (candidate: MergedTypeEntryPoint) => candidate.fieldName && candidate.selectionSet && candidate.key && candidate.argsFromKeys,
  );
  const field = point?.fieldName ? sourceSchema.getQueryType()?.getFields()[point.fieldName] : undefined;
  if (!point?.selectionSet || !point.key || !point.argsFromKeys || !field) return { keys: [], isInterfaceObject: false };
  const keys = fieldSet(point.selectionSet);
  const entry: MergeEntry = {
    fieldName: field.name,
    arguments: field.args.map((argument) => ({ name: argument.name, type: String(argument.type) })),
    argumentsFor: entryPointArguments(point.key as KeyOf, point.argsFromKeys as ArgsFromKeys, keys),
  };
  return { keys: [keys], isInterfaceObject: false, entry };
}
