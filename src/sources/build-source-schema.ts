import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GraphQLError, Kind, Source, type DefinitionNode, buildASTSchema, concatAST, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { validateSDL } from 'graphql/validation/validate.js';
import { SchemaError } from './schema-error.ts';

/** The directive definitions every registered schema may use (composition's), as a document. */
export const compositionDirectives = readDirectives(new URL('../composition/directives.graphql', import.meta.url));

/** Reads a directives file shipped beside the code. */
export function readDirectives(url: URL): DocumentNode {
  return parse(new Source(readFileSync(url, 'utf8'), path.basename(url.pathname)));
}

/**
 * Builds a source's schema from its SDL plus the directive definitions it may use. Mistakes
 * (syntax, unknown types or directives) become a {@link SchemaError} naming the file, line and column.
 */
export function buildSourceSchema(sdl: string, file: string, directives: readonly DocumentNode[]): GraphQLSchema {
  let document: DocumentNode;
  try {
    const nameOf = (definition: DefinitionNode) =>
      definition.kind === Kind.DIRECTIVE_DEFINITION ? `@${definition.name.value}` : 'name' in definition && definition.name ? definition.name.value : '';
    const provided = new Set(directives.flatMap((doc) => doc.definitions.map(nameOf)).filter(Boolean));
    const own = parse(new Source(sdl, file));
    // An SDL that defines a directive (or its enum) we provide, as an introspected service prints them, uses ours.
    const definitions = own.definitions.filter((definition) => !provided.has(nameOf(definition)));
    document = concatAST([...directives, { ...own, definitions }]);
  } catch (error) {
    throw new SchemaError([describe(error, file)]);
  }
  const problems = validateSDL(document);
  if (problems.length > 0) throw new SchemaError(problems.map((problem) => describe(problem, file)));
  return buildASTSchema(document, { assumeValidSDL: true });
}

function describe(error: unknown, file: string): string {
  if (!(error instanceof GraphQLError)) return `${file}: ${(error as Error).message}`;
  const [location] = error.locations ?? [];
  const where = error.source?.name ?? file;
  return `${where}${location ? `:${location.line}:${location.column}` : ''}: ${error.message}`;
}
