import type { NormalizedSource } from '../../config/normalize-config.ts';
import type { OnFetch } from '../../transport/fetch-hooks.ts';
import type { InstancePools } from '../../transport/instance-pools.ts';
import { createSourceClient } from '../create-source-client.ts';
import { buildSourceSchema, compositionDirectives, readDirectives } from '../build-source-schema.ts';
import { readRegistered, registeredName } from '../graphql/load-graphql-source.ts';
import type { LoadedSource } from '../loaded-source.ts';
import { SchemaError } from '../schema-error.ts';
import { createRestResolver, type RequestState } from './create-rest-resolver.ts';
import { ObjectSlot } from '../../object-slot.ts';
import { createInProcessExecutor } from './execute-in-process.ts';
import { readRestMappings } from './read-rest-mappings.ts';

const restDirectives = readDirectives(new URL('./directives.graphql', import.meta.url));

/**
 * A REST service as a local subschema: its registered SDL with `@http`, `@ref` and `@stub`
 * directives becomes resolvers that call the service. Stitching executes it in-process, so
 * every HTTP call is made, batched and deduplicated here.
 */
export async function loadRestSource(source: NormalizedSource, onFetch?: OnFetch, pools?: InstancePools): Promise<LoadedSource> {
  const sdl = await readRegistered(source);
  const schema = buildSourceSchema(sdl, registeredName(source), [compositionDirectives, restDirectives]);
  const { mappings, problems } = readRestMappings(schema);
  if (problems.length > 0) throw new SchemaError(problems.map((problem) => `${registeredName(source)}: ${problem}`));
  const client = createSourceClient(source, onFetch, pools);
  const runtime = {
    service: source.name,
    client,
    forwardHeaders: source.forwardHeaders,
    maxBatchSize: source.maxBatchSize,
    requestStates: new ObjectSlot<object, RequestState>(`${source.name} REST calls`),
  };
  for (const [field, mapping] of mappings) field.resolve = createRestResolver(mapping, runtime, field.type);
  return {
    name: source.name,
    kind: 'rest',
    sdl,
    subschema: { name: source.name, schema, batch: false },
    plannedExecutor: createInProcessExecutor(schema),
    client,
    close: () => client.close(),
  };
}
