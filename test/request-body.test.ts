import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse, print } from 'graphql';
import { requestBody } from '../src/sources/graphql/create-graphql-executor.ts';

test("a GraphQL source's request body is JSON.stringify({ query, variables, operationName }), with the query escaped once per document", () => {
  const document = parse('query Q($a: [ID!]!) { x(a: $a) { y } } query R { w(s: "tab\\t quote\\" line\\u2028") }');
  const cases: Array<[unknown, string | null | undefined]> = [
    [undefined, undefined],
    [{ a: ['1', '"\n\u2028', 2.5, null] }, 'Q'],
    [null, null],
    [{}, undefined],
    [{ a: [] }, 'R'],
    [{ nested: { deep: [{ x: true }] }, unicode: 'é漢😀' }, 'Q'],
  ];
  for (const [variables, operationName] of cases) {
    const body = requestBody(document, variables, operationName);
    assert.equal(body, JSON.stringify({ query: print(document), variables, operationName }));
    assert.deepEqual(JSON.parse(body).query, print(document));
  }
});
