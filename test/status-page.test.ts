import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { SERVICE_NAMES } from '../examples/ecommerce/start-services.ts';
import { OrderHistoryDocument } from '../generated/operations.ts';
import type { StatusData } from '../src/observability/metrics-recorder.ts';
import { statusRefreshMs } from '../src/observability/status-page.ts';
import { launchBrowser } from './helpers/browser.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { scrape, valueOf } from './helpers/prometheus-text.ts';
import { startShop } from './helpers/start-shop.ts';

/** Each wait fails on its own, well inside the test's timeout. */
const STEP_TIMEOUT = 10_000;

test('the status page shows the six services and its numbers move after traffic, loading nothing from elsewhere', { timeout: 180_000 }, async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const shop = await startShop(t);
  const origin = new URL(shop.gateway.url).origin;
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

  const served = await page.goto(`${shop.gateway.url}/_concierge`);
  assert.equal(served?.status(), 200);
  assert.equal(served?.headers()['cache-control'], 'no-store');
  assert.match(served?.headers()['content-security-policy'] ?? '', /default-src 'none'.*connect-src 'self'/);
  await page
    .locator('tr[data-source]')
    .nth(SERVICE_NAMES.length - 1)
    .waitFor();
  const rows = page.locator('tr[data-source]');
  assert.deepEqual((await rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset['source']))).sort(), [...SERVICE_NAMES].sort());
  for (const name of SERVICE_NAMES) {
    const row = page.locator(`tr[data-source="${name}"]`);
    assert.equal(await row.locator('[data-field="origin"]').textContent(), new URL(shop.services.urls[name]).origin);
    assert.equal(await row.locator('[data-field="health"]').textContent(), 'unknown', `${name} has not been called yet`);
  }
  const requests = page.locator('[data-total="requests"]');
  const before = Number(await requests.textContent());

  for (let index = 0; index < 3; index++) assert.equal((await postGraphQL(shop.endpoint, OrderHistoryDocument, { id: '1' }, shop.asUser1)).status, 200);
  await page.waitForFunction((expected) => document.querySelector('[data-total="requests"]')?.textContent === String(expected), before + 3, {
    timeout: statusRefreshMs * 3,
  });
  for (const name of SERVICE_NAMES) {
    const row = page.locator(`tr[data-source="${name}"]`);
    assert.equal(await row.locator('[data-field="health"]').textContent(), 'healthy', name);
    assert.ok(Number(await row.locator('[data-field="requests"]').textContent()) >= 3, `${name} shows its calls`);
    assert.match((await row.locator('[data-field="p95"]').textContent()) ?? '', /^\d+(\.\d)? ms$/);
  }
  assert.equal(await page.locator('tr[data-operation="query other"] [data-field="requests"]').textContent(), String(before + 3));

  assert.deepEqual(problems, [], 'no script error and no blocked resource');
  assert.ok(requested.length >= 2, 'the page fetched its data');
  assert.deepEqual(
    requested.filter((url) => new URL(url).origin !== origin),
    [],
    'no request leaves the gateway origin',
  );
});

test('data.json: health, recent errors and counts that agree with /metrics', async (t) => {
  const shop = await startShop(t, {
    adjust: (config) => {
      const payments = config.sources.find(({ name }) => name === 'payments');
      assert.ok(payments);
      payments.url = 'http://127.0.0.1:9';
    },
  });
  const answered = await postGraphQL(shop.endpoint, OrderHistoryDocument, { id: '1' }, shop.asUser1);
  assert.equal(answered.body.errors?.[0]?.extensions?.code, 'DOWNSTREAM_SERVICE_ERROR');
  const response = await fetch(`${shop.gateway.url}/_concierge/data.json`);
  assert.equal(response.headers.get('cache-control'), 'no-store');
  const data = (await response.json()) as StatusData;

  const payments = data.sources.find(({ name }) => name === 'payments');
  assert.equal(payments?.health, 'failing');
  assert.equal(payments?.origin, 'http://127.0.0.1:9');
  assert.ok(payments?.lastErrorAt && Date.now() - Date.parse(payments.lastErrorAt) < 60_000);
  assert.equal(payments?.lastError, 'Service "payments" could not be reached.');
  assert.equal(payments?.errorRate, 1);
  assert.equal(data.sources.find(({ name }) => name === 'users')?.health, 'healthy');
  // One failed service fails the payment of every order: one entry, with the count.
  assert.deepEqual(
    data.recentErrors.map(({ code, operation, service, count }) => ({ code, operation, service, count })),
    [{ code: 'DOWNSTREAM_SERVICE_ERROR', operation: 'OrderHistory', service: 'payments', count: answered.body.errors?.length }],
  );
  assert.equal(data.gateway.requests, 1);
  assert.equal(data.gateway.errorRate, 1, 'a partial answer counts as an error');

  const samples = await scrape(`${shop.gateway.url}/metrics`);
  for (const source of data.sources) {
    const counted = ['2xx', '4xx', '5xx', 'timeout', 'unreachable', 'error'].reduce(
      (sum, outcome) => sum + (valueOf(samples, 'concierge_upstream_requests_total', { service: source.name, outcome }) ?? 0),
      0,
    );
    assert.equal(source.requests, counted, `${source.name}: the page and /metrics count the same calls`);
  }
});

test('behind the admin key, the page works with Basic credentials, its own fetches included', { timeout: 180_000 }, async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const key = 'status-page-admin-key';
  const shop = await startShop(t, {
    adjust: (config) =>
      void (config.metrics.admin = { key: { keyHash: createHash('sha256').update(key).digest('hex'), header: 'x-admin-key' }, loopbackOnly: false }),
  });
  const refused = await fetch(`${shop.gateway.url}/_concierge`);
  assert.equal(refused.status, 401);
  assert.match(refused.headers.get('www-authenticate') ?? '', /^Basic /, 'browsers are asked for credentials');

  const context = await browser.newContext({ httpCredentials: { username: 'ops', password: key } });
  context.setDefaultTimeout(STEP_TIMEOUT);
  const statuses: number[] = [];
  context.on('response', (response) => statuses.push(response.status()));
  const page = await context.newPage();
  assert.equal((await page.goto(`${shop.gateway.url}/_concierge`))?.status(), 200);
  await page
    .locator('tr[data-source]')
    .nth(SERVICE_NAMES.length - 1)
    .waitFor();
  assert.equal(await page.locator('#updated').getAttribute('class'), 'muted', 'the last refresh succeeded');
  assert.ok(statuses.includes(200) && statuses.filter((status) => status === 200).length >= 2, 'the page and its data were served');
});
