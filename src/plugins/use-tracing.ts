import { silentLogger, type GatewayLogger } from '../observability/gateway-logger.ts';
import { isAsyncIterable } from '@graphql-tools/utils';
import { ROOT_CONTEXT, SpanKind, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE, ATTR_URL_PATH } from '@opentelemetry/semantic-conventions';
import { getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { NormalizedConfig } from '../config/normalize-config.ts';
import { endSpan, errorCodeOf } from '../observability/trace-spans.ts';
import { traceUpstreamCalls } from '../observability/trace-upstream.ts';
import { routeOf } from '../routes/route-request.ts';
import type { LoadedSource } from '../sources/loaded-source.ts';
import type { FetchHooks } from '../transport/fetch-hooks.ts';
import { ObjectSlot } from '../object-slot.ts';
import { bindRun } from '../bind-run.ts';

/** The spans of one client request. */
interface RequestTrace {
  span: Span;
  /** The context holding `span`: parent of the request's other spans. */
  context: Context;
  /** Parse, validate and execute spans not ended yet; the response ends what a thrown error left open. */
  open: Set<Span>;
  /** Codes of the errors in the GraphQL result. */
  codes: string[];
}

/**
 * OpenTelemetry tracing: a SERVER span `graphql.request` per request to the GraphQL endpoint,
 * continuing the client's trace context, with `graphql.parse`, `graphql.validate`,
 * `graphql.execute` and one CLIENT span `upstream <service>` per upstream call inside it. Disabled,
 * it registers no hook at all.
 */
export async function useTracing(
  config: NormalizedConfig,
  fetchHooks: FetchHooks,
  _sources: readonly LoadedSource[],
  logger: GatewayLogger = silentLogger,
): Promise<Plugin & { close(): Promise<void> }> {
  const { tracing, graphqlEndpoint } = config;
  if (!tracing.enabled) return { close: async () => {} };
  // The SDK and the OTLP exporter load only when tracing is on: a disabled gateway does not pay for them at start-up.
  const { createTracingProvider, requestHeadersGetter } = await import('../observability/tracing-provider.ts');
  const { tracer, propagator, close } = createTracingProvider(tracing, logger);
  // Kept until the request is collected, so calls made after the response started (a stream) still find their parent.
  const requests = new ObjectSlot<Request, RequestTrace>('request trace');
  const traceOf = (request: unknown) => requests.get(request as Request);

  fetchHooks.add(
    traceUpstreamCalls({
      tracer,
      propagator,
      parentOf: (origin) => traceOf(origin)?.context ?? ROOT_CONTEXT,
      basePaths: new Map(config.sources.map((source) => [source.name, new URL(source.url).pathname.replace(/\/+$/, '')])),
    }),
  );

  // Each span's end is a bound function, not a closure over the request's trace (see bindRun).
  const startChild = (request: unknown, name: string, attributes: Attributes = {}): ChildSpan | undefined => {
    const parent = traceOf(request);
    if (!parent) return undefined;
    const span = tracer.startSpan(name, { attributes }, parent.context);
    parent.open.add(span);
    return { parent, span };
  };

  return {
    onRequest({ request, url }) {
      // A plain REST route's request gets a SERVER span named after its method and pattern, as HTTP servers name theirs.
      const route = routeOf(request)?.route.pattern.text;
      if (url.pathname !== graphqlEndpoint && !route) return;
      const parent = propagator.extract(ROOT_CONTEXT, request.headers, requestHeadersGetter);
      const attributes: Attributes = { [ATTR_HTTP_REQUEST_METHOD]: request.method, [ATTR_URL_PATH]: url.pathname };
      if (route) attributes[ATTR_HTTP_ROUTE] = route;
      const span = tracer.startSpan(route ? `${request.method} ${route}` : 'graphql.request', { kind: SpanKind.SERVER, attributes }, parent);
      requests.set(request, { span, context: trace.setSpan(parent, span), open: new Set(), codes: [] });
    },
    onParse({ context }) {
      const child = startChild(context.request, 'graphql.parse');
      return child && bindRun(endParse, { parent: child.parent, span: child.span, operationName: context.params?.operationName });
    },
    onValidate({ context }) {
      const child = startChild(context.request, 'graphql.validate');
      return child && bindRun(endValidate, child);
    },
    onExecute({ args }) {
      const request = (args.contextValue as { request?: unknown }).request;
      const child = startChild(request, 'graphql.execute', operationAttributes(args.document, args.operationName));
      return child && { onExecuteDone: bindRun(endExecute, child) };
    },
    // Observers sit first, so this sees errors before useErrorCodes settles them; by now only a
    // bug's error lacks a code, and that one leaves as INTERNAL_SERVER_ERROR.
    onResultProcess({ request, result }) {
      const requestTrace = traceOf(request);
      if (!requestTrace || isAsyncIterable(result)) return;
      for (const item of Array.isArray(result) ? result : [result]) {
        for (const error of item.errors ?? []) requestTrace.codes.push(errorCodeOf(error, 'INTERNAL_SERVER_ERROR'));
      }
    },
    onResponse({ request, response }) {
      const requestTrace = traceOf(request);
      if (!requestTrace) return;
      requestTrace.open.forEach((span) => span.end());
      requestTrace.span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.status);
      const refused = requestTrace.codes.length === 0 && response.status >= 400;
      endSpan(requestTrace.span, refused ? [String(response.status)] : requestTrace.codes);
    },
    close,
  };
}

/** A child span of a request's span, and the request's trace, whose open spans it leaves when it ends. */
interface ChildSpan {
  parent: RequestTrace;
  span: Span;
}

function endChild({ parent, span }: ChildSpan, errorCodes: readonly string[]): void {
  parent.open.delete(span);
  endSpan(span, errorCodes);
}

function endParse(child: ChildSpan & { operationName: string | null | undefined }, { result }: { result: unknown }): void {
  if (result instanceof Error) return endChild(child, [errorCodeOf(result, 'GRAPHQL_PARSE_FAILED')]);
  if (result) child.parent.span.setAttributes(operationAttributes(result as DocumentNode, child.operationName));
  endChild(child, []);
}

function endValidate(child: ChildSpan, { result }: { result: readonly unknown[] }): void {
  endChild(
    child,
    result.map((error) => errorCodeOf(error, 'GRAPHQL_VALIDATION_FAILED')),
  );
}

function endExecute(child: ChildSpan, { result }: { result: ExecutionResult | AsyncIterable<unknown> }): void {
  endChild(child, isAsyncIterable(result) ? [] : (result.errors ?? []).map((error) => errorCodeOf(error, 'INTERNAL_SERVER_ERROR')));
}

/** The attributes of each document's operations, by operation name: documents come again and again from Yoga's parse cache. */
const attributesOf = new WeakMap<DocumentNode, Map<string, Attributes>>();

function operationAttributes(document: DocumentNode, operationName: string | null | undefined): Attributes {
  let byName = attributesOf.get(document);
  if (!byName) attributesOf.set(document, (byName = new Map()));
  let attributes = byName.get(operationName ?? '');
  if (attributes === undefined) {
    const operation = getOperationAST(document, operationName);
    // Shared by every request of the document: frozen, so that nothing can write one request's value into it.
    attributes = Object.freeze(
      operation ? { 'graphql.operation.type': operation.operation, ...(operation.name ? { 'graphql.operation.name': operation.name.value } : {}) } : {},
    );
    byName.set(operationName ?? '', attributes);
  }
  return attributes;
}
