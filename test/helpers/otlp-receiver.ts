import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { TestContext } from 'node:test';
import { listenUntilTestEnds } from './fixture-server.ts';
import { decodeTraceExport, type OtlpAttributes, type OtlpExport, type OtlpValue } from './otlp-protobuf.ts';

/** A span as an OTLP/HTTP collector received it, in either encoding, flattened with its resource. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP's numbering: 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, unknown>;
  /** OTLP's numbering: 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
  events: Array<{ name: string; attributes: Record<string, unknown> }>;
  /** Attributes of the resource that sent it (`service.name`, ...). */
  resource: Record<string, unknown>;
}

/** An in-process OTLP/HTTP traces receiver. */
export interface OtlpReceiver {
  /** The traces URL to configure as `tracing.endpoint`. */
  endpoint: string;
  /** Headers of the exports received, in order. */
  headers(): IncomingHttpHeaders[];
  /** Every span received so far. */
  spans(): ReceivedSpan[];
}

/**
 * Starts a receiver on a free port that accepts `POST /v1/traces` in OTLP/HTTP, protobuf or JSON by
 * the request's content type, as a collector does; closed when the test ends.
 */
export async function startOtlpReceiver(t: TestContext): Promise<OtlpReceiver> {
  const exports: Array<{ headers: IncomingHttpHeaders; body: OtlpExport }> = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.method !== 'POST' || request.url !== '/v1/traces') return response.writeHead(404).end();
    const body = Buffer.concat(chunks);
    const type = request.headers['content-type'];
    if (type !== 'application/x-protobuf' && type !== 'application/json') return response.writeHead(415).end();
    exports.push({ headers: request.headers, body: type === 'application/json' ? (JSON.parse(body.toString('utf8')) as OtlpExport) : decodeTraceExport(body) });
    response.writeHead(200, { 'content-type': type }).end(type === 'application/json' ? '{}' : '');
  });
  const port = await listenUntilTestEnds(t, server);
  return {
    endpoint: `http://127.0.0.1:${port}/v1/traces`,
    headers: () => exports.map((received) => received.headers),
    spans: () => exports.flatMap((received) => flatten(received.body)),
  };
}

function flatten(body: OtlpExport): ReceivedSpan[] {
  return (body.resourceSpans ?? []).flatMap(({ resource, scopeSpans }) =>
    (scopeSpans ?? []).flatMap(({ spans }) =>
      (spans ?? []).map((span) => ({
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId ?? '',
        name: span.name,
        kind: span.kind,
        attributes: attributesOf(span.attributes),
        status: { code: span.status?.code ?? 0, message: span.status?.message ?? '' },
        events: (span.events ?? []).map((event) => ({ name: event.name, attributes: attributesOf(event.attributes) })),
        resource: attributesOf(resource?.attributes),
      })),
    ),
  );
}

function attributesOf(attributes: OtlpAttributes): Record<string, unknown> {
  return Object.fromEntries((attributes ?? []).map(({ key, value }) => [key, valueOf(value)]));
}

function valueOf(value: OtlpValue): unknown {
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(valueOf);
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.stringValue ?? value.boolValue ?? value.doubleValue;
}
