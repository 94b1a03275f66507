import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { parse, print } from 'graphql';
import { errorCodes } from '../src/errors.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { root, startShop } from './helpers/start-shop.ts';

const readme = await readFile(`${root}README.md`, 'utf8');

function fenceAfter(marker: string): string {
  const start = readme.indexOf(marker);
  assert.ok(start >= 0, `README has ${marker}`);
  const match = /```\w*\n([\s\S]*?)```/.exec(readme.slice(start));
  assert.ok(match?.[1], `a code block follows ${marker}`);
  return match[1];
}

test("the README's error table is the code table of src/errors.ts", () => {
  const section = readme.slice(readme.indexOf('## Errors'), readme.indexOf('## Performance'));
  const rows = [...section.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map(([, code, status]) => [code, Number(status)]);
  assert.deepEqual(Object.fromEntries(rows), errorCodes);
  assert.deepEqual(
    rows.map(([code]) => code),
    Object.keys(errorCodes),
    'same order',
  );
});

test("the README's curl example, with the token its npm run token line prints, gives the answer printed under it", async (t) => {
  const shop = await startShop(t);
  const command = fenceAfter('<!-- readme-example:query -->');
  const body = /-d '(.*)'/.exec(command)?.[1];
  assert.ok(body, 'the example sends a JSON body');
  assert.match(command, /http:\/\/localhost:4000\/graphql/);
  const tokenArgs = /npm run -s token -- (.*)\)/.exec(command)?.[1]?.split(' ');
  assert.ok(tokenArgs, 'the example makes its token with npm run token');
  const { scripts } = JSON.parse(await readFile(`${root}package.json`, 'utf8')) as { scripts: Record<string, string> };
  const [node, ...scriptArgs] = (scripts['token'] ?? '').split(' ');
  assert.equal(node, 'node');
  const token = (await promisify(execFile)(process.execPath, [...scriptArgs, ...tokenArgs], { cwd: root })).stdout.trim();
  const { query } = JSON.parse(body) as { query: string };
  const response = await postGraphQL(shop.endpoint, query, undefined, { authorization: `Bearer ${token}` });
  assert.deepEqual(response.body, JSON.parse(fenceAfter('<!-- readme-example:answer -->')));

  const anonymous = await postGraphQL(shop.endpoint, query);
  assert.deepEqual(anonymous.body.data, { me: null });
  assert.equal(anonymous.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
});

test("the README's order-history query is the one GraphiQL preloads", async () => {
  const inReadme = fenceAfter('## The example query');
  const file = await readFile(`${root}examples/ecommerce/order-history.graphql`, 'utf8');
  assert.equal(print(parse(inReadme)), print(parse(file)));
});

/** npm's own commands, which the README may name beside scripts (`npm ci`, `npm i`, `npm pack`). */
const npmCommands = new Set(['ci', 'run', 'i', 'install', 'pack', 'exec', 'init']);

test('every npm script the README names exists', async () => {
  const { scripts } = JSON.parse(await readFile(`${root}package.json`, 'utf8')) as { scripts: Record<string, string> };
  const named = new Set(
    [...readme.matchAll(/npm (?:run )?(start|test|[a-z:]+)(?=`| )/g)].map(([, name]) => name).filter((name) => !npmCommands.has(name as string)),
  );
  for (const name of named) assert.ok(scripts[name as string], `npm script "${name}"`);
  assert.ok(named.has('start') && named.has('test') && named.has('bench') && named.has('codegen'));
});
