import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { print } from 'graphql';
import { OrderHistoryDocument } from '../generated/operations.ts';
import { createChecker } from '../src/config/config-checker.ts';
import { normalizeLoggingOptions, type NormalizedLogging } from '../src/observability/logging-config.ts';
import { sha256Of } from '../src/trusted-documents/document-id.ts';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { linesOf } from './helpers/log-lines.ts';
import { postGraphQL, sendRaw } from './helpers/graphql-request.ts';
import type { UpstreamCall } from '../src/observability/access-log-record.ts';
import { startShop } from './helpers/start-shop.ts';
import { startTestGateway } from './helpers/start-test-gateway.ts';
import { scrape, seriesOf, valueOf } from './helpers/prometheus-text.ts';

/** An upstream call as a finished request's log line lists it. */
type UpstreamEntry = UpstreamCall & { durationMs: number };

interface LogLine {
  level: number;
  msg: string;
  requestId: string;
  method: string;
  path: string;
  status: number | null;
  durationMs: number;
  consumer: { id: string; via: string } | null;
  clientAddress: string | null;
  operationName: string | null;
  operationType: string | null;
  documentHash: string | null;
  errorCodes: string[];
  cache: string | null;
  upstream: UpstreamEntry[];
  slow?: boolean;
  headers?: Record<string, string>;
  variables?: unknown;
}

/** A log file in a fresh folder, and a reader that waits for the lines the gateway writes after each response. */
async function logFile(t: TestContext) {
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-log-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'access.log');
  const text = () => readFile(file, 'utf8').catch(() => '');
  return {
    file,
    text,
    async lines(atLeast = 1): Promise<LogLine[]> {
      return (await linesOf(file, atLeast)).map((line) => JSON.parse(line) as LogLine);
    },
  };
}

/** A shop `adjust` that sends the log to `file`, with other logging options changed. */
const logTo =
  (file: string, logging: Partial<NormalizedLogging> = {}) =>
  (config: { logging: NormalizedLogging }) =>
    void (config.logging = { ...config.logging, level: 'info', destination: file, ...logging });

const token = (headers: Record<string, string>) => (headers['authorization'] ?? '').replace('Bearer ', '');
const secrets = { apiKey: 'ck_live_0123456789abcdef', cookie: 'session=s3cr3t-cookie-value' };

