import type { Reference, SubgraphOptions } from './federation-subgraph.ts';
import { link } from './federation-subgraph.ts';

/**
 * An entity interface and an `@interfaceObject`: `media` defines `interface Media @key(fields: "id")`
 * with its implementations Book and Movie; `ratings` knows only `type Media @interfaceObject` and
 * adds `rating` and `similar` to every Media ({@link withBlurb} adds `blurb`, which `@requires` the
 * interface's `title`).
 */
export const library = [
  { __typename: 'Book', id: 'm1', title: 'Dune', author: 'Herbert' },
  { __typename: 'Movie', id: 'm2', title: 'Alien', director: 'Scott' },
  { __typename: 'Book', id: 'm3', title: 'Emma', author: 'Austen' },
];
const ratings: Record<string, number> = { m1: 5, m2: 4, m3: 3 };
const similar: Record<string, string[]> = { m1: ['m3', 'm2'], m2: ['m1'], m3: [] };
const byId = (id: unknown) => library.find((item) => item.id === id);

export const mediaSubgraphs: Record<string, SubgraphOptions> = {
  media: {
    sdl: `${link('key')}
      interface Media @key(fields: "id") { id: ID! title: String! }
      type Book implements Media @key(fields: "id") { id: ID! title: String! author: String! }
      type Movie implements Media @key(fields: "id") { id: ID! title: String! director: String! }
      type Query { library: [Media!]! book(id: ID!): Book }`,
    resolvers: {
      Query: { library: () => library, book: (_: unknown, { id }: { id: string }) => byId(id) },
      Media: { __resolveType: (value: Reference) => value.__typename },
    },
    entities: ['Book', 'Movie'],
    // A representation as the interface (`__typename: "Media"`) is answered with its concrete type.
    resolve: (reference) => {
      const item = byId(reference['id']);
      return item && (reference.__typename === 'Media' || reference.__typename === item.__typename) ? item : null;
    },
  },
  ratings: {
    sdl: `${link('key', 'interfaceObject')}
      type Media @key(fields: "id") @interfaceObject { id: ID! rating: Int! similar: [Media!]! }
      type Query { topRated: [Media!]! }`,
    resolvers: {
      Query: { topRated: () => [{ id: 'm2' }, { id: 'm1' }] },
      Media: {
        rating: (item: Reference) => ratings[item['id'] as string],
        similar: (item: Reference) => (similar[item['id'] as string] ?? []).map((id) => ({ id })),
      },
    },
    entities: ['Media'],
    resolve: (reference) => (reference.__typename === 'Media' ? { ...reference } : null),
  },
};

/** {@link mediaSubgraphs} where `ratings` also answers `blurb`, which `@requires` the `title` only `media` resolves. */
export const withBlurb: Record<string, SubgraphOptions> = {
  ...mediaSubgraphs,
  ratings: {
    ...(mediaSubgraphs['ratings'] as SubgraphOptions),
    sdl: `${link('key', 'interfaceObject', 'external', 'requires')}
      type Media @key(fields: "id") @interfaceObject {
        id: ID! rating: Int! similar: [Media!]!
        title: String! @external
        blurb: String! @requires(fields: "title")
      }
      type Query { topRated: [Media!]! }`,
    resolvers: {
      ...mediaSubgraphs['ratings']?.resolvers,
      Media: {
        ...mediaSubgraphs['ratings']?.resolvers?.['Media'],
        blurb: (item: Reference) => {
          if (typeof item['title'] !== 'string') throw new Error('the required title is missing');
          return `${item['title']} (${ratings[item['id'] as string]}/5)`;
        },
      },
    },
  },
};
