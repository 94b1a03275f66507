import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { SERVICE_NAMES } from '../examples/ecommerce/start-services.ts';
import { OrderHistoryDocument } from '../generated/operations.ts';
import { createChecker } from '../src/config/config-checker.ts';
import { normalizeTracingOptions } from '../src/observability/tracing-config.ts';
import { useTracing } from '../src/plugins/use-tracing.ts';
import { createFetchHooks } from '../src/transport/fetch-hooks.ts';
import type { GatewayOptions } from '../src/server/create-gateway.ts';
import { json, startFixtureServer, type FixtureServer } from './helpers/fixture-server.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { startOtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver.ts';
import { root, startShop } from './helpers/start-shop.ts';
import { startTestGateway, writeTestConfig } from './helpers/start-test-gateway.ts';
import { collectLogs } from './helpers/collect-logs.ts';

const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;
const clientTrace = '0af7651916cd43dd8448eb211c80319c';
const clientSpan = 'b7ad6b7169203331';
const traceparent = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/;

const itemsSdl = /* GraphQL */ `
  type Item { id: ID! name: String! }
  type Query {
    item(id: ID!): Item @http(GET: "/items/{args.id}")
    broken: Item @http(GET: "/broken")
  }
`;
const goneSdl = /* GraphQL */ `
  type Query { gone: String @http(GET: "/gone", select: "value") }
`;

/** Checked tracing options, as `adjust` puts them into a loaded config. */
function tracingOptions(raw: Record<string, unknown>) {
  const problems: string[] = [];
  const options = normalizeTracingOptions(raw, { check: createChecker(problems), baseDir: root });
  assert.deepEqual(problems, []);
  return options;
}

/** A REST service of items that records the headers it receives; `/broken` answers 500. */
function startItems(t: TestContext): Promise<FixtureServer> {
  return startFixtureServer(t, (request, response) =>
    request.url?.startsWith('/items/')
      ? json(response, 200, { id: request.url.slice('/items/'.length), name: 'Tea' })
      : json(response, 500, { message: 'broken' }),
  );
}

/** A gateway over the items service (and an unreachable `gone` service) with the given `tracing`. */
function startItemsGateway(t: TestContext, items: FixtureServer, tracing?: Record<string, unknown>, options: GatewayOptions = {}) {
  return startTestGateway(
    t,
    { items: { kind: 'rest', url: items.url, sdl: itemsSdl }, gone: { kind: 'rest', url: 'http://127.0.0.1:1', sdl: goneSdl } },
    tracing ? { tracing } : {},
    options,
  );
}

/** Forwards every request to `target` and records it, headers included. */
function startRecordingProxy(t: TestContext, target: string): Promise<FixtureServer> {
  const hopHeaders = ['host', 'connection', 'content-length', 'keep-alive', 'transfer-encoding'];
  return startFixtureServer(t, async (request, response) => {
    const headers = Object.entries(request.headers).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string' && !hopHeaders.includes(entry[0]),
    );
    const answer = await fetch(new URL(request.url ?? '/', target), {
      method: request.method ?? 'GET',
      headers,
      ...(request.body ? { body: request.body } : {}),
    });
    const kept = ['content-type', 'cache-control'].flatMap((name) => (answer.headers.has(name) ? [[name, answer.headers.get(name) ?? '']] : []));
    response.writeHead(answer.status, Object.fromEntries(kept)).end(await answer.text());
  });
}

const only = (spans: ReceivedSpan[], name: string): ReceivedSpan => {
  const found = spans.filter((span) => span.name === name);
  assert.equal(found.length, 1, `one ${name} span, got ${found.length}`);
  return found[0]!;
};