test('the order-history query logs one line with its six upstream calls, the caller and the operation, and no credential', async (t) => {
  const log = await logFile(t);
  const shop = await startShop(t, { adjust: logTo(log.file) });
  const headers = { ...shop.asUser1, 'x-api-key': secrets.apiKey, cookie: secrets.cookie };

  const response = await postGraphQL(shop.endpoint, OrderHistoryDocument, { id: '1' }, headers);

  assert.equal(response.status, 200);
  const [line, ...more] = await log.lines();
  assert.ok(line);
  assert.deepEqual(more, []);
  assert.equal(line.level, 30);
  assert.equal(line.requestId, response.headers.get('x-request-id'));
  assert.match(line.requestId, /^[0-9a-f-]{36}$/);
  // The line's fields in their documented order (pino's first, the message last).
  assert.deepEqual(Object.keys(line), [
    'level',
    'time',
    'pid',
    'hostname',
    'requestId',
    'method',
    'path',
    'status',
    'durationMs',
    'consumer',
    'client',
    'clientVersion',
    'clientAddress',
    'operationName',
    'operationType',
    'documentHash',
    'errorCodes',
    'cache',
    'execution',
    'queryPlanId',
    'upstream',
    'msg',
  ]);
  assert.deepEqual(
    {
      method: line.method,
      path: line.path,
      status: line.status,
      consumer: line.consumer,
      clientAddress: line.clientAddress,
      operationName: line.operationName,
      operationType: line.operationType,
      errorCodes: line.errorCodes,
    },
    {
      method: 'POST',
      path: '/graphql',
      status: 200,
      consumer: { id: '1', via: 'jwt' },
      clientAddress: '127.0.0.1',
      operationName: 'OrderHistory',
      operationType: 'query',
      errorCodes: [],
    },
  );
  assert.equal(line.documentHash, sha256Of(print(OrderHistoryDocument)));
  assert.equal(line.cache, response.headers.get('x-cache'));
  assert.equal(typeof line.durationMs, 'number');
  assert.deepEqual(line.upstream.map((call) => call.service).sort(), ['inventory', 'orders', 'payments', 'products', 'shipping', 'users']);
  assert.equal(line.upstream[0]?.service, 'users', 'calls are listed in the order they started');
  for (const call of line.upstream) {
    assert.equal(call.status, 200, `${call.service} answered 200`);
    assert.ok(call.durationMs >= 0 && call.durationMs < line.durationMs, `${call.service} took part of the request's time`);
    assert.match(call.instance, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.doesNotMatch(call.path, /=/, 'no query value is logged');
  }
  assert.equal(line.upstream.find((call) => call.service === 'orders')?.path, '/orders?userIds&limit');
  assert.equal(line.variables, undefined, 'variables are logged at debug only');
  assert.equal(line.headers, undefined, 'headers are logged at debug only');

  const text = await log.text();
  for (const secret of [token(shop.asUser1), secrets.apiKey, secrets.cookie, 's3cr3t'])
    assert.ok(!text.includes(secret), `the log holds no ${secret.slice(0, 8)}...`);
});

const catalogSdl = /* GraphQL */ `
  type Book { id: ID! title: String! }
  type Query {
    book(id: ID!): Book @http(GET: "/books/{args.id}")
    lookup(email: String!): Book @http(GET: "/lookup?email={args.email}&sort=title")
  }
`;
const notesSdl = /* GraphQL */ `type Query { flaky: String }`;
const fixtureQuery = /* GraphQL */ `query Fixtures($email: String!) { book(id: "1") { id title } lookup(email: $email) { id } flaky }`;

async function startFixtures(t: TestContext, logging: Record<string, unknown>) {
  const catalog = await startFixtureServer(t, (_request, response) => json(response, 200, { id: '1', title: 'Dune' }));
  const notes = await startFixtureServer(t, (_request, response) =>
    json(response, 200, { data: { flaky: null }, errors: [{ message: 'flaky failed', path: ['flaky'] }] }),
  );
  const gateway = await startTestGateway(
    t,
    { catalog: { kind: 'rest', url: catalog.url, sdl: catalogSdl }, notes: { kind: 'graphql', url: `${notes.url}/graphql`, sdl: notesSdl, batch: false } },
    { logging },
  );
  return { catalog, notes, gateway };
}

test('an incoming x-request-id is echoed, forwarded to every service, put on every error and logged', async (t) => {
  const log = await logFile(t);
  const { catalog, notes, gateway } = await startFixtures(t, { destination: log.file });
  const requestId = 'client-42:retry.1_a';

  const response = await postGraphQL(gateway.endpoint, fixtureQuery, { email: 'ada@example.com' }, { 'x-request-id': requestId });

  assert.equal(response.headers.get('x-request-id'), requestId);
  assert.deepEqual(response.body.data?.book, { id: '1', title: 'Dune' });
  assert.ok(response.body.errors?.length);
  for (const error of response.body.errors ?? []) assert.equal(error.extensions?.['requestId'], requestId);
  const sent = [...catalog.requests, ...notes.requests];
  assert.equal(sent.length, 3);
  for (const request of sent) assert.equal(request.headers['x-request-id'], requestId, `${request.method} ${request.url}`);

  const [line] = await log.lines();
  assert.equal(line?.requestId, requestId);
  assert.equal(line.level, 50, 'an upstream error is logged at error');
  assert.deepEqual(line.errorCodes, [...new Set(response.body.errors?.map((error) => error.extensions?.code))]);
  assert.deepEqual(
    line.upstream.map(({ service, method, path, status }) => ({ service, method, path, status })).sort((a, b) => a.path.localeCompare(b.path)),
    [
      { service: 'catalog', method: 'GET', path: '/books/1', status: 200 },
      { service: 'notes', method: 'POST', path: '/graphql', status: 200 },
      { service: 'catalog', method: 'GET', path: '/lookup?email&sort', status: 200 },
    ],
  );
  assert.ok(!(await log.text()).includes('ada@example.com'), 'query values are not logged');
});

test('a malformed x-request-id is replaced by a new one, used everywhere the good one would be', async (t) => {
  const log = await logFile(t);
  const { catalog, gateway } = await startFixtures(t, { destination: log.file });

  for (const bad of ['has spaces', 'x'.repeat(129), 'semi;colon', '']) {
    const response = await postGraphQL(gateway.endpoint, '{ book(id: "1") { id } flaky }', undefined, { 'x-request-id': bad });
    const id = response.headers.get('x-request-id') ?? '';
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, `${JSON.stringify(bad)} is replaced`);
    assert.equal(catalog.requests.at(-1)?.headers['x-request-id'], id);
    assert.equal(response.body.errors?.[0]?.extensions?.['requestId'], id);
  }
  const lines = await log.lines(4);
  assert.equal(new Set(lines.map((line) => line.requestId)).size, 4);
});

