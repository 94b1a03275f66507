import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { link, serveSubgraph } from './helpers/federation-subgraph.ts';
import { spawnGatewayProcess } from './helpers/spawn-gateway-process.ts';
import { commandHelp, overview } from '../src/cli-help.ts';
import { root } from './helpers/start-shop.ts';

const run = promisify(execFile);
const cli = path.join(root, 'bin/concierge.js');

async function concierge(args: string[], cwd = root): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** A folder with gateway.config.json and schemas/, for `concierge check` to read. */
async function project(t: TestContext, sources: Record<string, { kind: 'graphql' | 'rest'; sdl: string }>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(
    path.join(dir, 'gateway.config.json'),
    JSON.stringify({
      sources: Object.fromEntries(
        Object.entries(sources).map(([name, { kind }], index) => [
          name,
          { kind, url: `http://127.0.0.1:${5000 + index}${kind === 'graphql' ? '/graphql' : ''}` },
        ]),
      ),
    }),
  );
  await import('node:fs/promises').then(({ mkdir }) => mkdir(path.join(dir, 'schemas')));
  for (const [name, { sdl }] of Object.entries(sources)) await writeFile(path.join(dir, 'schemas', `${name}.graphql`), sdl);
  return dir;
}

test('check accepts the example shop; compose prints and writes the composed SDL without any service running', async (t) => {
  const checked = await concierge(['check']);
  assert.equal(checked.code, 0, checked.stderr);
  assert.equal(checked.stdout.trim(), 'ok: 6 sources compose (users, orders, products, inventory, payments, shipping)');

  const composed = await concierge(['compose']);
  assert.equal(composed.code, 0, composed.stderr);
  assert.match(composed.stdout, /type User \{[^}]*orders\(first: Int = 10\): \[Order!\]\n/);
  assert.match(composed.stdout, /type Product \{[^}]*inventory: Inventory/);
  assert.doesNotMatch(composed.stdout, /@http|@merge|_users|usersByIds|inventoryProducts/, 'mapping directives and merge entry points stay internal');

  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-compose-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const written = await concierge(['compose', '--out', path.join(dir, 'schema.graphql')]);
  assert.equal(written.code, 0);
  assert.equal(await readFile(path.join(dir, 'schema.graphql'), 'utf8'), composed.stdout);
});

