import type { PublishRequest, Registry } from '../../src/registry/create-registry.ts';

/** The users service: owns User; `usersByIds` is its merge entry point. */
export const usersSdl = /* GraphQL */ `
type User @key(selectionSet: "{ id }") {
  id: ID!
  name: String
  email: String
}

type Query {
  user(id: ID!): User
  usersByIds(ids: [ID!]!): [User]! @merge(keyField: "id") @inaccessible
}
`;

/** The reviews service: adds User.reviews and owns Review. */
export const reviewsSdl = /* GraphQL */ `
type User @key(selectionSet: "{ id }") {
  id: ID!
  reviews: [Review!]!
}

type Review {
  id: ID!
  body: String
  stars: Int
}

type Query {
  topReviews(first: Int): [Review!]!
  reviewUsers(ids: [ID!]!): [User]! @merge(keyField: "id") @inaccessible
}
`;

/** A first publish of a GraphQL service. */
export function newService(service: string, sdl: string, author = 'alice'): PublishRequest {
  return { service, sdl, kind: 'graphql', urls: [`http://${service}.internal:4000/graphql`], author };
}

/** Everything a change could touch: every service version, the newest graph, every check. */
export async function storeSnapshot(registry: Registry) {
  return { versions: await registry.store.serviceVersions(), graph: await registry.latestGraph(), checks: await registry.store.checks() };
}