test('refusals before GraphQL runs carry the request id too', async (t) => {
  const log = await logFile(t);
  const shop = await startShop(t, { adjust: logTo(log.file) });

  const refused = await postGraphQL(shop.endpoint, '{ __typename }', undefined, { authorization: 'Bearer not-a-jwt', 'x-request-id': 'support-ticket-7' });

  assert.equal(refused.status, 401);
  assert.equal(refused.headers.get('x-request-id'), 'support-ticket-7');
  assert.deepEqual(refused.body.errors?.[0]?.extensions, { code: 'UNAUTHENTICATED', requestId: 'support-ticket-7' });
  const [line] = await log.lines();
  assert.deepEqual(
    { level: line?.level, status: line?.status, errorCodes: line?.errorCodes, consumer: line?.consumer },
    { level: 40, status: 401, errorCodes: ['UNAUTHENTICATED'], consumer: null },
  );
  assert.ok(!(await log.text()).includes('not-a-jwt'));
});

test('sampling 0 drops successful requests but keeps errors and slow requests', async (t) => {
  const log = await logFile(t);
  const shop = await startShop(t, { adjust: logTo(log.file, { sampleRate: 0 }) });

  await postGraphQL(shop.endpoint, '{ product(id: "7") { id } }');
  const invalid = await postGraphQL(shop.endpoint, '{ product(id: "7") { nope } }');
  assert.equal(invalid.status, 400);

  const [line, ...more] = await log.lines();
  assert.deepEqual(more, []);
  assert.deepEqual(
    { level: line?.level, status: line?.status, errorCodes: line?.errorCodes },
    { level: 40, status: 400, errorCodes: ['GRAPHQL_VALIDATION_FAILED'] },
  );
  assert.equal(line?.requestId, invalid.headers.get('x-request-id'));

  const slowLog = await logFile(t);
  const slowShop = await startShop(t, { adjust: logTo(slowLog.file, { sampleRate: 0, slowMs: 0 }) });
  await postGraphQL(slowShop.endpoint, '{ product(id: "7") { id } }');
  const [slow] = await slowLog.lines();
  assert.deepEqual({ level: slow?.level, slow: slow?.slow, status: slow?.status }, { level: 40, slow: true, status: 200 });
});

