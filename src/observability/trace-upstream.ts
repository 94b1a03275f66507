import { SpanKind, defaultTextMapSetter, trace, type Context, type Span, type TextMapPropagator, type Tracer } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import { bindRun } from '../bind-run.ts';
import type { FetchResult, OnFetch } from '../transport/fetch-hooks.ts';
import { endSpan, errorCodeOf } from './trace-spans.ts';

/** What {@link traceUpstreamCalls} needs from the gateway's tracing. */
export interface UpstreamTracing {
  tracer: Tracer;
  propagator: TextMapPropagator;
  /** The context whose span is the parent of a call made for `origin`: its request span, else the root. */
  parentOf(origin: Request | undefined): Context;
  /** Each source's base URL path, so spans show the path the service receives. */
  basePaths: ReadonlyMap<string, string>;
}

/**
 * A fetch observer that gives every upstream call a CLIENT span `upstream <service>` under the
 * request span, and writes that span's context into the call's headers in the configured formats,
 * so the service continues the same trace. A call answered by the HTTP cache or joined to an
 * identical call in flight still gets its span (the observer sits in front of both).
 */
export function traceUpstreamCalls({ tracer, propagator, parentOf, basePaths }: UpstreamTracing): OnFetch {
  // Instances are few and called again and again: their URLs are parsed once.
  const endpoints = new Map<string, Endpoint>();
  const endpointOf = (instance: string): Endpoint => {
    let endpoint = endpoints.get(instance);
    if (endpoint === undefined) {
      if (endpoints.size >= 1_000) endpoints.clear();
      endpoints.set(instance, (endpoint = parseEndpoint(instance)));
    }
    return endpoint;
  };
  return (event) => {
    const parent = parentOf(event.origin);
    const instance = endpointOf(event.instance);
    const path = (basePaths.get(event.service) ?? '') + (event.path.split('?')[0] ?? '');
    const span = tracer.startSpan(
      `upstream ${event.service}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'concierge.service': event.service,
          'concierge.instance': event.instance,
          [ATTR_SERVER_ADDRESS]: instance.address,
          [ATTR_SERVER_PORT]: instance.port,
          [ATTR_HTTP_REQUEST_METHOD]: event.method,
          [ATTR_URL_PATH]: path || '/',
        },
      },
      parent,
    );
    propagator.inject(trace.setSpan(parent, span), event.headers, defaultTextMapSetter);
    // Bound, not a closure over the span (see bindRun).
    return bindRun(endUpstreamSpan, { span, instance, endpointOf });
  };
}

function endUpstreamSpan(
  { span, instance, endpointOf }: { span: Span; instance: Endpoint; endpointOf: (instance: string) => Endpoint },
  { status, error, instance: answered }: FetchResult,
): void {
  if (answered && answered !== instance.origin) {
    const other = endpointOf(answered);
    span.setAttributes({ 'concierge.instance': answered, [ATTR_SERVER_ADDRESS]: other.address, [ATTR_SERVER_PORT]: other.port });
  }
  if (status !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
  if (error) span.recordException(error);
  endSpan(span, error ? [errorCodeOf(error, error.name)] : status !== undefined && status >= 400 ? [String(status)] : []);
}

/** An instance's origin, host (an IPv6 address without its brackets) and port, as spans report them. */
interface Endpoint {
  origin: string;
  address: string;
  port: number;
}

function parseEndpoint(instance: string): Endpoint {
  const url = new URL(instance);
  return { origin: url.origin, address: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80) };
}
