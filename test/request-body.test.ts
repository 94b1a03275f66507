import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse, print, stripIgnoredCharacters } from 'graphql';
import { requestBody } from '../src/sources/graphql/create-graphql-executor.ts';

test("a GraphQL source's request body is JSON.stringify({ query, variables, operationName }), with the query compact and escaped once per document", () => {
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
    const query = stripIgnoredCharacters(print(document));
    assert.equal(body, JSON.stringify({ query, variables, operationName }));
    // The same operation, without what GraphQL ignores: the string's tab, quote and line separator kept.
    assert.equal(print(parse(JSON.parse(body).query)), print(document));
    assert.ok(!JSON.parse(body).query.includes('\n'), 'no new lines');
  }
});