test('at debug: variables with secret names and credential headers are redacted; other endpoints are logged, probes are not', async (t) => {
  const log = await logFile(t);
  const shop = await startShop(t, { adjust: logTo(log.file, { level: 'debug' }) });
  const headers = { ...shop.asUser1, 'x-api-key': secrets.apiKey, cookie: secrets.cookie, 'x-admin-key': 'adm-123456' };
  const variables = { id: '1', Password: 'hunter2', input: { token: 'tok-999', cards: [{ creditCard: '4111111111111111', holder: 'Ada' }] } };

  assert.equal((await sendRaw(`${shop.gateway.url}/healthz`, {})).status, 200);
  const page = await sendRaw(shop.endpoint, { headers: { accept: 'text/html' } });
  assert.match(page.text, /<html/i);
  await postGraphQL(shop.endpoint, print(OrderHistoryDocument), variables, headers);

  const lines = await log.lines(2);
  assert.deepEqual(
    lines.map((line) => [line.level, line.method, line.path, line.operationName]),
    [
      [20, 'GET', '/graphql', null],
      [30, 'POST', '/graphql', 'OrderHistory'],
    ],
  );
  const line = lines[1];
  assert.deepEqual(line?.variables, { id: '1', Password: '[redacted]', input: { token: '[redacted]', cards: [{ creditCard: '[redacted]', holder: 'Ada' }] } });
  assert.equal(line?.headers?.['authorization'], '[redacted]');
  assert.equal(line?.headers?.['cookie'], '[redacted]');
  assert.equal(line?.headers?.['x-api-key'], '[redacted]');
  assert.equal(line?.headers?.['x-admin-key'], '[redacted]');
  assert.equal(line?.headers?.['content-type'], 'application/json');
  const text = await log.text();
  for (const secret of [token(shop.asUser1), secrets.apiKey, 's3cr3t', 'adm-123456', 'hunter2', 'tok-999', '4111111111111111'])
    assert.ok(!text.includes(secret), `the log holds no ${secret.slice(0, 8)}...`);
});

test('the pretty format writes readable lines', async (t) => {
  const log = await logFile(t);
  const shop = await startShop(t, { adjust: logTo(log.file, { format: 'pretty' }) });
  await postGraphQL(shop.endpoint, OrderHistoryDocument, { id: '1' }, shop.asUser1);
  await shop.gateway.close();
  const text = await log.text();
  assert.match(text, /INFO.*POST \/graphql OrderHistory 200 [\d.]+ ms/);
  assert.match(text, /operationName: "OrderHistory"/);
});

test('logging options are checked, each problem naming the key, the value and what is expected', () => {
  const problems: string[] = [];
  const normalized = normalizeLoggingOptions(
    { level: 'verbose', format: 'text', sampleRate: 1.5, slowMs: -1, redactVariables: ['ok', ''], destination: '', colour: true },
    { check: createChecker(problems), baseDir: '/srv/gateway' },
  );
  assert.deepEqual(problems, [
    'config.logging.colour: unknown option; expected one of level, format, sampleRate, slowMs, redactVariables, destination',
    'config.logging.level: expected one of "fatal", "error", "warn", "info", "debug", "trace", "silent", got "verbose"',
    'config.logging.format: expected one of "auto", "json", "pretty", got "text"',
    'config.logging.sampleRate: expected a number from 0 to 1, got 1.5',
    'config.logging.slowMs: expected an integer from 0 to 3600000, got -1',
    'config.logging.redactVariables: expected a list of non-empty strings, got ["ok",""]',
    'config.logging.destination: expected "stdout", "stderr" or a file path, got ""',
  ]);
  assert.equal(normalized.sampleRate, 1);

  const none: string[] = [];
  assert.deepEqual(normalizeLoggingOptions(undefined, { check: createChecker(none), baseDir: '/srv/gateway' }), {
    level: 'info',
    format: 'auto',
    sampleRate: 1,
    slowMs: 1000,
    redactVariables: new Set(['password', 'token', 'secret', 'apikey', 'creditcard']),
    destination: 'stdout',
  });
  assert.equal(
    normalizeLoggingOptions({ destination: 'logs/access.log' }, { check: createChecker(none), baseDir: '/srv/gateway' }).destination,
    '/srv/gateway/logs/access.log',
  );
  assert.equal(normalizeLoggingOptions({ destination: 'stderr' }, { check: createChecker(none), baseDir: '/srv/gateway' }).destination, 'stderr');
  assert.deepEqual(none, []);
  const notAnObject: string[] = [];
  normalizeLoggingOptions('debug', { check: createChecker(notAnObject), baseDir: '/' });
  assert.deepEqual(notAnObject, ['config.logging: expected an object such as { level: "info" }, got "debug"']);
});

