import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { mergeExecuteHooks } from '../src/server/merge-execute-hooks.ts';

const schema = createSchema({ typeDefs: 'type Query { hello: String }', resolvers: { Query: { hello: () => 'world' } } });

/** Yoga over `plugins`, their execute hooks merged as the gateway merges its own. */
const ask = async (plugins: Plugin[]) => {
  const yoga = createYoga({ schema, logging: false, plugins: mergeExecuteHooks(plugins) });
  const response = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ hello }' }),
  });
  return response.json();
};

test('execute hooks run in order, see the executeFn the earlier ones set, and their done hooks chain the result', async () => {
  const calls: string[] = [];
  let replacement: unknown;
  const answer = await ask([
    {
      onExecute: ({ executeFn, setExecuteFn }) => {
        calls.push('first');
        replacement = async (args: Parameters<typeof executeFn>[0]) => ({ ...(await executeFn(args)), extensions: { via: 'replaced' } });
        setExecuteFn(replacement as typeof executeFn);
        return {
          onExecuteDone: ({ result, setResult }) =>
            setResult({ ...(result as object), extensions: { ...(result as { extensions?: object }).extensions, done: ['first'] } }),
        };
      },
    },
    {
      onExecute: async ({ executeFn }) => {
        await new Promise((resolve) => setImmediate(resolve));
        calls.push(`second sees ${executeFn === replacement ? 'the replacement' : 'another executeFn'}`);
        return {
          onExecuteDone: ({ result, setResult }) => {
            const extensions = (result as { extensions: { done: string[] } }).extensions;
            setResult({ ...(result as object), extensions: { ...extensions, done: [...extensions.done, 'second'] } });
          },
        };
      },
    },
    { onExecute: () => void calls.push('third') },
  ]);
  assert.deepEqual(calls, ['first', 'second sees the replacement', 'third']);
  assert.deepEqual(answer, { data: { hello: 'world' }, extensions: { via: 'replaced', done: ['first', 'second'] } });
});

test('setResultAndStopExecution stops the later execute hooks and the execution; the done hooks returned so far still run', async () => {
  const calls: string[] = [];
  const answer = await ask([
    { onExecute: () => ({ onExecuteDone: ({ result }) => void calls.push(`done saw ${JSON.stringify(result)}`) }) },
    { onExecute: ({ setResultAndStopExecution }) => setResultAndStopExecution({ data: { hello: 'from a hook' } }) },
    { onExecute: () => void calls.push('never') },
  ]);
  assert.deepEqual(answer, { data: { hello: 'from a hook' } });
  assert.deepEqual(calls, ['done saw {"data":{"hello":"from a hook"}}']);
});

test('for a streamed result, the done hooks’ onNext hooks run in order on each item, each seeing what the earlier set, and every onEnd runs', async () => {
  const calls: string[] = [];
  const items = async function* () {
    yield { data: { hello: 'one' } };
    yield { data: { hello: 'two' } };
  };
  const tag =
    (name: string): Plugin['onExecute'] =>
    () => ({
      onExecuteDone: () => ({
        onNext: ({ result, setResult }) => {
          const data = (result as { data: { hello: string } }).data;
          calls.push(`${name} sees ${data.hello}`);
          setResult({ ...(result as object), data: { hello: `${data.hello}+${name}` } });
        },
        onEnd: () => void calls.push(`${name} end`),
      }),
    });
  const yoga = createYoga({
    schema,
    logging: false,
    plugins: mergeExecuteHooks<Plugin>([
      { onExecute: ({ setExecuteFn }) => setExecuteFn((() => items()) as never) },
      { onExecute: tag('first') },
      { onExecute: tag('second') },
    ]),
  });
  const response = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query: '{ hello }' }),
  });
  const text = await response.text();
  assert.match(text, /"hello":"one\+first\+second"/);
  assert.match(text, /"hello":"two\+first\+second"/);
  assert.deepEqual(calls, ['first sees one', 'second sees one+first', 'first sees two', 'second sees two+first', 'first end', 'second end']);
});
