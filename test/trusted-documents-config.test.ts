import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { ConfigError } from '../src/config/config-error.ts';
import { normalizeConfig } from '../src/config/normalize-config.ts';

const sources = { users: { kind: 'graphql', url: 'http://users:4001/graphql' } };
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const hello = 'query Hello { hello }';
const key = 'config.trustedDocuments.manifest';

/** A temporary config folder holding the given files. */
async function folderWith(t: TestContext, files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-trusted-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

function problemsOf(trustedDocuments: unknown, baseDir = '/srv/gateway'): readonly string[] {
  try {
    normalizeConfig({ sources, trustedDocuments }, { baseDir, env: {} });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

test('defaults: no manifest, APQ on with 1000 entries, arbitrary documents allowed', () => {
  const { trustedDocuments } = normalizeConfig({ sources }, { env: {} });
  assert.deepEqual(trustedDocuments, { documents: new Map(), apq: true, apqCacheSize: 1000, allowArbitraryDocuments: true });
});

test('both manifest formats are read relative to the config file, ids made canonical', async (t) => {
  const relay = 'query Relay { relay: hello }';
  const dir = await folderWith(t, {
    'map.json': JSON.stringify({ [`sha256:${sha256(hello).toUpperCase()}`]: hello, 'md5-of-relay': relay }),
    'apollo.json': JSON.stringify({
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: [{ id: sha256(hello), name: 'Hello', type: 'query', body: hello }],
    }),
  });
  const read = (manifest: string) => normalizeConfig({ sources, trustedDocuments: { manifest } }, { baseDir: dir, env: {} }).trustedDocuments.documents;
  assert.deepEqual(
    [...read('map.json')],
    [
      [sha256(hello), hello],
      ['md5-of-relay', relay],
    ],
  );
  assert.deepEqual([...read('apollo.json')], [[sha256(hello), hello]]);
});

test('option mistakes name the key, the bad value and what was expected', () => {
  assert.deepEqual(problemsOf('yes'), ['config.trustedDocuments: expected an object, got "yes"']);
  assert.deepEqual(problemsOf({ manifest: '', apq: 'no', apqCacheSize: 0, allowArbitraryDocuments: 'false', persisted: true }), [
    'config.trustedDocuments.persisted: unknown option; expected one of manifest, apq, apqCacheSize, allowArbitraryDocuments',
    `${key}: expected a non-empty string, got ""`,
    'config.trustedDocuments.apq: expected true or false, got "no"',
    'config.trustedDocuments.apqCacheSize: expected an integer from 1 to 1000000, got 0',
    'config.trustedDocuments.allowArbitraryDocuments: expected true or false, got "false"',
  ]);
});

test('a manifest that cannot be read, is not JSON, or has an unknown format', async (t) => {
  const broken = '{"abc": }';
  const jsonError = (() => {
    try {
      JSON.parse(broken);
    } catch (error) {
      return (error as Error).message;
    }
    return '';
  })();
  const dir = await folderWith(t, {
    'broken.json': broken,
    'list.json': '[]',
    'relay.json': JSON.stringify({ format: 'relay', operations: [] }),
    'v2.json': JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 2, operations: [] }),
    'no-ops.json': JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: {} }),
  });
  const expected = 'a map of document ids to documents, or {"format":"apollo-persisted-query-manifest","version":1,"operations":[...]}';
  const cases: Array<[string, string]> = [
    ['missing.json', `${key}: expected a readable JSON file, got "missing.json" (no such file: ${path.join(dir, 'missing.json')})`],
    ['broken.json', `${key}: "broken.json" is not valid JSON: ${jsonError}`],
    ['list.json', `${key}: expected ${expected}, got [] in "list.json"`],
    ['relay.json', `${key}: expected ${expected}, got format "relay" in "relay.json"`],
    ['v2.json', `${key}: expected version 1 of the apollo-persisted-query-manifest format, got 2 in "v2.json"`],
    ['no-ops.json', `${key}: expected "operations" to be a list, got {} in "no-ops.json"`],
  ];
  for (const [manifest, problem] of cases) assert.deepEqual(problemsOf({ manifest }, dir), [problem]);
});

test('every bad entry is reported, naming the file and the entry', async (t) => {
  const other = '{ other: hello }';
  const dir = await folderWith(t, {
    'map.json': JSON.stringify({ [sha256(other)]: hello, 'relay-1': { text: hello }, 'relay-2': 'query {', [sha256(hello)]: hello }),
    'apollo.json': JSON.stringify({
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: [
        { id: sha256(hello), name: 'Hello', type: 'query', body: hello },
        { name: 'NoId', body: other },
        { id: 'custom', name: 'NoBody', type: 'query' },
        { id: sha256(hello), name: 'Again', type: 'query', body: hello },
        { id: 'custom-2', name: 'Twin', type: 'query', body: other },
        { id: 'custom-2', name: 'Clash', type: 'query', body: hello },
      ],
    }),
  });
  assert.deepEqual(problemsOf({ manifest: 'map.json' }, dir), [
    `${key}: entry "${sha256(other)}" in "map.json": the id is a SHA-256 but not the SHA-256 of the document, which is ${sha256(hello)}`,
    `${key}: entry "relay-1" in "map.json": expected a document (a non-empty string), got {"text":"query Hello { hello }"}`,
    `${key}: entry "relay-2" in "map.json": the document does not parse: Syntax Error: Expected Name, found <EOF>.`,
  ]);
  assert.deepEqual(problemsOf({ manifest: 'apollo.json' }, dir), [
    `${key}: operations[1] in "apollo.json": expected an object with a string "id" and "body", got {"name":"NoId","body":"{ other: hello }"}`,
    `${key}: operations[2] (NoBody) in "apollo.json": expected a document (a non-empty string), got nothing`,
    `${key}: operations[5] (Clash) in "apollo.json": id "custom-2" is already used by another document`,
  ]);
});
