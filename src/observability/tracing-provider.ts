import type { GatewayLogger } from './gateway-logger.ts';
import type { TextMapGetter, TextMapPropagator, Tracer } from '@opentelemetry/api';
import { CompositePropagator, ExportResultCode, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { NormalizedTracing, TracePropagation } from './tracing-config.ts';

/** One gateway's tracer, the propagator of its configured formats, and the way to flush and stop them. */
export interface TracingProvider {
  tracer: Tracer;
  propagator: TextMapPropagator;
  /** Exports the spans still queued, then stops exporting; never rejects. */
  close(): Promise<void>;
}

/** Reads trace context from the Fetch API headers of a client request. */
export const requestHeadersGetter: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};

/**
 * A tracer provider of its own (sampler, resource, batch processor, OTLP/HTTP exporter in the
 * configured encoding) that is never registered globally: tests run many gateways in one process,
 * and an application embedding the gateway keeps its own global provider. Callers pass parent
 * contexts explicitly.
 */
export function createTracingProvider(tracing: NormalizedTracing, logger: GatewayLogger): TracingProvider {
  const Exporter = tracing.protocol === 'http/json' ? OTLPJsonTraceExporter : OTLPProtobufTraceExporter;
  const exporter = new Exporter({ url: tracing.endpoint, headers: tracing.headers, timeoutMillis: tracing.exportTimeoutMs });
  const provider = new BasicTracerProvider({
    resource: defaultResource()
      .merge(detectResources({ detectors: [envDetector] }))
      .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: tracing.serviceName })),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(tracing.sampleRatio) }),
    spanProcessors: [new BatchSpanProcessor(reportingFailures(exporter, tracing.endpoint, logger), { exportTimeoutMillis: tracing.exportTimeoutMs })],
  });
  return {
    tracer: provider.getTracer('concierge'),
    propagator: new CompositePropagator({ propagators: tracing.propagation.map(propagatorOf) }),
    // A collector that is down must not fail the gateway's shutdown; the loss was reported already.
    close: () => provider.shutdown().catch(() => {}),
  };
}

function propagatorOf(format: TracePropagation): TextMapPropagator {
  switch (format) {
    case 'tracecontext':
      return new W3CTraceContextPropagator();
    case 'baggage':
      return new W3CBaggagePropagator();
    case 'b3':
      return new B3Propagator({ injectEncoding: B3InjectEncoding.SINGLE_HEADER });
    case 'b3multi':
      return new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER });
  }
}

/**
 * The SDK reports failed exports to a global diagnostic logger that is silent unless an
 * application sets one; a wrong endpoint would lose every span without a word. This says so once
 * when exports start failing, and again only after they have recovered.
 */
function reportingFailures(exporter: OTLPJsonTraceExporter | OTLPProtobufTraceExporter, endpoint: string, logger: GatewayLogger): SpanExporter {
  let failing = false;
  return {
    export(spans, done) {
      exporter.export(spans, (result) => {
        const failed = result.code !== ExportResultCode.SUCCESS;
        if (failed && !failing) logger.warn(`tracing: could not export ${spans.length} spans to ${endpoint}: ${result.error?.message ?? 'unknown error'}`);
        failing = failed;
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush(),
  };
}
