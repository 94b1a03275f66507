import type { IncomingHttpHeaders } from 'node:http';
import type { TestContext } from 'node:test';
import { json, startFixtureServer } from './fixture-server.ts';

/** A span as an OTLP/HTTP collector received it (JSON encoding), flattened with its resource. */
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

interface OtlpValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: OtlpValue[] };
}
type OtlpAttributes = Array<{ key: string; value: OtlpValue }> | undefined;
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpAttributes;
  status?: { code?: number; message?: string };
  events?: Array<{ name: string; attributes?: OtlpAttributes }>;
}
interface OtlpExport {
  resourceSpans?: Array<{ resource?: { attributes?: OtlpAttributes }; scopeSpans?: Array<{ spans?: OtlpSpan[] }> }>;
}

/** Starts a receiver on a free port that accepts `POST /v1/traces` in OTLP/JSON; closed when the test ends. */
export async function startOtlpReceiver(t: TestContext): Promise<OtlpReceiver> {
  const server = await startFixtureServer(t, (request, response) => json(response, request.method === 'POST' && request.url === '/v1/traces' ? 200 : 404, {}));
  const exports = () => server.requests.filter((request) => request.url === '/v1/traces');
  return {
    endpoint: `${server.url}/v1/traces`,
    headers: () => exports().map((request) => request.headers),
    spans: () => exports().flatMap((request) => flatten(JSON.parse(request.body) as OtlpExport)),
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