test('the order history is one trace: a request span over parse, validate, execute and one client span per service, which each service continues', async (t) => {
  const receiver = await startOtlpReceiver(t);
  const proxies = new Map<string, FixtureServer>();
  const shop = await startShop(t, {
    adjust: async (config) => {
      config.tracing = tracingOptions({ enabled: true, endpoint: receiver.endpoint });
      for (const source of config.sources) {
        const url = new URL(source.url);
        const proxy = await startRecordingProxy(t, url.origin);
        proxies.set(source.name, proxy);
        source.url = proxy.url + url.pathname.replace(/\/$/, '');
        // The shop lists two products instances (one service here): both go through the proxy.
        if (source.urls) source.urls = [{ url: source.url, weight: 1 }];
      }
    },
  });

  const response = await postGraphQL(shop.endpoint, OrderHistoryDocument, { id: '1' }, shop.asUser1);
  assert.equal(response.body.errors, undefined);
  await shop.gateway.close();

  assert.ok(
    receiver.headers().length > 0 && receiver.headers().every((headers) => headers['content-type'] === 'application/x-protobuf'),
    "OTLP/HTTP in protobuf, OTLP's default encoding",
  );
  const spans = receiver.spans();
  const request = only(spans, 'graphql.request');
  assert.equal(request.kind, SERVER);
  assert.equal(request.parentSpanId, '');
  assert.equal(request.resource['service.name'], 'concierge');
  assert.deepEqual(request.attributes, {
    'http.request.method': 'POST',
    'url.path': '/graphql',
    'graphql.operation.type': 'query',
    'graphql.operation.name': 'OrderHistory',
    'http.response.status_code': 200,
  });
  assert.ok(
    spans.every((span) => span.traceId === request.traceId),
    'one trace',
  );
  for (const name of ['graphql.parse', 'graphql.validate', 'graphql.execute']) assert.equal(only(spans, name).parentSpanId, request.spanId, name);
  assert.deepEqual(only(spans, 'graphql.execute').attributes, { 'graphql.operation.type': 'query', 'graphql.operation.name': 'OrderHistory' });

  const upstream = spans.filter((span) => span.name.startsWith('upstream '));
  assert.deepEqual(upstream.map((span) => span.name).sort(), SERVICE_NAMES.map((name) => `upstream ${name}`).sort());
  for (const span of upstream) {
    const service = String(span.attributes['concierge.service']);
    assert.equal(span.kind, CLIENT);
    assert.equal(span.parentSpanId, request.spanId, `${span.name} is a child of the request span`);
    assert.equal(span.status.code, 0);
    assert.equal(span.attributes['server.address'], '127.0.0.1');
    assert.equal(span.attributes['server.port'], proxies.get(service)?.port);
    assert.equal(span.attributes['http.response.status_code'], 200);
    assert.equal(span.attributes['url.path'], ['users', 'inventory', 'shipping'].includes(service) ? '/graphql' : `/${service}`);
    assert.equal(span.attributes['http.request.method'], ['users', 'inventory', 'shipping'].includes(service) ? 'POST' : 'GET');
    const received = proxies.get(service)?.requests.map((call) => traceparent.exec(String(call.headers['traceparent'])));
    assert.deepEqual(
      received?.map((match) => match?.slice(1)),
      [[request.traceId, span.spanId, '01']],
      `${service} continued the trace under its span`,
    );
  }
});

test("a client's traceparent, tracestate and baggage are continued and passed on", async (t) => {
  const receiver = await startOtlpReceiver(t);
  const items = await startItems(t);
  const gateway = await startItemsGateway(t, items, { enabled: true, endpoint: receiver.endpoint, headers: { authorization: 'Bearer collector-token' } });

  const headers = { traceparent: `00-${clientTrace}-${clientSpan}-01`, tracestate: 'vendor=opaque', baggage: 'tenant=acme' };
  const response = await postGraphQL(gateway.endpoint, '{ item(id: "7") { name } }', undefined, headers);
  assert.deepEqual(response.body, { data: { item: { name: 'Tea' } } });
  await gateway.close();

  const spans = receiver.spans();
  const request = only(spans, 'graphql.request');
  assert.equal(request.traceId, clientTrace);
  assert.equal(request.parentSpanId, clientSpan);
  const upstream = only(spans, 'upstream items');
  assert.equal(upstream.parentSpanId, request.spanId);
  assert.equal(upstream.attributes['url.path'], '/items/7');
  const [call] = items.requests;
  assert.equal(call?.headers['traceparent'], `00-${clientTrace}-${upstream.spanId}-01`);
  assert.equal(call?.headers['tracestate'], 'vendor=opaque');
  assert.equal(call?.headers['baggage'], 'tenant=acme');
  assert.ok(
    receiver.headers().every((sent) => sent['authorization'] === 'Bearer collector-token'),
    'exporter headers reach the collector',
  );
});

