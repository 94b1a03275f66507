import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { mergeServerHooks } from '../src/server/merge-server-hooks.ts';

const schema = createSchema({ typeDefs: 'type Query { hello: String }', resolvers: { Query: { hello: () => 'world' } } });

/** A Yoga server over `plugins`, merged as the gateway merges its own. */
function serve(plugins: Plugin[]) {
  return createYoga({ schema, logging: false, plugins: mergeServerHooks(plugins) });
}

const ask = (yoga: ReturnType<typeof serve>, path = '/graphql') =>
  yoga.fetch(`http://localhost${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ hello }' }) });

test('request and response hooks run in plugin order, an async one making the later ones wait; other hooks stay', async () => {
  const calls: string[] = [];
  const yoga = serve([
    { onRequest: () => void calls.push('request 1'), onResponse: () => void calls.push('response 1') },
    {
      onRequest: async () => {
        await new Promise((resolve) => setImmediate(resolve));
        calls.push('request 2 (async)');
      },
      onParams: () => void calls.push('params'),
    },
    { onRequest: () => void calls.push('request 3'), onResponse: async () => void calls.push('response 3 (async)') },
    { onResponse: () => void calls.push('response 4') },
  ]);
  const response = await ask(yoga);
  assert.deepEqual(await response.json(), { data: { hello: 'world' } });
  assert.deepEqual(calls, ['request 1', 'request 2 (async)', 'request 3', 'params', 'response 1', 'response 3 (async)', 'response 4']);
});

test('endResponse with a response stops the later request hooks; setResponse and setRequest are seen by the later hooks', async () => {
  const calls: string[] = [];
  const yoga = serve([
    {
      onRequest: ({ url, endResponse }) => {
        calls.push('guard');
        if (url.pathname === '/refused') endResponse(new Response('no', { status: 403 }));
      },
    },
    {
      onRequest: ({ request, setRequest, fetchAPI }) => {
        calls.push('rewrite');
        setRequest(new fetchAPI.Request(request, { headers: { ...Object.fromEntries(request.headers), 'x-seen': 'yes' } }));
      },
    },
    { onRequest: ({ request }) => void calls.push(`after rewrite: ${request.headers.get('x-seen')}`) },
    { onResponse: ({ response, setResponse }) => setResponse(new Response(response.body, { status: response.status, headers: { 'x-first': '1' } })) },
    { onResponse: ({ response }) => void response.headers.set('x-second', response.headers.get('x-first') === '1' ? 'saw first' : 'missed') },
  ]);

  const refused = await ask(yoga, '/refused');
  assert.equal(refused.status, 403);
  assert.equal(await refused.text(), 'no');
  assert.deepEqual(calls, ['guard'], 'no request hook after the one that ended the response');
  assert.equal(refused.headers.get('x-second'), 'saw first', 'response hooks still run on an ended response');

  calls.length = 0;
  const answered = await ask(yoga);
  assert.equal(answered.status, 200);
  assert.deepEqual(calls, ['guard', 'rewrite', 'after rewrite: yes']);
  assert.equal(answered.headers.get('x-second'), 'saw first');
});

test('params and result-process hooks see what the earlier ones set, and the answer is what the last one left', async () => {
  const yoga = serve([
    { onParams: ({ params, setParams }) => setParams({ ...params, query: '{ hello, again: hello }' }) },
    {
      onParams: async ({ params, setParams }) => {
        await new Promise((resolve) => setImmediate(resolve));
        setParams({ ...params, query: `${params.query?.slice(0, -1)} __typename }` });
      },
    },
    {
      onResultProcess: ({ result, setResult }) => {
        if (!Array.isArray(result) && 'data' in result) setResult({ ...result, extensions: { seen: ['first'] } });
      },
    },
    {
      onResultProcess: ({ result, setResult }) => {
        const seen = (result as { extensions?: { seen?: string[] } }).extensions?.seen ?? [];
        setResult({ ...(result as object), extensions: { seen: [...seen, 'second'] } });
      },
    },
  ]);
  const response = await ask(yoga);
  assert.deepEqual(await response.json(), { data: { hello: 'world', again: 'world', __typename: 'Query' }, extensions: { seen: ['first', 'second'] } });
});

test('execution-result hooks run in plugin order, each seeing the result the earlier ones set, an async one making the later ones wait', async () => {
  const yoga = serve([
    {
      onExecutionResult: async ({ result, setResult }) => {
        await new Promise((resolve) => setImmediate(resolve));
        if (result && 'data' in result) setResult({ ...result, data: { ...result.data, first: true } });
      },
    },
    {
      onExecutionResult: ({ result, setResult }) => {
        if (result && 'data' in result) setResult({ ...result, data: { ...result.data, second: Object.keys(result.data ?? {}) } });
      },
    },
  ]);
  const response = await ask(yoga);
  assert.deepEqual(await response.json(), { data: { hello: 'world', first: true, second: ['hello', 'first'] } });
});
