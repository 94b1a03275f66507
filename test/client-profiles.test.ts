import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { setImmediate } from 'node:timers/promises';
import type { Consumer } from '../src/auth/consumer.ts';
import { createChecker } from '../src/config/config-checker.ts';
import { defaultLimits } from '../src/limits/limits-config.ts';
import { normalizeClientsOptions } from '../src/clients/normalize-clients.ts';
import { selectClient } from '../src/clients/select-client.ts';
import { createVersionLabels, maxSeenVersions } from '../src/clients/version-labels.ts';
import { sha256Of } from '../src/trusted-documents/document-id.ts';
import { clientsConfig, keys, startClientShop } from './helpers/client-shop.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { parseExposition, seriesOf, valueOf } from './helpers/prometheus-text.ts';

function profilesOf(raw: Record<string, unknown>, defaultClient?: string) {
  const problems: string[] = [];
  const clients = normalizeClientsOptions(raw, defaultClient, {
    check: createChecker(problems),
    baseDir: tmpdir(),
    consumers: ['backoffice', 'app'],
    plans: [],
    limits: defaultLimits,
  });
  assert.deepEqual(problems, []);
  return clients;
}

const consumer = (fields: Partial<Consumer>): Consumer => ({ id: fields.name ?? 'someone', via: 'api-key', scopes: [], introspection: false, ...fields });

test('selection order: identity first, then the header among public profiles, then the default', () => {
  const clients = profilesOf({
    web: { default: true, names: ['web'] },
    mobile: { names: ['shop-ios'] },
    partner: { consumers: ['backoffice'], names: ['partner'] },
    partnerBeta: { consumers: ['backoffice'], names: ['partner-beta'] },
    employee: { claim: { name: 'roles', value: 'staff' }, names: ['employee'] },
  });
  const pick = (who: Consumer | undefined, header?: string) => selectClient(clients, who, header)?.name;
  assert.equal(pick(undefined), 'web');
  assert.equal(pick(undefined, 'shop-ios'), 'mobile');
  assert.equal(pick(undefined, 'unknown-app'), 'web');
  assert.equal(pick(undefined, 'partner'), 'web', 'a header never reaches a restricted profile');
  assert.equal(pick(undefined, 'employee'), 'web');
  assert.equal(pick(consumer({ name: 'backoffice' })), 'partner', 'the first profile the identity allows');
  assert.equal(pick(consumer({ name: 'backoffice' }), 'partner-beta'), 'partnerBeta', 'the header chooses among the profiles the identity allows');
  assert.equal(pick(consumer({ name: 'backoffice' }), 'shop-ios'), 'partner', 'but never leaves them');
  assert.equal(pick(consumer({ via: 'jwt', claims: { roles: ['staff', 'admin'] } })), 'employee');
  assert.equal(pick(consumer({ via: 'jwt', claims: { roles: 'staff' } })), 'employee');
  assert.equal(pick(consumer({ via: 'jwt', claims: { roles: ['admin'] } }), 'shop-ios'), 'mobile');
  assert.equal(pick(consumer({ name: 'app' })), 'web', 'a consumer no profile names is a caller like any other');
});

test('version labels: declared versions, else the first ones seen, the rest other', () => {
  const clients = profilesOf({ web: { default: true }, ios: { names: ['ios'], versions: ['4.2.0'] } });
  const [web, ios] = clients.profiles;
  assert.ok(web && ios);
  const label = createVersionLabels();
  assert.equal(label(ios, '4.2.0'), '4.2.0');
  assert.equal(label(ios, '4.3.0'), 'other');
  assert.equal(label(web, undefined), 'other');
  assert.equal(label(web, 'has spaces {}'), 'other');
  const labels = Array.from({ length: maxSeenVersions + 5 }, (_, index) => label(web, `1.${index}`));
  assert.deepEqual(
    labels.slice(0, maxSeenVersions),
    Array.from({ length: maxSeenVersions }, (_, index) => `1.${index}`),
  );
  assert.deepEqual(labels.slice(maxSeenVersions), Array(5).fill('other'));
  assert.equal(label(web, '1.0'), '1.0', 'a label once given stays');
});

test('/metrics and the status page break requests down by client and version, bounded to declared profiles', async (t) => {
  const { endpoint, gateway } = await startClientShop(t);
  const query = '{ products { id } }';
  await postGraphQL(endpoint, query, {}, { 'graphql-client-name': 'shop-ios', 'graphql-client-version': '4.2.0' });
  await postGraphQL(endpoint, query, {}, { 'apollographql-client-name': 'shop-android', 'apollographql-client-version': '1.0.0' });
  await postGraphQL(endpoint, query, {}, { 'graphql-client-name': 'made-up-name', 'graphql-client-version': '9' });
  await postGraphQL(endpoint, '{ products { cost } }', {}, { 'graphql-client-name': 'shop-ios', 'graphql-client-version': '4.2.0' });
  await postGraphQL(endpoint, query, {}, { 'x-api-key': 'ck_not-a-real-key-0000000000' });
  const samples = parseExposition(await (await fetch(`${gateway.url}/metrics`)).text());
  const requests = (labels: Record<string, string>) => valueOf(samples, 'concierge_client_requests_total', labels);
  assert.equal(requests({ client: 'mobile', client_version: '4.2.0', status_class: '2xx' }), 1);
  assert.equal(requests({ client: 'mobile', client_version: '4.2.0', status_class: '4xx' }), 1);
  assert.equal(requests({ client: 'mobile', client_version: '1.0.0', status_class: '2xx' }), 1);
  assert.equal(requests({ client: 'web', client_version: '9', status_class: '2xx' }), 1, 'an unknown client name is the default profile');
  assert.equal(requests({ client: 'other', client_version: 'other', status_class: '4xx' }), 1, 'refused before it had a profile');
  assert.deepEqual(new Set(seriesOf(samples, 'concierge_client_requests_total').map(({ labels }) => labels['client'])), new Set(['mobile', 'web', 'other']));
  assert.equal(valueOf(samples, 'concierge_client_errors_total', { client: 'mobile', code: 'GRAPHQL_VALIDATION_FAILED' }), 1);
  assert.equal(valueOf(samples, 'concierge_client_request_duration_seconds_count', { client: 'mobile', client_version: '4.2.0' }), 2);
  assert.deepEqual(
    Object.keys(seriesOf(samples, 'concierge_requests_total')[0]?.labels ?? {}).sort(),
    ['consumer', 'operation', 'operation_type', 'status_class'],
    'the existing series keep their labels',
  );

  const data = (await (await fetch(`${gateway.url}/_concierge/data.json`)).json()) as {
    clients: Array<{ client: string; version: string; requests: number; errorRate: number }>;
  };
  const mobile = data.clients.find((row) => row.client === 'mobile' && row.version === '4.2.0');
  assert.equal(mobile?.requests, 2);
  assert.equal(mobile?.errorRate, 0.5);
});

