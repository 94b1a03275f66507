import { readFile } from 'node:fs/promises';
import { schemaFromExecutor } from '@graphql-tools/wrap';
import { parse, printSchema } from 'graphql';
import type { NormalizedSource } from '../../config/normalize-config.ts';
import { createSourceClient } from '../create-source-client.ts';
import type { OnFetch } from '../../transport/fetch-hooks.ts';
import type { InstancePools } from '../../transport/instance-pools.ts';
import type { HttpClient } from '../../transport/http-client.ts';
import { buildSourceSchema, compositionDirectives } from '../build-source-schema.ts';
import type { LoadedSource } from '../loaded-source.ts';
import { SchemaError, displayPath } from '../schema-error.ts';
import { createGraphQLExecutor } from './create-graphql-executor.ts';

/**
 * A GraphQL service as a subschema. Its schema is the registered SDL file, or the service's answer
 * to introspection at start-up (its `_sdl` field when it has one, so merge directives survive).
 */
export async function loadGraphQLSource(source: NormalizedSource, onFetch?: OnFetch, pools?: InstancePools): Promise<LoadedSource> {
  const client = createSourceClient(source, onFetch, pools);
  try {
    const fromService = source.schemaFrom === 'introspection' && !source.registered;
    const sdl = fromService ? await introspect(source, client) : await readRegistered(source);
    const schema = buildSourceSchema(sdl, fromService ? `${source.name} (introspection)` : registeredName(source), [compositionDirectives]);
    return {
      name: source.name,
      kind: 'graphql',
      sdl,
      subschema: { name: source.name, schema, executor: createGraphQLExecutor(source, client), batch: source.batch },
      client,
      close: () => client.close(),
    };
  } catch (error) {
    await client.close();
    throw error;
  }
}

/** Reads a source's registered SDL: the registry's when it gave one, else the file's. */
export async function readRegistered(source: NormalizedSource): Promise<string> {
  if (source.registered) return source.registered.sdl;
  try {
    return await readFile(source.schemaPath, 'utf8');
  } catch {
    throw new SchemaError([`sources.${source.name}: expected a registered schema at ${displayPath(source.schemaPath)}, found no readable file`]);
  }
}

/** How problems name a source's registered SDL: the registry's name for it, or the file's path. */
export function registeredName(source: NormalizedSource): string {
  return source.registered?.name ?? displayPath(source.schemaPath);
}

async function introspect(source: NormalizedSource, client: HttpClient): Promise<string> {
  const executor = createGraphQLExecutor(source, client);
  try {
    const schema = await schemaFromExecutor(executor);
    if (!schema.getQueryType()?.getFields()['_sdl']) return printSchema(schema);
    const result = (await executor({ document: parse('{ _sdl }') })) as { data?: { _sdl?: unknown }; errors?: readonly { message: string }[] };
    if (typeof result.data?._sdl !== 'string') throw new Error(result.errors?.map((error) => error.message).join('; ') ?? '_sdl is not a string');
    return result.data._sdl;
  } catch (error) {
    throw new SchemaError([`sources.${source.name}: introspection of the service failed: ${(error as Error).message}`]);
  }
}
