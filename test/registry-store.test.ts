import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { createPGliteClient } from '../src/registry/create-pglite-client.ts';
import { createPostgresClient } from '../src/registry/create-postgres-client.ts';
import type { RegistryLocation } from '../src/registry/registry-config.ts';
import { RegistryInputError } from '../src/registry/registry-input-error.ts';
import { runMigrations } from '../src/registry/run-migrations.ts';
import { link } from './helpers/federation-subgraph.ts';
import { openTestRegistry, registryBackends } from './helpers/registry-backends.ts';
import { newService, reviewsSdl, storeSnapshot, usersSdl } from './helpers/registry-fixtures.ts';

const withNickname = usersSdl.replace('email: String', 'email: String\n  nickname: String');

for (const backend of registryBackends) {
  describe(`schema registry store (${backend.name})`, { skip: backend.skip }, () => {
    test('publish, history, diff, rollback and delete: each change a new service version and a new graph version', async (t) => {
      const { registry } = await openTestRegistry(t, backend);
      assert.equal((await registry.publish(newService('users', usersSdl))).graph?.version, 1);
      assert.equal((await registry.publish(newService('reviews', reviewsSdl, 'bob'))).graph?.version, 2);
      const published = await registry.publish({ service: 'users', sdl: withNickname, author: 'carol' });
      assert.deepEqual([published.outcome, published.version?.version, published.graph?.version], ['published', 2, 3]);
      assert.deepEqual(published.version?.urls, ['http://users.internal:4000/graphql'], 'kind and URLs stay when not given');

      const history = await registry.history();
      assert.deepEqual(
        history.map((version) => [version.graphVersion, version.service, version.version, version.action, version.author]),
        [
          [3, 'users', 2, 'publish', 'carol'],
          [2, 'reviews', 1, 'publish', 'bob'],
          [1, 'users', 1, 'publish', 'alice'],
        ],
      );
      assert.deepEqual(
        (await registry.history('users')).map((version) => version.version),
        [2, 1],
      );

      const safe = [{ criticality: 'safe', type: 'FIELD_ADDED', message: "Field 'nickname' was added to object type 'User'", path: 'User.nickname' }];
      assert.deepEqual(await registry.diffGraphs(2, 3), safe);
      assert.deepEqual(await registry.diffServiceVersions('users', 1, 2), safe);

      const rolledBack = await registry.rollback({ service: 'users', to: 1, author: 'dave' });
      assert.deepEqual(
        [rolledBack.outcome, rolledBack.version?.version, rolledBack.version?.action, rolledBack.version?.restoredFrom, rolledBack.graph?.version],
        ['published', 3, 'rollback', 1, 4],
      );
      assert.equal(rolledBack.graph?.sdl, (await registry.store.graph(2))?.sdl, 'the graph is the one before the nickname');
      assert.deepEqual(
        rolledBack.report?.changes.map((change) => [change.criticality, change.message, change.uses]),
        [['breaking', "Field 'nickname' was removed from object type 'User'", []]],
      );

      const deleted = await registry.deleteService({ service: 'reviews', author: 'erin' });
      assert.deepEqual([deleted.outcome, deleted.version?.version, deleted.version?.action, deleted.graph?.version], ['published', 2, 'delete', 5]);
      const latest = await registry.latestGraph();
      assert.deepEqual(
        latest?.services.map((member) => `${member.service}@${member.version}`),
        ['users@3'],
      );
      assert.doesNotMatch(latest?.sdl ?? '', /Review/);
      assert.deepEqual(
        (await registry.diffGraphs(4, 5)).filter((change) => change.criticality === 'breaking').map((change) => change.message),
        ["Type 'Review' was removed", "Field 'topReviews' was removed from object type 'Query'", "Field 'reviews' was removed from object type 'User'"],
      );

      const again = await registry.rollback({ service: 'reviews', to: 1, author: 'erin' });
      assert.deepEqual(
        [again.outcome, again.version?.version, again.graph?.services.map((member) => member.service)],
        ['published', 3, ['users', 'reviews']],
        'a rollback brings a deleted service back',
      );
      assert.deepEqual((await registry.publish({ service: 'users', sdl: usersSdl, author: 'frank' })).outcome, 'unchanged');
    });

    test("a candidate that does not compose is refused with start-up's line naming both services; no version is stored, the failed check is", async (t) => {
      const { registry } = await openTestRegistry(t, backend);
      await registry.publish(newService('users', usersSdl));
      const before = await registry.store.serviceVersions();
      const conflicting = usersSdl.replace('name: String', 'name: Int').replace('usersByIds', 'accountsByIds');
      for (const force of [false, true]) {
        const result = await registry.publish({ ...newService('accounts', conflicting), force });
        assert.equal(result.outcome, 'refused');
        assert.deepEqual(result.report?.errors, [
          "composition: User.name is String in users but Int in accounts; services must agree on a shared field's type",
        ]);
      }
      assert.deepEqual(await registry.store.serviceVersions(), before);
      assert.equal((await registry.latestGraph())?.version, 1);
      const checks = await registry.store.checks({ service: 'accounts' });
      assert.deepEqual(
        checks.map((check) => [check.service, check.action, check.passed, check.forced, check.baseGraphVersion]),
        [
          ['accounts', 'publish', false, false, 1],
          ['accounts', 'publish', false, false, 1],
        ],
      );
      assert.deepEqual(checks[0]?.report.notes, ['--force stores no graph that does not compose']);
    });

    test("federation subgraphs compose from their stored SDL with no subgraph running; their errors are start-up's", async (t) => {
      const { registry } = await openTestRegistry(t, backend);
      const products = `${link('key')}\ntype Product @key(fields: "upc") { upc: String! weight: Int! }\ntype Query { topProducts: [Product!]! }`;
      const ratings = `${link('key')}\ntype Product @key(fields: "upc") { upc: String! stars: Int! }`;
      const subgraph = (service: string, sdl: string) => ({ service, sdl, kind: 'federation', urls: [`http://127.0.0.1:9/${service}`], author: 'alice' });
      assert.equal((await registry.publish(subgraph('products', products))).outcome, 'published');
      const composed = await registry.publish(subgraph('ratings', ratings));
      assert.match(composed.graph?.sdl ?? '', /type Product \{\n {2}upc: String!\n {2}weight: Int!\n {2}stars: Int!\n\}/);
      const broken = await registry.publish({ service: 'ratings', sdl: ratings.replace('fields: "upc"', 'fields: "sku"'), author: 'alice' });
      assert.deepEqual(broken.report?.errors, [
        'sources.ratings: @key(fields: "sku") on Product: Cannot query field "sku" on type "Product" (the field should either be added to this subgraph or, if it should not be resolved by this subgraph, you need to add it to this subgraph with @external). (KEY_INVALID_FIELDS)',
      ]);
    });

    test('bad input is refused with a clear error and changes nothing in the store', async (t) => {
      const { registry } = await openTestRegistry(t, backend);
      await registry.publish(newService('users', usersSdl));
      const before = await storeSnapshot(registry);
      const refusals: Array<[() => Promise<unknown>, string[]]> = [
        [
          () => registry.publish({ service: 'users', sdl: 'type User {\n  id: ID!\n  name String\n}', name: 'users.graphql', author: 'a' }),
          ['users.graphql:3:8: Syntax Error: Expected ":", found Name "String".'],
        ],
        [() => registry.check({ service: 'ghost', sdl: usersSdl, author: 'a' }), ['unknown service "ghost": the current graph has users']],
        [() => registry.history('ghost'), ['unknown service "ghost": the registry has users']],
        [() => registry.rollback({ service: 'ghost', to: 1, author: 'a' }), ['unknown service "ghost": the current graph has users']],
        [() => registry.deleteService({ service: 'ghost', author: 'a' }), ['unknown service "ghost": the current graph has users']],
        [
          () => registry.publish({ service: 'users', sdl: usersSdl, urls: ['ftp://users.internal/graphql'], author: 'a' }),
          ['url: expected an http:// or https:// URL, got "ftp://users.internal/graphql"'],
        ],
        [
          () => registry.publish({ service: 'users', sdl: usersSdl, kind: 'grpc', author: 'a' }),
          ['kind: expected one of "graphql", "rest", "federation", got "grpc"'],
        ],
        [() => registry.rollback({ service: 'users', to: 7, author: 'a' }), ['users has no version 7: its versions are 1 to 1']],
        [
          () => registry.publish({ service: 'books', sdl: usersSdl, author: 'a' }),
          ['books is not registered yet: its first publish needs a kind (graphql, rest, federation) and a url'],
        ],
        [
          () => registry.publish({ service: 'users', sdl: usersSdl, options: { timeout: '5s' }, author: 'a' }),
          ['options.timeout: expected an integer from 1 to 600000, got "5s"'],
        ],
        [
          () => registry.publish({ service: 'users', sdl: usersSdl, options: { headers: { authorization: 'secret' } }, author: 'a' }),
          [
            'options.headers: unknown option; expected one of timeout, forwardHeaders, connections, batch, maxBatchSize, httpCache, dedupeInFlight, retries, breaker, loadBalancing, healthCheck, outlierDetection (headers and tls stay in the gateway config)',
          ],
        ],
        [
          () => registry.publish({ service: 'no such', sdl: usersSdl, author: 'a' }),
          ['service: expected a name of letters, digits, - and _ starting with a letter, got "no such"'],
        ],
        [() => registry.diffGraphs(1, 4), ['no graph version 4: graph versions are 1 to 1']],
      ];
      for (const [attempt, problems] of refusals)
        await assert.rejects(attempt(), (error: unknown) => error instanceof RegistryInputError && assert.deepEqual(error.problems, problems) === undefined);
      assert.deepEqual(await storeSnapshot(registry), before);
    });

    test('two concurrent publishes of one service get distinct versions and distinct graph versions', async (t) => {
      const { registry, reopen } = await openTestRegistry(t, backend);
      await registry.publish(newService('users', usersSdl));
      const adding = (field: string) => usersSdl.replace('email: String', `email: String\n  ${field}: String`);
      const together = await Promise.all([
        registry.publish({ service: 'users', sdl: adding('a'), author: 'a' }),
        registry.publish({ service: 'users', sdl: adding('b'), author: 'b' }),
      ]);
      assert.deepEqual(
        together.map((result) => result.outcome),
        ['published', 'published'],
      );
      assert.deepEqual(together.map((result) => result.version?.version).sort(), [2, 3]);
      assert.deepEqual(together.map((result) => result.graph?.version).sort(), [2, 3]);
      if (backend.name === 'postgres') {
        // Two processes: two pools, each publishing to its own service at once.
        const other = await reopen();
        const apart = await Promise.all([
          registry.publish(newService('reviews', reviewsSdl)),
          other.publish(newService('shipping', 'type Parcel { id: ID! }\ntype Query { parcel(id: ID!): Parcel }')),
        ]);
        assert.deepEqual(apart.map((result) => result.graph?.version).sort(), [4, 5]);
        assert.deepEqual(
          (await registry.latestGraph())?.services.map((member) => member.service).sort(),
          ['reviews', 'shipping', 'users'],
          'the later publish composed with the earlier one',
        );
      }
      assert.deepEqual(
        (await registry.history('users')).map((version) => version.version),
        [3, 2, 1],
      );
    });

    test('a reopened store (a restart) has every version, and numbering goes on', async (t) => {
      const { registry, reopen } = await openTestRegistry(t, backend);
      await registry.publish(newService('users', usersSdl));
      await registry.publish(newService('reviews', reviewsSdl));
      const history = await registry.history();
      const graph = await registry.latestGraph();
      await registry.close();
      const restarted = await reopen();
      assert.deepEqual(await restarted.history(), history);
      assert.deepEqual(await restarted.latestGraph(), graph);
      const next = await restarted.publish({ service: 'users', sdl: withNickname, author: 'alice' });
      assert.deepEqual([next.version?.version, next.graph?.version], [2, 3]);
    });

    test('migrations are versioned and idempotent: running them again applies nothing', async (t) => {
      const { registry, location } = await openTestRegistry(t, backend);
      await registry.close();
      const sql = await clientFor(location);
      try {
        assert.deepEqual(await Promise.all([runMigrations(sql), runMigrations(sql)]), [[], []]);
        assert.deepEqual(await sql.query('SELECT version, name FROM schema_migrations ORDER BY version'), [
          { version: 1, name: 'initial' },
          { version: 2, name: 'announced-instances' },
        ]);
      } finally {
        // Before the store is removed (its own cleanup hook runs first).
        await sql.close();
      }
    });
  });
}

test('an embedded store is opened by one process at a time; a lock left by an ended process is taken over', async (t) => {
  const [embedded] = registryBackends;
  const { registry, location, reopen } = await openTestRegistry(t, embedded as (typeof registryBackends)[number]);
  const directory = location.store === 'embedded' ? location.directory : '';
  await assert.rejects(reopen(), { message: `${directory} is open in process ${process.pid} (one process at a time; store: 'postgres' is shared)` });
  await registry.close();
  await writeFile(path.join(directory, 'registry.lock'), '99999999');
  assert.equal((await (await reopen()).latestGraph())?.version, undefined);
});

async function clientFor(location: RegistryLocation) {
  return location.store === 'embedded' ? createPGliteClient(location.directory) : createPostgresClient(location.url);
}