test('the access log names the client profile and the version sent', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-clients-log-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'access.log');
  const { endpoint } = await startClientShop(t, { logging: { level: 'info', destination: file } });
  await postGraphQL(endpoint, '{ products { id } }', {}, { 'graphql-client-name': 'shop-ios', 'graphql-client-version': '4.2.0' });
  await postGraphQL(endpoint, '{ products { id } }', {}, { 'x-api-key': keys.backoffice });
  const lines = await linesOf(file, 2);
  assert.deepEqual(
    lines.map((line) => [line['client'], line['clientVersion']]),
    [
      ['mobile', '4.2.0'],
      ['staff', null],
    ],
  );
});

/** The log's lines once it has `count` (each is written when its response closes, after the client has read it). */
async function linesOf(file: string, count: number): Promise<Array<Record<string, unknown>>> {
  for (let attempt = 0; ; attempt++) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const lines = text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    if (lines.length >= count || attempt > 10_000) return lines;
    await setImmediate();
  }
}

async function manifestFile(t: TestContext, documents: string[]): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-clients-manifest-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'mobile-4.2.json');
  await writeFile(file, JSON.stringify(Object.fromEntries(documents.map((document) => [sha256Of(document), document]))));
  return file;
}

test('a profile refusing arbitrary documents answers only its manifest operations; other profiles are unaffected', async (t) => {
  const persisted = 'query Catalogue { products { id name } }';
  const manifest = await manifestFile(t, [persisted]);
  const base = clientsConfig().clients;
  const { endpoint, service } = await startClientShop(t, {
    clients: { ...base, mobile: { ...base.mobile, trustedDocuments: { manifest, allowArbitraryDocuments: false } } },
  });
  const asMobile = { 'graphql-client-name': 'shop-ios' };
  const byId = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...asMobile },
    body: JSON.stringify({ documentId: sha256Of(persisted) }),
  });
  assert.equal(byId.status, 200);
  assert.deepEqual(await byId.json(), {
    data: {
      products: [
        { id: '1', name: 'Kettle' },
        { id: '2', name: 'Teapot' },
      ],
    },
  });
  const sameText = await postGraphQL(endpoint, persisted, {}, asMobile);
  assert.equal(sameText.status, 200, 'the manifest text sent in full is trusted too');
  const arbitrary = await postGraphQL(endpoint, '{ products { id } }', {}, asMobile);
  assert.equal(arbitrary.status, 403);
  assert.equal(arbitrary.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
  const web = await postGraphQL(endpoint, '{ products { id } }', {}, { 'graphql-client-name': 'web' });
  assert.equal(web.status, 200);
  const webById = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ documentId: sha256Of(persisted) }),
  });
  const notFound = (await webById.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
  assert.equal(
    notFound.errors?.[0]?.extensions?.code,
    'PERSISTED_QUERY_NOT_FOUND',
    "web has no manifest: the mobile app's ids mean nothing there (200: an APQ client may register it)",
  );
  assert.equal(service.documents.length, 3);
});

test('per-profile limits and rate-limit plans replace the gateway ones for that profile only', async (t) => {
  const base = clientsConfig().clients;
  const { endpoint, service } = await startClientShop(t, {
    rateLimits: { plans: { mobile: { requests: { max: 2, window: '1h' } } } },
    clients: { ...base, mobile: { ...base.mobile, limits: { maxDepth: 2 }, rateLimitPlan: 'mobile' } },
  });
  const deep = '{ products { images { url } } }';
  const asMobile = { 'graphql-client-name': 'shop-ios' };
  const refused = await postGraphQL(endpoint, deep, {}, asMobile);
  assert.equal(refused.status, 400);
  assert.equal(refused.body.errors?.[0]?.message, 'Query depth 3 exceeds the limit of 2.');
  assert.equal((await postGraphQL(endpoint, deep, {}, { 'graphql-client-name': 'web' })).status, 200);
  assert.equal((await postGraphQL(endpoint, '{ products { id } }', {}, asMobile)).status, 200);
  const limited = await postGraphQL(endpoint, '{ products { id } }', {}, asMobile);
  assert.equal(limited.status, 429);
  assert.equal(limited.body.errors?.[0]?.extensions?.code, 'RATE_LIMITED');
  for (let index = 0; index < 3; index++) assert.equal((await postGraphQL(endpoint, '{ products { id } }', {}, { 'graphql-client-name': 'web' })).status, 200);
  assert.equal(service.documents.length, 5);
});
