import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuthorizationPolicy, ObjectPolicy, PolicyFunction } from '../src/security/authorization-config.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { notePolicies, startNotes, where } from './helpers/notes-gateway.ts';

// Policies decide synchronously when they can (no promise is made on the request's path), and
// asynchronously when they return promises: both paths must decide exactly alike.

/** A promise of `value` settled on a later turn of the event loop, as a policy asking a service would. */
const later = async <T>(value: T | Promise<T>): Promise<T> => {
  await new Promise((resolve) => setImmediate(resolve));
  return value;
};

/** The same policies, each answer promised instead of given; `only` limits it to those names. */
function promised(policies: Record<string, AuthorizationPolicy>, only?: readonly string[]): Record<string, AuthorizationPolicy> {
  return Object.fromEntries(
    Object.entries(policies).map(([name, policy]) => {
      if (only && !only.includes(name)) return [name, policy];
      if (typeof policy === 'function') return [name, ((input) => later(policy(input))) as PolicyFunction];
      const { beforeCall, onResult, requires } = policy;
      const wrapped: ObjectPolicy = { requires, onResult: (input) => later(onResult(input)) };
      if (beforeCall) wrapped.beforeCall = (input) => later(beforeCall(input));
      return [name, wrapped];
    }),
  );
}

/** An answer without its errors' request ids, which differ from request to request. */
const withoutRequestIds = (body: unknown) => JSON.parse(JSON.stringify(body, (key, value) => (key === 'requestId' ? undefined : value)));

const cases: Array<{ query: string; variables?: Record<string, unknown>; as?: string }> = [
  { query: 'query ($id: ID!) { account(id: $id) { name email } }', variables: { id: 'ada' }, as: 'bob' },
  { query: '{ account(id: "ada") { name email notes { text } } }', as: 'ada' },
  { query: '{ account(id: "ada") { email notes { text } } }' },
  { query: '{ account(id: "ada") { notes { text } } }', as: 'bob' },
  { query: '{ accounts { name email notes { id } } }', as: 'bob' },
  { query: '{ note(id: "n1") { text } notes { id } feed { id } }', as: 'bob' },
  { query: '{ notes { id } feed { ... on Note { text } } }', as: 'auditor' },
  { query: '{ accounts { ...Contact } first: feed { id } } fragment Contact on Account { mail: email }', as: 'ada' },
];

test('policies that answer with promises decide exactly as the same policies answering at once', async (t) => {
  const immediate = await startNotes(t);
  const deferred = await startNotes(t, { authorization: { policies: promised(notePolicies()) } });
  const mixed = await startNotes(t, { authorization: { policies: promised(notePolicies(), ['ownsNote']) } });
  for (const { query, variables, as } of cases) {
    const headers = (fixture: typeof immediate) => (as ? fixture.as(as) : {});
    const expected = await postGraphQL(immediate.gateway.endpoint, query, variables, headers(immediate));
    assert.ok(expected.body.data, `${query}: answered`);
    for (const [name, fixture] of [
      ['every policy promised', deferred],
      ['one policy promised', mixed],
    ] as const) {
      const actual = await postGraphQL(fixture.gateway.endpoint, query, variables, headers(fixture));
      assert.deepEqual(
        [actual.status, withoutRequestIds(actual.body)],
        [expected.status, withoutRequestIds(expected.body)],
        `${name}: ${query} as ${as ?? 'nobody'}`,
      );
      assert.deepEqual(fixture.upstreamQueries().at(-1), immediate.upstreamQueries().at(-1), `${name}: the service is asked the same`);
    }
  }
  assert.ok(
    where((await postGraphQL(deferred.gateway.endpoint, cases[0]!.query, cases[0]!.variables, deferred.as('bob'))).body.errors).some(
      ([, code]) => code === 'FORBIDDEN',
    ),
    'the cases include refusals',
  );
});

test('a policy that throws or rejects refuses, before the call and on the result alike', async (t) => {
  const failing = (kind: 'throws' | 'rejects') => (): never | Promise<never> => {
    if (kind === 'throws') throw new Error('policy store down');
    return Promise.reject(new Error('policy store down'));
  };
  for (const kind of ['throws', 'rejects'] as const) {
    const policies = notePolicies();
    const { requires } = policies['isSelf'] as ObjectPolicy;
    const { gateway, as, service } = await startNotes(t, {
      authorization: {
        policies: {
          ...policies,
          readsAll: failing(kind),
          isSelf: { beforeCall: () => undefined, requires, onResult: failing(kind) },
        },
      },
    });
    const before = service.requests.length;
    const response = await postGraphQL(gateway.endpoint, '{ account(id: "ada") { name email } notes { id } }', undefined, as('ada'));
    assert.deepEqual(response.body.data, { account: { name: 'Ada', email: null }, notes: null }, `${kind}: refused, the rest answered`);
    assert.deepEqual(
      where(response.body.errors),
      [
        ['account.email', 'FORBIDDEN', 'Reading Account.email is not allowed by policy isSelf.'],
        // readsAll fails, so only ownsNote can allow: Bob's note is refused, and nulls the list.
        ['notes.1', 'FORBIDDEN', 'Reading this Note is not allowed by policy ownsNote, or readsAll.'],
      ],
      `${kind}: each refusal on its path`,
    );
    assert.equal(service.requests.length - before, 1, `${kind}: one call`);
  }
});
