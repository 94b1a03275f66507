import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { registryBackends } from './helpers/registry-backends.ts';
import { reviewsSdl, usersSdl } from './helpers/registry-fixtures.ts';
import { runSchema } from './helpers/registry-remote.ts';
import { root } from './helpers/start-shop.ts';

const run = promisify(execFile);
const cli = path.join(root, 'bin/concierge.js');

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

async function concierge(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], {
      cwd,
      env: { ...process.env, CONCIERGE_REGISTRY: '', CONCIERGE_AUTHOR: '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as Ran;
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** A folder holding the given files, removed when the test ends. */
async function folder(t: TestContext, files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-schema-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

const withoutTimes = (text: string) => text.replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ/g, '<time>');

for (const backend of registryBackends) {
  describe(`concierge schema (${backend.name} store)`, { skip: backend.skip }, () => {
    test('publish, check, history, diff, rollback and delete through the CLI, with exit codes 0, 1 and 2', async (t) => {
      const dir = await folder(t, {
        'users.graphql': usersSdl,
        'users-v2.graphql': usersSdl.replace('email: String', 'email: String\n  nickname: String'),
        'users-no-name.graphql': usersSdl.replace('  name: String\n', ''),
        'users-broken.graphql': 'type User {\n  id: ID!\n  name String\n}\n',
        'reviews.graphql': reviewsSdl,
        'accounts.graphql': usersSdl.replace('name: String', 'name: Int').replace('usersByIds', 'accountsByIds'),
        'persisted.json': JSON.stringify({ 'user-name': '{ user(id: 1) { name } }' }),
      });
      const location = await backend.location(t);
      const store = ['--store', location.store === 'embedded' ? location.directory : location.url];
      // In this process (the same command the binary runs; its entry point is covered by the tests below), a second each saved per command.
      const schema = async (...args: string[]) => {
        const ran = await runSchema([...args, ...store], dir, { CONCIERGE_AUTHOR: 'ci' });
        // Files are named relative to the process's folder, which here is not `dir`.
        return { ...ran, stderr: ran.stderr.replaceAll(`${dir}${path.sep}`, '') };
      };

      const first = await schema(
        'publish',
        'users',
        '--schema',
        'users.graphql',
        '--kind',
        'graphql',
        '--url',
        'http://users.internal/graphql',
        '--author',
        'alice',
      );
      assert.deepEqual([first.code, first.stdout.trim().split('\n').at(-1)], [0, 'published users v1: graph v1'], first.stderr);
      assert.equal(
        (await schema('publish', 'reviews', '--schema', 'reviews.graphql', '--kind', 'graphql', '--url', 'http://reviews.internal/graphql')).code,
        0,
      );
      const checked = await schema('check', 'users', '--schema', 'users-v2.graphql');
      assert.equal(checked.code, 0, checked.stderr);
      assert.equal(
        checked.stdout,
        [
          'users: checked against graph v2 (usage since ' + /usage since (\S+)\)/.exec(checked.stdout)?.[1] + ')',
          'Changes to the public schema (0 breaking, 0 dangerous, 1 safe):',
          "  [safe]      Field 'nickname' was added to object type 'User'",
          "Changes to users's SDL (0 breaking, 0 dangerous, 1 safe):",
          "  [safe]      Field 'nickname' was added to object type 'User'",
          'ok: users passes the check',
          '',
        ].join('\n'),
      );
      assert.equal((await schema('publish', 'users', '--schema', 'users-v2.graphql')).code, 0);

      const before = await schema('history');
      assert.equal(
        withoutTimes(before.stdout),
        [
          'graph v3  users v2    publish  by ci     <time>',
          'graph v2  reviews v1  publish  by ci     <time>',
          'graph v1  users v1    publish  by alice  <time>',
          '',
        ].join('\n'),
      );
      const graphs = await schema('diff', '2', '3');
      assert.deepEqual(
        [graphs.code, graphs.stdout],
        [0, "graph v2 to v3: 1 change (0 breaking, 0 dangerous, 1 safe)\n  [safe]      Field 'nickname' was added to object type 'User'\n"],
      );
      const versions = await schema('diff', 'users@2', 'users@1');
      assert.deepEqual(
        [versions.code, versions.stdout],
        [0, "users v2 to v1: 1 change (1 breaking, 0 dangerous, 0 safe)\n  [breaking]  Field 'nickname' was removed from object type 'User'\n"],
      );

      const refusals: Array<[string[], number, string]> = [
        [
          ['publish', 'users', '--schema', 'users-broken.graphql'],
          2,
          'schema publish: users-broken.graphql:3:8: Syntax Error: Expected ":", found Name "String".\n',
        ],
        [['check', 'ghost', '--schema', 'users.graphql'], 2, 'schema check: unknown service "ghost": the current graph has users, reviews\n'],
        [['history', 'ghost'], 2, 'schema history: unknown service "ghost": the registry has reviews, users\n'],
        [['rollback', 'users', '--to', '9'], 2, 'schema rollback: users has no version 9: its versions are 1 to 2\n'],
        [['delete', 'ghost'], 2, 'schema delete: unknown service "ghost": the current graph has users, reviews\n'],
        [
          ['publish', 'users', '--schema', 'users.graphql', '--url', 'ftp://users.internal'],
          2,
          'schema publish: url: expected an http:// or https:// URL, got "ftp://users.internal"\n',
        ],
        [
          ['publish', 'users', '--schema', 'users.graphql', '--kind', 'grpc'],
          2,
          'schema publish: kind: expected one of "graphql", "rest", "federation", got "grpc"\n',
        ],
        [['publish', 'users', '--schema', 'missing.graphql'], 2, 'schema publish: --schema: expected a readable file, got "missing.graphql" (no such file)\n'],
        [['publish', 'users'], 2, "schema publish: --schema: expected the file of the service's SDL, got nothing\n"],
        [['diff', '1'], 2, 'schema diff: expected <v1> <v2>, got 1 (concierge schema diff --help)\n'],
        [
          ['publish', 'accounts', '--schema', 'accounts.graphql', '--kind', 'graphql', '--url', 'http://accounts.internal/graphql', '--force'],
          1,
          "Invalid schema:\n  - composition: User.name is String in users but Int in accounts; services must agree on a shared field's type\nRefused.\n",
        ],
        [
          ['publish', 'users', '--schema', 'users-no-name.graphql', '--manifest', 'persisted.json'],
          1,
          `Breaking change to coordinates in use since <since>:\n  - Field 'name' was removed from object type 'User' (User.name): used by operation user-name (client persisted documents)\nRefused: --force stores it anyway.\n`,
        ],
      ];
      for (const [args, code, stderr] of refusals) {
        const ran = await schema(...args);
        assert.deepEqual([ran.code, ran.stderr.replace(/since \S+Z:/, 'since <since>:')], [code, stderr], args.join(' '));
      }
      const unknown = await schema('frob');
      assert.deepEqual([unknown.code, unknown.stderr.split('\n')[0]], [2, 'schema: unknown command "frob"']);
      assert.deepEqual((await schema('history')).stdout, before.stdout, 'nothing was stored');

      const rollback = await schema('rollback', 'users', '--to', '1', '--author', 'bob');
      assert.deepEqual([rollback.code, rollback.stdout.trim().split('\n').at(-1)], [0, 'published users v3: graph v4'], rollback.stderr);
      const deletion = await schema('delete', 'reviews');
      assert.deepEqual([deletion.code, deletion.stdout.trim().split('\n').at(-1)], [0, 'deleted reviews (v2): graph v5'], deletion.stderr);
      const forced = await schema('publish', 'users', '--schema', 'users-no-name.graphql', '--manifest', 'persisted.json', '--force');
      assert.deepEqual([forced.code, forced.stdout.trim().split('\n').at(-1)], [0, 'published users v4 (forced): graph v6'], forced.stderr);
      assert.equal(
        withoutTimes((await schema('history', 'users')).stdout),
        [
          'graph v6  users v4  publish         by ci     <time>  forced',
          'graph v4  users v3  rollback of v1  by bob    <time>',
          'graph v3  users v2  publish         by ci     <time>',
          'graph v1  users v1  publish         by alice  <time>',
          '',
        ].join('\n'),
      );
    });
  });
}

test("schema publish reports what start-up and concierge check report, from the config's default store", async (t) => {
  const books =
    'type Book { id: ID! reviews: [String!]! @http(GET: "/books/{parent.isbn}/reviews") }\ntype Query {\n  book(id: ID!): Book @http(GET: "/books/{args.bookId}")\n  count: Int\n}\n';
  const dir = await folder(t, {
    'gateway.config.json': JSON.stringify({ sources: { books: { kind: 'rest', url: 'http://127.0.0.1:5000' } } }),
    'schemas/books.graphql': books,
  });
  const checked = await concierge(['check'], dir);
  assert.equal(checked.code, 1);
  const published = await concierge(
    ['schema', 'publish', 'books', '--schema', 'schemas/books.graphql', '--kind', 'rest', '--url', 'http://127.0.0.1:5000'],
    dir,
  );
  assert.equal(published.code, 1);
  assert.equal(published.stderr, `${checked.stderr.trim()}\nRefused.\n`);
  assert.match(published.stderr, /^Invalid schema:\n {2}- schemas\/books\.graphql: Book\.reviews @http/);
});

test("schema import seeds an empty store from the config's sources, once; the config names the store", async (t) => {
  const dir = await folder(t, {
    'gateway.config.json': JSON.stringify({
      sources: {
        users: { kind: 'graphql', url: 'http://127.0.0.1:5001/graphql', timeout: 2000 },
        reviews: { kind: 'graphql', url: 'http://127.0.0.1:5002/graphql' },
      },
      registry: { directory: 'registry-data' },
    }),
    'schemas/users.graphql': usersSdl,
    'schemas/reviews.graphql': reviewsSdl,
  });
  const imported = await runSchema(['import', '--author', 'ops'], dir);
  assert.deepEqual([imported.code, imported.stdout], [0, 'imported users, reviews as graph v1\n'], imported.stderr);
  const again = await runSchema(['import'], dir);
  assert.deepEqual(
    [again.code, again.stderr],
    [2, 'schema import: the registry already has graph v1: import seeds an empty store only (publish each service instead)\n'],
  );
  const history = await concierge(['schema', 'history'], path.join(dir, 'schemas'), { CONCIERGE_REGISTRY: path.join(dir, 'registry-data') });
  assert.equal(
    withoutTimes(history.stdout),
    'graph v1  reviews v1  import  by ops  <time>\ngraph v1  users v1    import  by ops  <time>\n',
    'CONCIERGE_REGISTRY names the store without a config',
  );
});

test("schema --help, each command's --help, and a store that is not named", async (t) => {
  const dir = await folder(t, {});
  const help = await concierge(['schema', '--help'], dir);
  assert.equal(help.code, 0);
  assert.match(
    help.stdout,
    /^Usage: concierge schema <command> \[options\]\n[\s\S]*publish <service> --schema <file>[\s\S]*Exit codes:\n {2}0 {2}done[\s\S]*\n {2}1 {2}the check failed[\s\S]*\n {2}2 {2}usage or input error/,
  );
  const commands = ['publish', 'check', 'history', 'diff', 'rollback', 'delete', 'import'];
  const helps = await Promise.all(commands.map((command) => concierge(['schema', command, '--help'], dir)));
  for (const [index, own] of helps.entries()) {
    assert.equal(own.code, 0);
    assert.match(own.stdout, new RegExp(`^Usage: concierge schema ${commands[index]}[\\s\\S]*Exit codes:`));
  }
  const top = await concierge(['--help'], dir);
  assert.match(top.stdout, /\n {2}schema <publish\|check\|history\|diff\|rollback\|delete\|import> \.\.\.\n/);
  const nowhere = await concierge(['schema', 'history'], dir);
  assert.deepEqual(
    [nowhere.code, nowhere.stderr],
    [
      2,
      'schema history: expected a store: --store <dir | postgres://...>, CONCIERGE_REGISTRY, or a config (gateway.config.* or --config) whose registry option names it\n',
    ],
  );
  const badOption = await concierge(['schema', 'history', '--stor', 'x'], dir);
  assert.equal(badOption.code, 2);
  assert.match(badOption.stderr, /^schema: Unknown option '--stor'\./);
});
