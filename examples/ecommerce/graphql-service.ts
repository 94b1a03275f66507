import { readFile } from 'node:fs/promises';
import { createSchema, createYoga } from 'graphql-yoga';
import { listenService, type RunningService, type ServiceOptions } from './service-host.ts';

const COMPOSITION_DIRECTIVES = new URL('../../src/composition/directives.graphql', import.meta.url);

/** Resolvers as graphql-yoga's `createSchema` accepts them. */
export type ServiceResolvers = NonNullable<Parameters<typeof createSchema>[0]['resolvers']>;

/** The type definitions of the GraphQL service `schemaName`: the composition directives followed by `schemas/<schemaName>.graphql`. */
export async function loadServiceTypeDefs(schemaName: string): Promise<string> {
  const [directives, schema] = await Promise.all([
    readFile(COMPOSITION_DIRECTIVES, 'utf8'),
    readFile(new URL(`../../schemas/${schemaName}.graphql`, import.meta.url), 'utf8'),
  ]);
  return `${directives}\n${schema}`;
}

/** Serves `resolvers` over the SDL of `schemas/<name>.graphql` with graphql-yoga at `/graphql`. */
export async function startGraphQLService(name: string, resolvers: ServiceResolvers, options: ServiceOptions = {}): Promise<RunningService> {
  const yoga = createYoga({
    schema: createSchema({ typeDefs: await loadServiceTypeDefs(name), resolvers }),
    graphqlEndpoint: '/graphql',
    graphiql: false,
    landingPage: false,
    logging: false,
  });
  return listenService(name, (req, res) => yoga(req, res), options);
}
