import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { SchemaStatus } from '../src/plugins/use-metrics.ts';
import type { Registry } from '../src/registry/create-registry.ts';
import { openRegistry } from '../src/registry/open-registry.ts';
import { launchBrowser } from './helpers/browser.ts';
import { registryBackends } from './helpers/registry-backends.ts';
import { closeBeforeStore, publishTagged, startFollowingGateway, startTaggedService, taggedSdl } from './helpers/registry-gateways.ts';

const [embedded] = registryBackends as [(typeof registryBackends)[0]];
const STEP_TIMEOUT = 10_000;

/**
 * A gateway following a registry with three graph versions: v1 (f0), v2 adds f1 (safe), v3 removes
 * it again (breaking, unused: published). Then a check removing f0, which `web` uses, fails.
 */
async function historyGateway(t: TestContext) {
  const service = await startTaggedService(t, 'A');
  const defer = closeBeforeStore(t);
  const location = await embedded.location(t);
  const seeding = await openRegistry(location);
  try {
    await publishTagged(seeding, service.url, 0, 'alice');
  } finally {
    await seeding.close();
  }
  const gateway = await startFollowingGateway(t, location, { defer });
  const registry = gateway.gateway.registry?.registry as Registry;
  const follower = gateway.gateway.registry?.follower;
  assert.equal(await follower?.reached(await publishTagged(registry, service.url, 1, 'bob')), undefined);
  const removal = await registry.publish({ service: 'svc', sdl: taggedSdl(0), author: 'carol' });
  assert.equal(await follower?.reached(removal.graph?.version ?? 0), undefined);
  await registry.recordUsage([{ coordinate: 'Query.f0', documentHash: 'c0ffee', client: 'web', count: 3, at: new Date() }]);
  const refused = await registry.check({ service: 'svc', sdl: 'type Query {\n  slow: String\n}\n', author: 'dave' });
  assert.equal(refused.report.passed, false);
  return gateway;
}

async function schemaOf(url: string, query = ''): Promise<SchemaStatus> {
  const response = await fetch(`${url}/_concierge/data.json${query}`);
  assert.equal(response.status, 200);
  return ((await response.json()) as { schema: SchemaStatus }).schema;
}

test('data.json: graph version history, the served version diff in plain words, a selected version diff, checks in words', {
  skip: embedded.skip,
  timeout: 30_000,
}, async (t) => {
  const gateway = await historyGateway(t);
  const schema = await schemaOf(gateway.url);
  assert.equal(schema.version, 3);
  assert.deepEqual(
    schema.history.map(({ version, author, changes }) => [version, author, changes]),
    [
      [3, 'carol', [{ service: 'svc', version: 3, action: 'publish' }]],
      [2, 'bob', [{ service: 'svc', version: 2, action: 'publish' }]],
      [1, 'alice', [{ service: 'svc', version: 1, action: 'publish' }]],
    ],
  );
  assert.ok(schema.history.every(({ at }) => Date.now() - Date.parse(at) < 60_000));
  assert.deepEqual(schema.diff, {
    version: 3,
    from: 2,
    changes: [{ criticality: 'breaking', message: "Field 'f1' was removed from object type 'Query'", path: 'Query.f1' }],
    note: null,
  });
  assert.deepEqual((await schemaOf(gateway.url, '?version=2')).diff, {
    version: 2,
    from: 1,
    changes: [{ criticality: 'safe', message: "Field 'f1' was added to object type 'Query'", path: 'Query.f1' }],
    note: null,
  });
  assert.deepEqual((await schemaOf(gateway.url, '?version=1')).diff, {
    version: 1,
    from: null,
    changes: [],
    note: 'the first graph version: nothing to compare with',
  });
  assert.match((await schemaOf(gateway.url, '?version=9')).diff?.note ?? '', /no graph version 9: graph versions are 1 to 3$/);

  const [failed, removal, addition] = schema.checks;
  assert.deepEqual(
    [failed?.passed, failed?.author, failed?.summary, failed?.counts],
    [false, 'dave', 'failed: 1 breaking (1 in use)', { breaking: 1, dangerous: 0, safe: 0 }],
  );
  assert.equal(failed?.reason, "Field 'f0' was removed from object type 'Query': used by web (3 calls)");
  assert.deepEqual([removal?.passed, removal?.summary, removal?.reason], [true, 'passed: 1 breaking (0 in use)', null]);
  assert.deepEqual([addition?.passed, addition?.summary], [true, 'passed: 1 safe']);
});

test('the status page shows the Schema section: the served version, a diff line marked breaking, another version on selection', {
  skip: embedded.skip,
  timeout: 40_000,
}, async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const gateway = await historyGateway(t);
  const origin = new URL(gateway.url).origin;
  const context = await browser.newContext();
  context.setDefaultTimeout(STEP_TIMEOUT);
  const requested: string[] = [];
  context.on('request', (request) => requested.push(request.url()));
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });

  assert.equal((await page.goto(`${gateway.url}/_concierge`))?.status(), 200);
  const breaking = page.locator('#schema-diff tr[data-change="breaking"]');
  await breaking.waitFor();
  assert.equal(await page.locator('#schema').isVisible(), true);
  assert.equal(await page.locator('#schema-version').textContent(), 'v3');
  assert.equal(await page.locator('#schema-diff-title').textContent(), 'Changes in v3 from v2');
  assert.deepEqual(await breaking.locator('td').allTextContents(), ['breaking', "Field 'f1' was removed from object type 'Query'"]);
  assert.equal(await page.locator('tr[data-graph="3"]').getAttribute('aria-selected'), 'true');
  assert.match((await page.locator('tr[data-graph="3"] [data-field="changes"]').textContent()) ?? '', /^svc v3 \(publish\)$/);
  assert.equal(await page.locator('#schema-checks tr').first().locator('[data-field="summary"]').textContent(), 'failed: 1 breaking (1 in use)');

  await page.locator('tr[data-graph="2"]').click();
  await page.locator('#schema-diff tr[data-change="safe"]').waitFor();
  assert.equal(await page.locator('#schema-diff-title').textContent(), 'Changes in v2 from v1');
  assert.equal(await page.locator('tr[data-graph="2"]').getAttribute('aria-selected'), 'true');

  assert.deepEqual(problems, [], 'no script error and no blocked resource');
  assert.deepEqual(
    requested.filter((url) => new URL(url).origin !== origin),
    [],
    'no request leaves the gateway origin',
  );
});
