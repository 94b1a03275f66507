import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { print } from 'graphql';
import { SERVICE_NAMES } from '../examples/ecommerce/start-services.ts';
import { OrderHistoryDocument } from '../generated/operations.ts';
import { postGraphQL, sendRaw } from './helpers/graphql-request.ts';
import { familiesOf, parseExposition, scrape, seriesOf, valueOf } from './helpers/prometheus-text.ts';
import { root, startShop } from './helpers/start-shop.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const catalogue = '{ products(first: 2) { id name price } }';

test('after the order-history query, /metrics is a valid exposition with every series, labelled', async (t) => {
  const shop = await startShop(t);
  const { urls } = shop.services;
  assert.equal((await postGraphQL(shop.endpoint, OrderHistoryDocument, { id: '1' }, shop.asUser1)).status, 200);
  assert.equal((await postGraphQL(shop.endpoint, catalogue)).headers.get('x-cache'), 'MISS');
  assert.equal((await postGraphQL(shop.endpoint, catalogue)).headers.get('x-cache'), 'HIT');
  assert.equal((await postGraphQL(shop.endpoint, '{ me { name } }')).body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  assert.equal((await postGraphQL(shop.endpoint, '{ nope }')).status, 400);
  assert.equal((await postGraphQL(shop.endpoint, '{ me { name } }', {}, { authorization: 'Bearer not-a-token' })).status, 401);

  const scraped = await fetch(`${shop.gateway.url}/metrics`);
  assert.equal(scraped.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  assert.equal(scraped.headers.get('cache-control'), 'no-store');
  const text = await scraped.text();
  const samples = parseExposition(text);
  const requests = (labels: Record<string, string>) => valueOf(samples, 'concierge_requests_total', labels);
  assert.equal(requests({ operation_type: 'query', operation: 'other', status_class: '2xx', consumer: 'jwt' }), 1);
  assert.equal(requests({ operation_type: 'query', operation: 'other', status_class: '2xx', consumer: 'anonymous' }), 3);
  assert.equal(requests({ operation_type: 'query', operation: 'other', status_class: '4xx', consumer: 'anonymous' }), 1);
  // Refused in onRequest, before its document was even parsed.
  assert.equal(requests({ operation_type: 'unknown', operation: 'other', status_class: '4xx', consumer: 'anonymous' }), 1);
  for (const sample of seriesOf(samples, 'concierge_requests_total'))
    assert.deepEqual(Object.keys(sample.labels).sort(), ['consumer', 'operation', 'operation_type', 'status_class']);
  assert.equal(valueOf(samples, 'concierge_request_duration_seconds_count', { operation_type: 'query', operation: 'other' }), 5);
  assert.equal(valueOf(samples, 'concierge_request_duration_seconds_bucket', { operation_type: 'query', operation: 'other', le: '+Inf' }), 5);

  for (const service of SERVICE_NAMES) {
    const instance = new URL(urls[service]).origin;
    assert.ok(
      (valueOf(samples, 'concierge_upstream_requests_total', { service, instance, outcome: '2xx' }) ?? 0) >= 1,
      `${service} was called with outcome 2xx`,
    );
    assert.ok((valueOf(samples, 'concierge_upstream_duration_seconds_count', { service, instance }) ?? 0) >= 1, `${service}'s calls were timed`);
  }
  assert.deepEqual(new Set(seriesOf(samples, 'concierge_upstream_requests_total').map(({ labels }) => labels['outcome'])), new Set(['2xx']));

  assert.equal(valueOf(samples, 'concierge_response_cache_total', { result: 'MISS' }), 1);
  assert.equal(valueOf(samples, 'concierge_response_cache_total', { result: 'HIT' }), 1);
  assert.equal(valueOf(samples, 'concierge_errors_total', { code: 'UNAUTHENTICATED' }), 2);
  assert.equal(valueOf(samples, 'concierge_errors_total', { code: 'GRAPHQL_VALIDATION_FAILED' }), 1);
  assert.equal(valueOf(samples, 'concierge_schema_loads_total'), 1);
  assert.ok(valueOf(samples, 'concierge_process_cpu_user_seconds_total') !== undefined, 'process metrics are collected');
  assert.ok(valueOf(samples, 'concierge_nodejs_eventloop_lag_seconds') !== undefined, 'event-loop lag is collected');

  // The example Grafana dashboard charts metrics that exist.
  const dashboard = await readFile(`${root}examples/grafana-dashboard.json`, 'utf8');
  const charted = new Set([...dashboard.matchAll(/\bconcierge_\w+/g)].map(([name]) => name.replace(/_(bucket|count|sum)$/, '')));
  assert.ok(charted.size >= 8);
  for (const name of charted) assert.ok(familiesOf(text).has(name), `the dashboard's ${name} is exposed`);

  // Scrapes are answered before any GraphQL work and are not GraphQL requests.
  const total = (scraped: typeof samples) => seriesOf(scraped, 'concierge_requests_total').reduce((sum, { value }) => sum + value, 0);
  assert.equal(total(await scrape(`${shop.gateway.url}/metrics`)), total(samples));
  const post = await sendRaw(`${shop.gateway.url}/metrics`, { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET');
});

test('operation names are label values only for manifest documents or the configured list', async (t) => {
  const manifestText = print(OrderHistoryDocument);
  const persisted = await startShop(t, {
    adjust: (config) => {
      config.trustedDocuments = { ...config.trustedDocuments, documents: new Map([[sha256(manifestText), manifestText]]) };
    },
  });
  const byId = await sendRaw(persisted.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...persisted.asUser1 },
    body: JSON.stringify({ documentId: `sha256:${sha256(manifestText)}`, variables: { id: '1' } }),
  });
  assert.equal(byId.status, 200);
  // The same name on a document the manifest does not hold is a client's invention.
  await postGraphQL(persisted.endpoint, 'query OrderHistory { __typename }');
  const samples = await scrape(`${persisted.gateway.url}/metrics`);
  assert.equal(valueOf(samples, 'concierge_requests_total', { operation: 'OrderHistory' }), 1);
  assert.equal(valueOf(samples, 'concierge_requests_total', { operation: 'other' }), 1);

  const listed = await startShop(t, { adjust: (config) => void (config.metrics.operationNames = ['OrderHistory']) });
  await postGraphQL(listed.endpoint, OrderHistoryDocument, { id: '1' }, listed.asUser1);
  await postGraphQL(listed.endpoint, 'query Elsewhere { __typename }');
  const names = new Set(seriesOf(await scrape(`${listed.gateway.url}/metrics`), 'concierge_requests_total').map(({ labels }) => labels['operation']));
  assert.deepEqual(names, new Set(['OrderHistory', 'other']));
});

test('rate-limit rejections by scope, and upstream outcomes of a service that cannot be reached', async (t) => {
  const shop = await startShop(t, {
    adjust: (config) => {
      // Signed-in callers get one request a minute; anonymous ones (the field-limit part) none.
      config.rateLimits.plans.set('default', { requests: { max: 1, windowMs: 60_000 } });
      config.rateLimits.plans.set('anonymous', {});
      config.rateLimits.fields.set('Query.products', { max: 1, windowMs: 60_000, identityArgs: [], readOnly: false, uncountRejected: false });
      const payments = config.sources.find(({ name }) => name === 'payments');
      assert.ok(payments);
      payments.url = 'http://127.0.0.1:9';
    },
  });
  await postGraphQL(shop.endpoint, '{ products(first: 1) { id } }');
  const field = await postGraphQL(shop.endpoint, '{ products(first: 1) { id } }');
  assert.equal(field.body.errors?.[0]?.extensions?.code, 'RATE_LIMITED');
  const partial = await postGraphQL(shop.endpoint, OrderHistoryDocument, { id: '1' }, shop.asUser1);
  assert.equal(partial.status, 200);
  assert.equal((await postGraphQL(shop.endpoint, OrderHistoryDocument, { id: '1' }, shop.asUser1)).status, 429);

  const samples = await scrape(`${shop.gateway.url}/metrics`);
  assert.equal(valueOf(samples, 'concierge_rate_limited_total', { scope: 'field' }), 1);
  assert.equal(valueOf(samples, 'concierge_rate_limited_total', { scope: 'operation' }), 1);
  assert.equal(valueOf(samples, 'concierge_errors_total', { code: 'RATE_LIMITED' }), 2);
  assert.equal(valueOf(samples, 'concierge_requests_total', { status_class: '4xx', consumer: 'jwt' }), 1);
  assert.equal(valueOf(samples, 'concierge_upstream_requests_total', { service: 'payments', instance: 'http://127.0.0.1:9', outcome: 'unreachable' }), 1);
  // Every error sent counts: the one failed call failed the payment of each of the ten orders.
  assert.equal(partial.body.errors?.length, 10);
  assert.equal(valueOf(samples, 'concierge_errors_total', { code: 'DOWNSTREAM_SERVICE_ERROR' }), 10);
});

/**
 * The attack's client, in a worker thread: the gateway keeps the main thread to itself, and the
 * client's promises escape the test runner's async hooks.
 */
const inventNames = `
const { parentPort, workerData: { url, total, concurrency } } = require('node:worker_threads');
let next = 0;
const statuses = {};
async function client() {
  while (next < total) {
    const body = JSON.stringify({ query: 'query Op' + next++ + ' { __typename }' });
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await response.arrayBuffer();
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
  }
}
Promise.all(Array.from({ length: concurrency }, client)).then(() => parentPort.postMessage(statuses));
`;

test('2,000 invented operation names leave the number of series bounded', { timeout: 180_000 }, async (t) => {
  const shop = await startShop(t);
  const total = 2_000;
  const started = performance.now();
  const worker = new Worker(inventNames, { eval: true, workerData: { url: shop.endpoint, total, concurrency: 20 } });
  t.after(() => worker.terminate());
  const statuses = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  t.diagnostic(`${total} requests in ${Math.round(performance.now() - started)} ms`);
  assert.deepEqual(statuses, { 200: total });

  const samples = await scrape(`${shop.gateway.url}/metrics`);
  const requests = seriesOf(samples, 'concierge_requests_total');
  assert.deepEqual(
    requests.map(({ labels, value }) => [labels, value]),
    [[{ operation_type: 'query', operation: 'other', status_class: '2xx', consumer: 'anonymous' }, total]],
  );
  assert.equal(seriesOf(samples, 'concierge_request_duration_seconds_count').length, 1);
  const data = (await (await fetch(`${shop.gateway.url}/_concierge/data.json`)).json()) as { operations: unknown[] };
  assert.equal(data.operations.length, 1, 'the status page keeps bounded keys too');
});

test('the admin key guards /metrics and the status page: 401 without, 403 with a wrong one', async (t) => {
  const key = 'correct horse battery staple';
  const shop = await startShop(t, {
    adjust: (config) => void (config.metrics.admin = { key: { keyHash: sha256(key), header: 'x-admin-key' }, loopbackOnly: false }),
  });
  const basic = (password: string) => ({ authorization: `Basic ${Buffer.from(`ops:${password}`).toString('base64')}` });
  for (const path of ['/metrics', '/_concierge', '/_concierge/data.json']) {
    const url = `${shop.gateway.url}${path}`;
    const missing = await sendRaw(url, {});
    assert.equal(missing.status, 401, path);
    assert.equal(missing.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    assert.match(missing.headers.get('www-authenticate') ?? '', /^Basic realm="Concierge admin"/);
    const wrong = await sendRaw(url, { headers: { 'x-admin-key': 'guess' } });
    assert.equal(wrong.status, 403, path);
    assert.equal(wrong.body.errors?.[0]?.message, 'The admin key in x-admin-key is not valid.');
    assert.equal(wrong.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.equal((await sendRaw(url, { headers: basic('guess') })).status, 401, `${path}: wrong Basic credentials are asked for again`);
    assert.equal((await sendRaw(url, { headers: { 'x-admin-key': key } })).status, 200, path);
    assert.equal((await sendRaw(url, { headers: basic(key) })).status, 200, `${path} with Basic credentials`);
  }
  // GraphQL itself is not behind the admin key.
  assert.equal((await postGraphQL(shop.endpoint, '{ __typename }')).status, 200);
});

test('metrics.port serves the metrics on a listener of their own, closed with the gateway', async (t) => {
  const port = await freePort();
  const shop = await startShop(t, { adjust: (config) => void (config.metrics.port = port) });
  await postGraphQL(shop.endpoint, '{ __typename }');
  const samples = await scrape(`http://127.0.0.1:${port}/metrics`);
  assert.equal(valueOf(samples, 'concierge_requests_total', { status_class: '2xx' }), 1);
  assert.equal((await fetch(`${shop.gateway.url}/metrics`)).status, 404, 'the main port no longer serves them');
  assert.equal((await fetch(`http://127.0.0.1:${port}${shop.gateway.gateway.config.graphqlEndpoint}`)).status, 404, 'the metrics port serves nothing else');
  await shop.gateway.close();
  await assert.rejects(fetch(`http://127.0.0.1:${port}/metrics`), 'the listener closes with the gateway');
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