test('plan prints the order history as Apollo and Hive print plans: one Fetch per service, Flatten paths, what waits and what runs together', async (t) => {
  const { code, stdout } = await concierge(['plan', 'examples/ecommerce/order-history.graphql', '--variables', '{"id":"1"}']);
  assert.equal(code, 0, stdout);
  assert.deepEqual(
    [...stdout.matchAll(/Fetch\(service: "(\w+)"\)/g)].map((match) => match[1]),
    ['users', 'orders', 'products', 'inventory', 'payments', 'shipping'],
  );
  assert.deepEqual(
    [...stdout.matchAll(/Flatten\(path: "([^"]+)"\)/g)].map((match) => match[1]),
    ['user', 'user.orders.@.items.@.product', 'user.orders.@.items.@.product', 'user.orders.@', 'user.orders.@'],
  );
  assert.match(stdout, /^QueryPlan \{\n {2}Sequence \{\n {4}Fetch\(service: "users"\) \{\n {6}query \(\$id: ID!\) \{\n {8}user\(id: \$id\)/);
  assert.match(stdout, /_entities: productsByIds\(ids: \$__merge_ids\)/);

  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-plan-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'introspection.graphql'), '{ __schema { queryType { name } } }');
  const stitched = await concierge(['plan', path.join(dir, 'introspection.graphql')]);
  assert.deepEqual([stitched.code, stitched.stdout.trim()], [1, 'Not planned: executed by stitching (Query.__schema is not a supergraph field).']);
  const badVariables = await concierge(['plan', 'examples/ecommerce/order-history.graphql', '--variables', '[1]']);
  assert.deepEqual([badVariables.code, badVariables.stderr.trim()], [1, 'plan: --variables: expected a JSON object, got [1]']);
});

test('check names the file, line and column of an unknown directive', async (t) => {
  const dir = await project(t, { books: { kind: 'rest', sdl: 'type Query {\n  book(id: ID!): String @htp(GET: "/books/{args.id}")\n}\n' } });
  const { code, stderr } = await concierge(['check'], dir);
  assert.equal(code, 1);
  assert.equal(stderr.trim(), 'Invalid schema:\n  - schemas/books.graphql:2:25: Unknown directive "@htp".');
});

test('check refuses what start-up refuses: an argument default outside its own @constraint', async (t) => {
  const dir = await project(t, {
    books: {
      kind: 'rest',
      sdl: 'type Query {\n  books(first: Int = 500 @constraint(min: 1, max: 100)): [String!]! @http(GET: "/books?limit={args.first}")\n}\n',
    },
  });
  const { code, stderr } = await concierge(['check'], dir);
  assert.equal(code, 1);
  assert.equal(stderr.trim(), 'Invalid schema:\n  - sources.books: the default of argument "first" of "Query.books" must be between 1 and 100, got 500.');
});

test('check names both services of a type conflict', async (t) => {
  const dir = await project(t, {
    catalog: {
      kind: 'graphql',
      sdl: 'type Product @key(selectionSet: "{ id }") { id: ID! price: Float }\ntype Query { products(ids: [ID!]!): [Product]! @merge(keyField: "id") }\n',
    },
    pricing: {
      kind: 'graphql',
      sdl: 'type Product @key(selectionSet: "{ id }") { id: ID! price: String }\ntype Query { prices(ids: [ID!]!): [Product]! @merge(keyField: "id") }\n',
    },
  });
  const { code, stderr } = await concierge(['check'], dir);
  assert.equal(code, 1);
  assert.equal(
    stderr.trim(),
    "Invalid schema:\n  - composition: Product.price is Float in catalog but String in pricing; services must agree on a shared field's type",
  );
});

test('check names a mapping that references a missing argument or field, and a root field with no mapping', async (t) => {
  const dir = await project(t, {
    books: {
      kind: 'rest',
      sdl: [
        'type Book { id: ID! reviews: [String!]! @http(GET: "/books/{parent.isbn}/reviews") }',
        'type Query {',
        '  book(id: ID!): Book @http(GET: "/books/{args.bookId}")',
        '  books: [Book!]! @http(GET: "/books", POST: "/books")',
        '  count: Int',
        '}',
      ].join('\n'),
    },
  });
  const { code, stderr } = await concierge(['check'], dir);
  assert.equal(code, 1);
  assert.deepEqual(stderr.trim().split('\n'), [
    'Invalid schema:',
    '  - schemas/books.graphql: Book.reviews @http(GET: "/books/{parent.isbn}/reviews"): {parent.isbn} names field "isbn", which Book does not have',
    '  - schemas/books.graphql: Query.book @http(GET: "/books/{args.bookId}"): {args.bookId} names argument "bookId", which book does not have (arguments: id)',
    '  - schemas/books.graphql: Query.books @http: expected exactly one of GET, POST, PUT, PATCH, DELETE, got GET and POST',
    '  - schemas/books.graphql: Query.count has no @http or @stub directive, so the gateway cannot resolve it',
  ]);
});

test('compose names, per subgraph, the directive and the field of each federation composition error', async (t) => {
  const subgraphs = {
    products: `${link('key')} type Product @key(fields: "upc") { upc: String! weight: Int! } type Query { topProducts: [Product!]! }`,
    ratings: `${link('key')}\ntype Product @key(fields: "sku") { upc: String! stars: Int! }`,
    shipping: `${link('key', 'requires')}\ntype Product @key(fields: "upc") { upc: String! cost: Int! @requires(fields: "weight") }`,
    pricing: `${link('key', 'override')}\ntype Product @key(fields: "upc") { upc: String! price: Int! @override(from: "pricing") }`,
  };
  const servers = await Promise.all(Object.values(subgraphs).map((sdl) => serveSubgraph(t, { sdl, entities: ['Product'] })));
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(
    path.join(dir, 'gateway.config.json'),
    JSON.stringify({ sources: Object.fromEntries(Object.keys(subgraphs).map((name, index) => [name, { kind: 'federation', url: servers[index]?.url }])) }),
  );
  const { code, stdout, stderr } = await concierge(['compose'], dir);
  assert.equal(code, 1);
  assert.equal(stdout, '');
  assert.deepEqual(stderr.trim().split('\n'), [
    'Invalid schema:',
    '  - sources.ratings: @key(fields: "sku") on Product: Cannot query field "sku" on type "Product" (the field should either be added to this subgraph or, if it should not be resolved by this subgraph, you need to add it to this subgraph with @external). (KEY_INVALID_FIELDS)',
    '  - sources.shipping: @requires(fields: "weight") on Product.cost: Cannot query field "weight" on type "Product" (if the field is defined in another subgraph, you need to add it to this subgraph with @external). (REQUIRES_INVALID_FIELDS)',
    '  - sources.pricing: @override on Product.price: Source and destination subgraphs "pricing" are the same for overridden field "Product.price" (OVERRIDE_FROM_SELF_ERROR)',
  ]);
});

test('a config mistake stops start-up with the key, the value and what was expected', async (t) => {
  const dir = await project(t, { users: { kind: 'graphql', sdl: 'type Query { me: String }' } });
  await writeFile(path.join(dir, 'gateway.config.json'), JSON.stringify({ sources: { users: { kind: 'graphql', url: 'users:4001', timeout: '5s' } } }));
  const { code, stderr, stdout } = await concierge(['start'], dir);
  assert.equal(code, 1);
  assert.equal(stdout, '');
  assert.deepEqual(stderr.trim().split('\n'), [
    'Invalid configuration:',
    '  - config.sources.users.url: expected an http:// or https:// URL, got "users:4001"',
    '  - config.sources.users.timeout: expected an integer from 1 to 600000, got "5s"',
  ]);
});

test('usage errors exit 2 and say where help is; every command has its own --help', async () => {
  const unknown = await concierge(['serve']);
  assert.deepEqual([unknown.code, unknown.stderr], [2, 'Unknown command "serve".\n(concierge --help lists the options)\n']);
  const option = await concierge(['start', '--prot', '4000']);
  assert.equal(option.code, 2);
  assert.match(option.stderr, /Unknown option '--prot'[^]*concierge start --help/);
  assert.equal((await concierge(['plan'])).code, 2);
  const help = await concierge(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /concierge <command>[\s\S]*start[\s\S]*compose[\s\S]*check[\s\S]*Exit codes: 0 done; 1 a problem/);
  // Each command's own text (what `concierge <command> --help` prints, as the start one shows).
  for (const command of ['init', 'start', 'dev', 'compose', 'check', 'plan', 'keys']) {
    assert.match(commandHelp[command] ?? '', new RegExp(`^Usage: concierge ${command}`), command);
    assert.match(commandHelp[command] ?? '', /Exit codes|--port/, command);
    assert.match(overview, new RegExp(`\\n  ${command} `), `${command} is in the overview`);
  }
  const start = await concierge(['start', '-h']);
  assert.deepEqual([start.code, start.stdout], [0, commandHelp['start']]);
  assert.match(start.stdout, /--supergraph <file>[^]*--hot-reload[^]*--workers/);
});

test('start --supergraph serves a supergraph file with no config file; check and compose read it too', async (t) => {
  const subgraphSdl = `${link('key')} type Product @key(fields: "upc") { upc: String! name: String! } type Query { topProducts: [Product!]! }`;
  const products = await serveSubgraph(t, {
    sdl: subgraphSdl,
    resolvers: { Query: { topProducts: () => [{ upc: '1', name: 'Table' }] } },
    entities: ['Product'],
  });
  const composed = composeServices([{ name: 'products', url: products.url, typeDefs: parse(subgraphSdl) }]);
  assert.equal(composed.errors, undefined);
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-supergraph-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'supergraph.graphql'), composed.supergraphSdl ?? '');

  const checked = await concierge(['check', '--supergraph', 'supergraph.graphql'], dir);
  assert.deepEqual([checked.code, checked.stdout.trim()], [0, 'ok: 1 sources compose (products)']);
  assert.match((await concierge(['compose', '--supergraph', 'supergraph.graphql'], dir)).stdout, /type Product \{\n {2}upc: String!\n {2}name: String!\n\}/);
  const missing = await concierge(['check', '--supergraph', 'nothing.graphql'], dir);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /config\.supergraph: expected a readable supergraph SDL file/);

  const gateway = await spawnGatewayProcess(
    t,
    [cli, 'start', '--supergraph', 'supergraph.graphql', '--port', '0'],
    {},
    /serving 1 sources at (http:\/\/\S+)/,
    dir,
  );
  const answer = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ topProducts { upc name } }' }),
  });
  assert.deepEqual([answer.status, await answer.json()], [200, { data: { topProducts: [{ upc: '1', name: 'Table' }] } }]);
});