test("every refusal Yoga or the gateway's guards make is a coded JSON answer with a request id, a log line and a metric", async (t) => {
  const log = await logFile(t);
  const service = await startFixtureServer(t, (_request, response) => json(response, 200, 'world'));
  const gateway = await startTestGateway(
    t,
    { hello: { kind: 'rest', url: service.url, sdl: 'type Query { hello: String @http(GET: "/hello") }' } },
    {
      logging: { level: 'info', destination: log.file },
      maxRequestBytes: 1000,
    },
  );
  const query = JSON.stringify({ query: '{ hello }' });
  const large = JSON.stringify({ query: `{ hello }${' '.repeat(2000)}` });
  const cases: Array<{ name: string; init: RequestInit; status: number; code: string; message: RegExp }> = [
    {
      name: 'text/plain',
      init: { method: 'POST', headers: { 'content-type': 'text/plain' }, body: query },
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: /^The Content-Type "text\/plain" is not one the gateway reads: send the operation as application\/json\.$/,
    },
    { name: 'no content type', init: { method: 'POST', body: new Blob([query]) }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: /Content-Type ""/ },
    {
      name: 'Accept: application/xml',
      init: { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/xml' }, body: query },
      status: 406,
      code: 'NOT_ACCEPTABLE',
      message: /^The Accept header "application\/xml" allows none of the media types/,
    },
    {
      name: 'PUT',
      init: { method: 'PUT', headers: { 'content-type': 'application/json' }, body: query },
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
      message: /GET and POST/,
    },
    {
      name: 'declared body over the limit',
      init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: large },
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message: /^Request body is larger than the limit of 1000 bytes \(maxRequestBytes\)\.$/,
    },
    {
      name: 'chunked body over the limit',
      init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: new Blob([large]).stream(), duplex: 'half' } as RequestInit,
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message: /1000 bytes/,
    },
  ];
  for (const { name, init, status, code, message } of cases) {
    const response = await sendRaw(gateway.endpoint, init);
    assert.equal(response.status, status, name);
    assert.match(response.headers.get('content-type') ?? '', /^application\/(graphql-response\+)?json/, name);
    const [error, ...others] = response.body.errors ?? [];
    assert.deepEqual(others, [], name);
    assert.equal(error?.extensions?.code, code, name);
    assert.match(error?.message ?? '', message, name);
    assert.equal(error?.extensions?.['requestId'], response.headers.get('x-request-id'), `${name}: the request id, in the body and the header`);
  }
  const unknownPath = await sendRaw(`${gateway.url}/nothing-here`, {});
  assert.deepEqual(
    [unknownPath.status, unknownPath.body.errors?.[0]?.extensions?.code, unknownPath.body.errors?.[0]?.message],
    [404, 'NOT_FOUND', 'Nothing is served at /nothing-here.'],
  );
  assert.equal(service.requests.length, 0);

  const lines = await log.lines(cases.length);
  assert.deepEqual(
    lines.map((line) => [line.status, line.errorCodes]),
    cases.map(({ status, code }) => [status, [code]]),
    'one access-log line each, with its code (other paths log at debug)',
  );
  const samples = await scrape(`${gateway.url}/metrics`);
  for (const { code } of cases) assert.ok((valueOf(samples, 'concierge_errors_total', { code }) ?? 0) >= 1, `${code} is counted`);
  assert.equal(
    seriesOf(samples, 'concierge_requests_total')
      .filter((sample) => sample.labels['status_class'] === '4xx')
      .reduce((sum, sample) => sum + sample.value, 0),
    cases.length,
  );
});
