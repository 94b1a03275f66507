import type { TestContext } from 'node:test';
import type { GraphQLSchema } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { json, startFixtureServer, type FixtureServer } from './fixture-server.ts';

/** An `_entities` representation: the key fields and the typename. */
export type Reference = Record<string, unknown> & { __typename: string };

/** Federation v2 definitions a hand-written subgraph's SDL may use. */
export const federationDefinitions = /* GraphQL */ `
  scalar link__Import
  directive @link(url: String!, import: [link__Import]) repeatable on SCHEMA
  directive @key(fields: String!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE
  directive @shareable repeatable on OBJECT | FIELD_DEFINITION
  directive @external on OBJECT | FIELD_DEFINITION
  directive @requires(fields: String!) on FIELD_DEFINITION
  directive @provides(fields: String!) on FIELD_DEFINITION
  directive @override(from: String!, label: String) on FIELD_DEFINITION
  directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
  directive @interfaceObject on OBJECT
  directive @composeDirective(name: String!) repeatable on SCHEMA
  scalar _Any
  type _Service { sdl: String! }
`;

/** The `@link` line importing federation directives by name (Federation 2.3). */
export const link = (...names: string[]) => linkAt('2.3', ...names);

/** The `@link` line of a given Federation version (`2.7` for `@override(label:)`), importing directives by name. */
export const linkAt = (version: string, ...names: string[]) =>
  `extend schema @link(url: "https://specs.apollo.dev/federation/v${version}", import: [${names.map((name) => `"@${name}"`).join(', ')}])`;

/** What a hand-written subgraph is made of. */
export interface SubgraphOptions {
  sdl: string;
  resolvers?: Record<string, Record<string, unknown>>;
  /** The object types of its `_Entity` union; none means no `_entities` field (only non-resolvable keys). */
  entities?: string[];
  /** Answers one representation: the entity's fields (a concrete `__typename` when the reference names an interface), null, or an error for that entity alone. */
  resolve?: (reference: Reference) => Record<string, unknown> | Error | null | undefined;
}

/**
 * The executable schema of a Federation v2 subgraph written by hand: `_service { sdl }` answers the
 * SDL as written, and `_entities` answers each representation through `resolve`.
 */
export function subgraphSchema({ sdl, resolvers = {}, entities = [], resolve = () => null }: SubgraphOptions): GraphQLSchema {
  const query = /\btype Query\b/.test(sdl) ? 'extend type Query' : 'type Query';
  return createSchema({
    typeDefs: [
      federationDefinitions,
      sdl,
      `${entities.length > 0 ? `union _Entity = ${entities.join(' | ')}` : ''} ${query} { _service: _Service! ${entities.length > 0 ? '_entities(representations: [_Any!]!): [_Entity]!' : ''} }`,
    ],
    resolvers: {
      ...resolvers,
      ...(entities.length > 0 ? { _Entity: { __resolveType: (value: Reference) => value.__typename } } : {}),
      Query: {
        ...resolvers['Query'],
        _service: () => ({ sdl }),
        ...(entities.length > 0
          ? {
              _entities: (_: unknown, { representations }: { representations: Reference[] }) =>
                representations.map((reference) => {
                  const resolved = resolve(reference);
                  return resolved === null || resolved === undefined || resolved instanceof Error
                    ? (resolved ?? null)
                    : { __typename: reference.__typename, ...resolved };
                }),
            }
          : {}),
      },
    },
  });
}

/** A hand-written subgraph served on a free port, with the requests it received. */
export interface SubgraphServer {
  /** Its GraphQL endpoint. */
  url: string;
  requests: FixtureServer['requests'];
  /** The GraphQL documents it was sent, in order. */
  queries(): string[];
  /** The representations of each `_entities` call it was sent, in order. */
  representations(): Reference[][];
}

/** Serves {@link subgraphSchema} over HTTP on a free port; closed when the test ends. */
export async function serveSubgraph(t: TestContext, options: SubgraphOptions): Promise<SubgraphServer> {
  const yoga = createYoga({ logging: false, schema: subgraphSchema(options) });
  const server = await startFixtureServer(t, async (request, response) => {
    const answer = await yoga.fetch(`http://subgraph${request.url}`, {
      method: request.method,
      headers: { 'content-type': 'application/json' },
      body: request.body || undefined,
    });
    json(response, answer.status, await answer.json());
  });
  const bodies = () => server.requests.map((request) => JSON.parse(request.body) as { query: string; variables?: { representations?: Reference[] } });
  return {
    url: `${server.url}/graphql`,
    requests: server.requests,
    queries: () => bodies().map((body) => body.query),
    representations: () => bodies().flatMap((body) => (body.variables?.representations ? [body.variables.representations] : [])),
  };
}