test("protocol 'http/json' exports the same spans as the default protobuf, in OTLP/JSON", async (t) => {
  const exported = [];
  for (const protocol of ['http/protobuf', 'http/json']) {
    const receiver = await startOtlpReceiver(t);
    const items = await startItems(t);
    const gateway = await startItemsGateway(t, items, { enabled: true, endpoint: receiver.endpoint, protocol });
    const headers = { traceparent: `00-${clientTrace}-${clientSpan}-01`, baggage: 'tenant=acme' };
    assert.deepEqual((await postGraphQL(gateway.endpoint, '{ item(id: "7") { name } broken { id } }', undefined, headers)).body.data, {
      item: { name: 'Tea' },
      broken: null,
    });
    await gateway.close();
    assert.deepEqual(
      new Set(receiver.headers().map((sent) => sent['content-type'])),
      new Set([protocol === 'http/json' ? 'application/json' : 'application/x-protobuf']),
    );
    // Span ids, instance ports and the SDK's exception events differ from run to run; the rest must not.
    const spans = receiver.spans().map(({ spanId, parentSpanId, attributes, events, ...span }) => ({
      ...span,
      parent: parentSpanId === clientSpan ? 'client' : parentSpanId === '' ? 'none' : 'gateway',
      attributes: Object.fromEntries(Object.entries(attributes).filter(([key]) => !['concierge.instance', 'server.port'].includes(key))),
      events: events.map((event) => event.name),
    }));
    exported.push(spans.sort((a, b) => a.name.localeCompare(b.name)));
  }
  const [protobuf, json] = exported;
  assert.deepEqual(
    protobuf?.map((span) => span.name),
    ['graphql.execute', 'graphql.parse', 'graphql.request', 'graphql.validate', 'upstream items', 'upstream items'],
  );
  assert.ok(protobuf?.every((span) => span.traceId === clientTrace && typeof span.resource['service.name'] === 'string'));
  assert.deepEqual(protobuf, json);
});

test('sampleRatio 0 exports no new trace but still tells services, and follows a sampled client', async (t) => {
  const receiver = await startOtlpReceiver(t);
  const items = await startItems(t);
  const gateway = await startItemsGateway(t, items, { enabled: true, endpoint: receiver.endpoint, sampleRatio: 0 });

  await postGraphQL(gateway.endpoint, '{ item(id: "1") { name } }');
  await postGraphQL(gateway.endpoint, '{ item(id: "2") { name } }', undefined, { traceparent: `00-${clientTrace}-${clientSpan}-01` });
  await gateway.close();

  const [unsampled, continued] = items.requests.map((call) => traceparent.exec(String(call.headers['traceparent'])));
  assert.equal(unsampled?.[3], '00', 'the service is told the trace is not sampled');
  assert.deepEqual([continued?.[1], continued?.[3]], [clientTrace, '01']);
  const spans = receiver.spans();
  assert.equal(spans.filter((span) => span.name === 'graphql.request').length, 1);
  assert.ok(
    spans.every((span) => span.traceId === clientTrace),
    'only the sampled client trace is exported',
  );
});

test('b3 sends one b3 header and b3multi the X-B3 headers, each continuing a B3 client', async (t) => {
  for (const [propagation, read] of [
    ['b3', (headers: Record<string, unknown>) => String(headers['b3']).split('-')],
    ['b3multi', (headers: Record<string, unknown>) => [headers['x-b3-traceid'], headers['x-b3-spanid'], headers['x-b3-sampled']].map(String)],
  ] as const) {
    const receiver = await startOtlpReceiver(t);
    const items = await startItems(t);
    const gateway = await startItemsGateway(t, items, { enabled: true, endpoint: receiver.endpoint, propagation: [propagation] });

    await postGraphQL(gateway.endpoint, '{ item(id: "1") { name } }', undefined, { b3: `${clientTrace}-${clientSpan}-1` });
    await gateway.close();

    const upstream = only(receiver.spans(), 'upstream items');
    assert.equal(only(receiver.spans(), 'graphql.request').parentSpanId, clientSpan, propagation);
    const headers = items.requests[0]?.headers ?? {};
    assert.deepEqual(read(headers), [clientTrace, upstream.spanId, '1'], propagation);
    assert.equal(headers['traceparent'], undefined, `${propagation} alone sends no traceparent`);
  }
});

