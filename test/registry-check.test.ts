import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildSchema, parse } from 'graphql';
import { persistedDocumentsClient } from '../src/registry/check-candidate.ts';
import { blockingChanges } from '../src/registry/check-report.ts';
import { describeFailure } from '../src/registry/describe-check.ts';
import { operationCoordinates } from '../src/registry/operation-coordinates.ts';
import { sha256Of } from '../src/trusted-documents/document-id.ts';
import { openTestRegistry, registryBackends } from './helpers/registry-backends.ts';
import { newService, reviewsSdl, storeSnapshot, usersSdl } from './helpers/registry-fixtures.ts';

const day = 86_400_000;
const now = new Date('2026-12-01T12:00:00Z');
const clock = { now: () => now };
const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * day);

const withoutEmail = usersSdl.replace('  email: String\n', '');
const withoutName = usersSdl.replace('  name: String\n', '');

for (const backend of registryBackends) {
  describe(`schema registry checks against usage (${backend.name})`, { skip: backend.skip }, () => {
    test('a breaking change to a coordinate used within the window fails, naming the operations and clients; the store is unchanged', async (t) => {
      const { registry } = await openTestRegistry(t, backend, clock);
      await registry.publish(newService('users', usersSdl));
      await registry.recordUsage([
        { coordinate: 'User.email', documentHash: 'c0ffee', client: 'web', count: 2, at: at(1) },
        { coordinate: 'User.email', documentHash: 'c0ffee', client: 'web', at: at(1) },
        { coordinate: 'User.email', documentHash: 'c0ffee', client: 'ios', count: 2, at: at(6) },
        { coordinate: 'User.email', documentHash: 'beef', at: at(8) },
      ]);
      const before = await storeSnapshot(registry);
      const refused = await registry.publish({ service: 'users', sdl: withoutEmail, author: 'alice' });
      assert.equal(refused.outcome, 'refused');
      const report = refused.report as NonNullable<typeof refused.report>;
      assert.deepEqual(
        blockingChanges(report).map((change) => [change.message, change.coordinates, change.uses]),
        [
          [
            "Field 'email' was removed from object type 'User'",
            ['User.email'],
            [
              { coordinate: 'User.email', documentHash: 'c0ffee', client: 'web', count: 3 },
              { coordinate: 'User.email', documentHash: 'c0ffee', client: 'ios', count: 2 },
            ],
          ],
        ],
      );
      assert.equal(
        describeFailure(report),
        "Breaking change to coordinates in use since 2026-11-24T12:00:00Z:\n  - Field 'email' was removed from object type 'User' (User.email): used by operation c0ffee (client web, 3 calls; client ios, 2 calls)\n",
      );
      const [check] = await registry.store.checks();
      assert.deepEqual([check?.action, check?.passed, check?.forced, check?.author, check?.report], ['publish', false, false, 'alice', report]);
      const after = await storeSnapshot(registry);
      assert.deepEqual(
        [after.versions, after.graph, after.checks.length],
        [before.versions, before.graph, before.checks.length + 1],
        'only the check is stored',
      );

      const forced = await registry.publish({ service: 'users', sdl: withoutEmail, author: 'bob', force: true });
      assert.deepEqual(
        [forced.outcome, forced.version?.forced, forced.version?.author, forced.check?.forced, forced.check?.passed],
        ['published', true, 'bob', true, false],
      );
      assert.match(forced.report?.notes.at(-1) ?? '', /^forced by bob: stored although the check failed$/);
    });

    test('the same change to a field unused within the window passes, with a note', async (t) => {
      const { registry } = await openTestRegistry(t, backend, clock);
      await registry.publish(newService('users', usersSdl));
      await registry.recordUsage([
        { coordinate: 'User.email', documentHash: 'c0ffee', client: 'web', at: at(1) },
        { coordinate: 'User.name', documentHash: 'old', client: 'web', at: at(8) },
      ]);
      const published = await registry.publish({ service: 'users', sdl: withoutName, author: 'alice' });
      assert.equal(published.outcome, 'published');
      assert.equal(published.report?.passed, true);
      assert.deepEqual(published.report?.notes, [
        "unused, so allowed: Field 'name' was removed from object type 'User' (no operation used User.name since 2026-11-24T12:00:00Z, and no persisted document does)",
      ]);
      assert.deepEqual(
        await registry.usage(['User.name', 'User.email']),
        [{ coordinate: 'User.email', documentHash: 'c0ffee', client: 'web', count: 1 }],
        'usage outside the window is left out',
      );
      assert.equal(await registry.store.pruneUsage(at(7)), 1);
      assert.deepEqual(await registry.usage(['User.name'], at(30)), []);
    });

    test('arguments, removed services and persisted documents count as uses', async (t) => {
      const { registry } = await openTestRegistry(t, backend, clock);
      await registry.publish(newService('users', usersSdl));
      await registry.publish(newService('reviews', reviewsSdl));
      const before = buildSchema((await registry.latestGraph())?.sdl ?? '');
      const top = parse('query Top { topReviews(first: 3) { body } }');
      await registry.recordUsage(
        operationCoordinates(before, top, 'Top').map((coordinate) => ({
          coordinate,
          documentHash: sha256Of('query Top { topReviews(first: 3) { body } }'),
          client: 'web',
          at: at(2),
        })),
      );

      const noFirst = await registry.check({ service: 'reviews', sdl: reviewsSdl.replace('topReviews(first: Int)', 'topReviews'), author: 'alice' });
      assert.deepEqual(
        blockingChanges(noFirst.report).map((change) => [change.type, change.coordinates]),
        [['FIELD_ARGUMENT_REMOVED', ['Query.topReviews(first:)']]],
      );
      const requiredArgument = await registry.check({
        service: 'reviews',
        sdl: reviewsSdl.replace('topReviews(first: Int)', 'topReviews(first: Int, by: ID!)'),
        author: 'alice',
      });
      assert.deepEqual(
        blockingChanges(requiredArgument.report).map((change) => change.coordinates),
        [['Query.topReviews']],
        'a new required argument breaks every use of its field',
      );

      const deletion = await registry.deleteService({ service: 'reviews', author: 'alice' });
      assert.equal(deletion.outcome, 'refused');
      assert.deepEqual(
        blockingChanges(deletion.report as NonNullable<typeof deletion.report>).map((change) => change.message),
        ["Type 'Review' was removed", "Field 'topReviews' was removed from object type 'Query'"],
      );

      const manifest = new Map([['stars-doc', '{ user(id: 1) { reviews { stars } } }']]);
      const withoutStars = reviewsSdl.replace('  stars: Int\n', '');
      assert.equal((await registry.check({ service: 'reviews', sdl: withoutStars, author: 'alice' })).report.passed, true);
      const persisted = await registry.check({ service: 'reviews', sdl: withoutStars, author: 'alice', persistedDocuments: manifest });
      assert.deepEqual(
        blockingChanges(persisted.report).map((change) => change.uses),
        [[{ coordinate: 'Review.stars', documentHash: 'stars-doc', client: persistedDocumentsClient, count: 0 }]],
      );
      const configured = (await openTestRegistry(t, backend, { ...clock, persistedDocuments: manifest })).registry;
      await configured.publish(newService('users', usersSdl));
      await configured.publish(newService('reviews', reviewsSdl));
      assert.equal(
        (await configured.publish({ service: 'reviews', sdl: withoutStars, author: 'alice' })).outcome,
        'refused',
        'documents given to the registry count in every check',
      );
    });

    test('a check stores its record and never a version; service SDL changes are listed too', async (t) => {
      const { registry } = await openTestRegistry(t, backend, clock);
      await registry.publish(newService('users', usersSdl));
      const { report, check } = await registry.check({
        service: 'users',
        sdl: usersSdl.replace('email: String', 'email: String\n  age: Int'),
        author: 'carol',
      });
      assert.deepEqual([report.passed, report.baseGraphVersion, check.action, check.author], [true, 1, 'check', 'carol']);
      assert.deepEqual(
        report.serviceChanges.map((change) => [change.criticality, change.message]),
        [['safe', "Field 'age' was added to object type 'User'"]],
      );
      assert.deepEqual(
        (await registry.history()).map((version) => version.version),
        [1],
      );
    });
  });
}
