import { MapperKind, mapSchema, relocatedError } from '@graphql-tools/utils';
import { GraphQLError, defaultFieldResolver, responsePathAsArray, type GraphQLFieldResolver, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';

/**
 * When a batched merge fails (a service is down for a whole level of a query), stitching hands
 * every object of the level one error whose path has no list indices: `user.orders.payment`.
 * graphql-js keeps an error's path once it has one, so all of them would point nowhere. This gives
 * such an error the path of the field that returns it: `user.orders.3.payment`. Errors whose path
 * says more (a deeper field) are left as they are.
 */
export function locateMergedErrors(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.COMPOSITE_FIELD]: (field) => {
      const resolve = field.resolve ?? defaultFieldResolver;
      const wrapped: GraphQLFieldResolver<unknown, unknown> = (parent, args, context, info) => {
        const result = resolve(parent, args, context, info);
        if (result instanceof Promise) {
          return result.then(
            (value: unknown) => locate(value, info),
            (error: unknown) => {
              throw locate(error, info);
            },
          );
        }
        return locate(result, info);
      };
      return { ...field, resolve: wrapped };
    },
  });
}

function locate(value: unknown, info: GraphQLResolveInfo): unknown {
  if (!(value instanceof GraphQLError) || !value.path) return value;
  const path = responsePathAsArray(info.path);
  const withoutIndices = (segments: readonly (string | number)[]) => segments.filter((segment) => typeof segment === 'string').join('.');
  if (value.path.length < path.length && withoutIndices(value.path) === withoutIndices(path)) return relocatedError(value, path);
  return value;
}