test('errors: a failing or unreachable service and a document that does not parse mark their spans with the code', async (t) => {
  const receiver = await startOtlpReceiver(t);
  const items = await startItems(t);
  const gateway = await startItemsGateway(t, items, { enabled: true, endpoint: receiver.endpoint });

  await postGraphQL(gateway.endpoint, '{ broken { name } gone }');
  await postGraphQL(gateway.endpoint, '{ item(');
  await postGraphQL(gateway.endpoint, 'query Invalid { nope }');
  await gateway.close();

  const spans = receiver.spans();
  const [failed, unparsed, invalid] = spans.filter((span) => span.name === 'graphql.request');
  const broken = only(spans, 'upstream items');
  assert.deepEqual(
    [broken.status, broken.attributes['error.type'], broken.attributes['http.response.status_code']],
    [{ code: ERROR, message: '500' }, '500', 500],
  );
  const gone = only(spans, 'upstream gone');
  assert.deepEqual(gone.status, { code: ERROR, message: 'DOWNSTREAM_SERVICE_ERROR' });
  assert.equal(gone.events[0]?.name, 'exception');
  assert.equal(gone.events[0]?.attributes['exception.message'], 'Service "gone" could not be reached.');
  assert.deepEqual(failed?.status, { code: ERROR, message: 'DOWNSTREAM_SERVICE_ERROR' });
  assert.deepEqual(unparsed?.status, { code: ERROR, message: 'GRAPHQL_PARSE_FAILED' });
  assert.equal(unparsed?.attributes['http.response.status_code'], 400);
  const parse = spans.filter((span) => span.name === 'graphql.parse' && span.parentSpanId === unparsed?.spanId);
  assert.deepEqual(
    parse.map((span) => span.status),
    [{ code: ERROR, message: 'GRAPHQL_PARSE_FAILED' }],
  );
  assert.deepEqual([invalid?.status, invalid?.attributes['graphql.operation.name']], [{ code: ERROR, message: 'GRAPHQL_VALIDATION_FAILED' }, 'Invalid']);
  const validate = spans.filter((span) => span.name === 'graphql.validate' && span.parentSpanId === invalid?.spanId);
  assert.deepEqual(
    validate.map((span) => span.status),
    [{ code: ERROR, message: 'GRAPHQL_VALIDATION_FAILED' }],
  );
});

test('each gateway exports only its own spans, under its own service name', async (t) => {
  const items = await startItems(t);
  const started = [];
  for (const serviceName of ['alpha', 'beta']) {
    const receiver = await startOtlpReceiver(t);
    started.push({ serviceName, receiver, gateway: await startItemsGateway(t, items, { enabled: true, endpoint: receiver.endpoint, serviceName }) });
  }
  for (const { gateway } of started) await postGraphQL(gateway.endpoint, '{ item(id: "1") { name } }');
  for (const { gateway } of started) await gateway.close();

  for (const { serviceName, receiver } of started) {
    const spans = receiver.spans();
    assert.equal(spans.filter((span) => span.name === 'graphql.request').length, 1, serviceName);
    assert.ok(
      spans.every((span) => span.resource['service.name'] === serviceName),
      serviceName,
    );
  }
});

test('a collector that is down is reported once and does not fail shutdown', async (t) => {
  const logs = collectLogs();
  const items = await startItems(t);
  const gateway = await startItemsGateway(
    t,
    items,
    { enabled: true, endpoint: 'http://127.0.0.1:1/v1/traces', exportTimeoutMs: 2000 },
    { logger: logs.logger },
  );

  const response = await postGraphQL(gateway.endpoint, '{ item(id: "1") { name } }');
  assert.deepEqual(response.body, { data: { item: { name: 'Tea' } } });
  await gateway.close();

  assert.deepEqual(
    logs.messages('warn').map((message) => message.replace(/\d+ spans/, 'N spans')),
    ['tracing: could not export N spans to http://127.0.0.1:1/v1/traces: connect ECONNREFUSED 127.0.0.1:1'],
  );
});

test('disabled tracing registers no hook and sends no trace context upstream', async (t) => {
  const { config } = await writeTestConfig(t, { items: { kind: 'rest', url: 'http://127.0.0.1:1', sdl: itemsSdl } });
  const fetchHooks = createFetchHooks();
  const plugin = await useTracing(config, fetchHooks, []);
  assert.deepEqual(Object.keys(plugin), ['close']);
  assert.equal(fetchHooks.dispatch({ service: 'items', instance: 'http://127.0.0.1:1', method: 'GET', path: '/', headers: {} }), undefined);

  const items = await startItems(t);
  const gateway = await startItemsGateway(t, items);
  await postGraphQL(gateway.endpoint, '{ item(id: "1") { name } }', undefined, { traceparent: `00-${clientTrace}-${clientSpan}-01` });
  assert.equal(items.requests.length, 1);
  assert.equal(items.requests[0]?.headers['traceparent'], undefined);
});
