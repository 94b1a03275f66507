import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Source, getLocation, parse, type DocumentNode, type GraphQLError, type SourceLocation } from 'graphql';
import type { FeatureContext } from '../../config/feature-options.ts';
import { displayPath } from '../schema-error.ts';
import { joinGraphs, type JoinGraph } from './join-graphs.ts';

/** A supergraph SDL file and the subgraphs it lists. */
export interface SupergraphFile {
  /** Absolute path. */
  file: string;
  sdl: string;
  /** Every one has a `name`. */
  graphs: Array<JoinGraph & { name: string }>;
}

const reasons: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'a folder, not a file' };

/**
 * Reads a supergraph SDL file (relative to the config file) and lists its subgraphs. Problems are
 * recorded under `key`; one about the SDL names the file, line and column. `text`, when given, is
 * the file's content already read (a hot reload hashes what it read), and nothing is read again.
 */
export function readSupergraphFile(file: string, key: string, { check, baseDir }: FeatureContext, text?: string): SupergraphFile | undefined {
  const absolute = path.resolve(baseDir, file);
  const shown = displayPath(absolute);
  let sdl: string;
  try {
    sdl = text ?? readFileSync(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    check.fail(key, 'a readable supergraph SDL file', file, ` (${reasons[code] ?? code}: ${absolute})`);
    return undefined;
  }
  let document: DocumentNode;
  try {
    document = parse(new Source(sdl, shown));
  } catch (error) {
    check.problem(`${key}: ${at(shown, (error as GraphQLError).locations?.[0])}: ${(error as Error).message}`);
    return undefined;
  }
  const graphs = joinGraphs(document);
  if (!graphs || graphs.length === 0) {
    check.fail(
      key,
      'a supergraph SDL whose join__Graph enum lists its subgraphs (as `rover supergraph compose` writes it)',
      file,
      `, which has ${graphs ? 'an empty join__Graph' : 'no join__Graph enum'}`,
    );
    return undefined;
  }
  const named = graphs.flatMap((graph) => (graph.name === undefined ? [] : [{ ...graph, name: graph.name }]));
  for (const graph of graphs.filter((candidate) => candidate.name === undefined)) {
    const { loc } = graph.node;
    check.problem(
      `${key}: ${at(shown, loc && getLocation(loc.source, loc.start))}: expected @join__graph(name: "...", url: "...") on join__Graph value ${graph.value}, found none`,
    );
  }
  return named.length === graphs.length ? { file: absolute, sdl, graphs: named } : undefined;
}

/** `file:line:column`, as editors and terminals link it. */
function at(file: string, location: SourceLocation | undefined): string {
  return location ? `${file}:${location.line}:${location.column}` : file;
}
