import assert from 'node:assert/strict';
import type { GraphQLResponse } from './graphql-request.ts';

/**
 * A response's body without `extensions.requestId` on its errors, after checking that each error
 * carries the id of the response's `x-request-id` header: for tests that compare a whole body.
 */
export function withoutRequestId<TData>(response: GraphQLResponse<TData>): GraphQLResponse<TData>['body'] {
  const requestId = response.headers.get('x-request-id');
  assert.ok(requestId, 'the response has an x-request-id');
  if (!response.body.errors) return response.body;
  const errors = response.body.errors.map(({ extensions = {}, ...error }) => {
    const { requestId: carried, ...rest } = extensions;
    assert.equal(carried, requestId, `the error "${error.message}" carries the request id`);
    return { ...error, extensions: rest };
  });
  return { ...response.body, errors };
}
