import { readFile } from 'node:fs/promises';
import { buildClientSchema, getIntrospectionQuery, parse, printSchema, type IntrospectionQuery } from 'graphql';
import type { NormalizedSource } from '../../config/normalize-config.ts';
import { createHttpClient, type HttpClient } from '../../transport/http-client.ts';
import { buildSourceSchema, compositionDirectives } from '../build-source-schema.ts';
import type { LoadedSource } from '../loaded-source.ts';
import { SchemaError, displayPath } from '../schema-error.ts';
import { createGraphQLExecutor } from './create-graphql-executor.ts';

/**
 * A GraphQL service as a subschema. Its schema is the registered SDL file, or the service's answer
 * to introspection at start-up (its `_sdl` field when it has one, so merge directives survive).
 */
export async function loadGraphQLSource(source: NormalizedSource): Promise<LoadedSource> {
  const client = createHttpClient({ service: source.name, url: source.url, timeout: source.timeout, connections: source.connections, headers: source.headers });
  try {
    const sdl = source.schemaFrom === 'file' ? await readRegistered(source) : await introspect(source, client);
    const schema = buildSourceSchema(sdl, source.schemaFrom === 'file' ? displayPath(source.schemaPath) : `${source.name} (introspection)`, [compositionDirectives]);
    return {
      name: source.name,
      kind: 'graphql',
      sdl,
      subschema: { name: source.name, schema, executor: createGraphQLExecutor(source, client), batch: source.batch },
      close: () => client.close(),
    };
  } catch (error) {
    await client.close();
    throw error;
  }
}

/** Reads a source's registered SDL file. */
export async function readRegistered(source: NormalizedSource): Promise<string> {
  try {
    return await readFile(source.schemaPath, 'utf8');
  } catch {
    throw new SchemaError([`sources.${source.name}: expected a registered schema at ${displayPath(source.schemaPath)}, found no readable file`]);
  }
}

async function introspect(source: NormalizedSource, client: HttpClient): Promise<string> {
  const ask = async <T>(query: string): Promise<T> => {
    const executor = createGraphQLExecutor(source, client);
    const result = (await executor({ document: parse(query) })) as { data?: T; errors?: readonly { message: string }[] };
    if (!result.data) throw new Error(result.errors?.map((error) => error.message).join('; ') ?? 'no data');
    return result.data;
  };
  try {
    const schema = buildClientSchema(await ask<IntrospectionQuery>(getIntrospectionQuery()));
    if (schema.getQueryType()?.getFields()['_sdl']) return (await ask<{ _sdl: string }>('{ _sdl }'))._sdl;
    return printSchema(schema);
  } catch (error) {
    throw new SchemaError([`sources.${source.name}: introspection of the service failed: ${(error as Error).message}`]);
  }
}
