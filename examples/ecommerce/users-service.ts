import { GraphQLError } from 'graphql';
import type { Resolvers } from '../../generated/users-resolvers.ts';
import { startGraphQLService } from './graphql-service.ts';
import { seed, type SeedData } from './seed.ts';
import type { RunningService, ServiceOptions } from './service-host.ts';

const MAX_PAGE_SIZE = 100;

/** Resolvers of the users service (`schemas/users.graphql`) over `data`. */
export function createUsersResolvers(data: SeedData = seed): Resolvers {
  return {
    Query: {
      me: (_parent, _args, context: { request: Request }) => data.usersById.get(context.request.headers.get('x-user-id') ?? '') ?? null,
      user: (_parent, { id }) => data.usersById.get(id) ?? null,
      users: (_parent, args) => {
        const first = args.first ?? 20;
        const offset = args.offset ?? 0;
        if (first < 0 || first > MAX_PAGE_SIZE) {
          throw new GraphQLError(`"first" must be from 0 to ${MAX_PAGE_SIZE}`, { extensions: { code: 'BAD_USER_INPUT' } });
        }
        if (offset < 0) throw new GraphQLError('"offset" must not be negative', { extensions: { code: 'BAD_USER_INPUT' } });
        return data.users.slice(offset, offset + first);
      },
      usersByIds: (_parent, { ids }) => ids.map((id) => data.usersById.get(id) ?? null),
    },
  };
}

/** Starts the users GraphQL service. */
export function startUsersService(options: ServiceOptions = {}): Promise<RunningService> {
  return startGraphQLService('users', createUsersResolvers(), options);
}
