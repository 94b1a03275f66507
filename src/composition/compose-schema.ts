import { getDefaultFieldConfigMerger, stitchSchemas, ValidationLevel, type MergeFieldConfigCandidate } from '@graphql-tools/stitch';
import { stitchingDirectives } from '@graphql-tools/stitching-directives';
import { filterSchema, pruneSchema } from '@graphql-tools/utils';
import { specifiedDirectives, type GraphQLSchema } from 'graphql';
import { executableDirectives } from '../execution/executable-directives.ts';
import type { FederationStitching, LoadedSource } from '../sources/loaded-source.ts';
import { fieldsTypedPerSubgraph, findTypeConflicts } from './find-type-conflicts.ts';
import { inaccessibleElements } from './inaccessible-elements.ts';
import { locateMergedErrors } from './locate-merged-errors.ts';
import { withSupergraphFieldTypes } from './shared-field-types.ts';
import { SchemaError } from '../sources/schema-error.ts';

const { stitchingDirectivesTransformer } = stitchingDirectives();

/**
 * Stitches the sources into the one schema clients see. Types with the same name merge by their
 * `@key`s; a conflict between services' definitions is an error; whatever `@inaccessible` marks
 * (merge entry points; federation's types, fields, arguments, input fields and enum values) and
 * the composition directives are left out of the result. Federation subgraphs
 * come with their supergraph's definitions and field merger, and their `_entities`/`_service`
 * plumbing is left out too.
 */
export function composeSchema(sources: readonly LoadedSource[]): GraphQLSchema {
  const conflicts = findTypeConflicts(sources);
  if (conflicts.length > 0) throw new SchemaError(conflicts.map((conflict) => `composition: ${conflict}`));
  const supergraph = sources.find((source) => source.supergraph)?.supergraph;
  let stitched: GraphQLSchema;
  try {
    stitched = stitchSchemas({
      subschemas: sources.map((source) => source.subschema),
      subschemaConfigTransforms: [stitchingDirectivesTransformer],
      ...(supergraph ? { typeDefs: supergraph.typeDefs } : {}),
      typeMergingOptions: {
        validationSettings: { validationLevel: ValidationLevel.Error },
        // Federation subgraphs may type a shared field differently (`@join__field(type:)`): their composition checked it.
        validationScopes: Object.fromEntries(fieldsTypedPerSubgraph(sources).map((coordinate) => [coordinate, { validationLevel: ValidationLevel.Off }])),
        ...(supergraph ? { fieldConfigMerger: federationAwareMerger(sources, supergraph) } : {}),
      },
    });
  } catch (error) {
    throw new SchemaError([`composition: ${(error as Error).message}`]);
  }
  const composed = supergraph ? executableDirectives(supergraph.document) : new Set<string>();
  const hidden = new Set([
    ...sources.flatMap((source) => [...inaccessibleElements(source.subschema.schema, source.supergraph?.document)]),
    ...(supergraph ? federationPlumbing : []),
  ]);
  return locateMergedErrors(
    pruneSchema(
      filterSchema({
        schema: stitched,
        typeFilter: (typeName) => !hidden.has(typeName),
        rootFieldFilter: (operation, fieldName) => !hidden.has(`${operation}.${fieldName}`),
        objectFieldFilter: (typeName, fieldName) => !hidden.has(`${typeName}.${fieldName}`),
        interfaceFieldFilter: (typeName, fieldName) => !hidden.has(`${typeName}.${fieldName}`),
        inputObjectFieldFilter: (typeName, fieldName) => !hidden.has(`${typeName}.${fieldName}`),
        argumentFilter: (typeName, fieldName, argumentName) => !hidden.has(`${typeName}.${fieldName}(${argumentName}:)`),
        enumValueFilter: (typeName, valueName) => !hidden.has(`${typeName}.${valueName}`),
        // Composition directives are read from the sources; clients keep @include, @skip, @deprecated...,
        // and the executable directives the supergraph composed (@composeDirective), which the planner passes on.
        directiveFilter: (name) => specifiedDirectives.some((directive) => directive.name === name) || composed.has(name),
      }),
    ),
  );
}

const federationPlumbing = ['Query._entities', 'Query._service'];

/** Fields only federation subgraphs offer merge as federation says; every other field as before. */
function federationAwareMerger(sources: readonly LoadedSource[], supergraph: FederationStitching) {
  const subgraphs = new Set(sources.filter((source) => source.supergraph).map((source) => source.subschema));
  const merge = getDefaultFieldConfigMerger();
  const federationMerge = withSupergraphFieldTypes(supergraph.fieldConfigMerger, supergraph.document);
  return (candidates: MergeFieldConfigCandidate[]) =>
    candidates.every((candidate) => candidate.subschema !== undefined && subgraphs.has(candidate.subschema as never))
      ? federationMerge(candidates)
      : merge(candidates);
}
