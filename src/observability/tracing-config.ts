import { isPlainObject, type Checker } from '../config/config-checker.ts';
import type { FeatureContext } from '../config/feature-options.ts';

/** A trace-context format read from clients and written to services. */
export type TracePropagation = 'tracecontext' | 'baggage' | 'b3' | 'b3multi';

/** How spans travel to the collector, named as `OTEL_EXPORTER_OTLP_PROTOCOL` names them. */
export type TraceProtocol = 'http/protobuf' | 'http/json';

/**
 * OpenTelemetry tracing: a span per request (parse, validate, execute inside it) and a client span
 * per upstream call, exported over OTLP/HTTP. The trace context of the client is continued
 * and passed on to every service.
 */
export interface TracingConfig {
  /**
   * Whether spans are recorded and exported. Off, tracing costs nothing: no hook is registered.
   * @default false
   */
  enabled?: boolean;
  /**
   * The collector's OTLP/HTTP traces URL.
   * @default 'http://localhost:4318/v1/traces'
   * @example '${OTEL_EXPORTER_OTLP_TRACES_ENDPOINT:-http://otel-collector:4318/v1/traces}'
   */
  endpoint?: string;
  /**
   * Headers sent to the collector with every export (credentials of a hosted backend).
   * @default {}
   * @example { 'x-honeycomb-team': '${HONEYCOMB_API_KEY}' }
   */
  headers?: Record<string, string>;
  /**
   * The OTLP/HTTP encoding of exports: binary protobuf, OTLP's default, which every collector
   * accepts and which costs the gateway about half the CPU of JSON for 40% of the bytes; or JSON,
   * for a receiver that reads only that.
   * @default 'http/protobuf'
   */
  protocol?: TraceProtocol;
  /**
   * The `service.name` resource attribute of every span. `OTEL_RESOURCE_ATTRIBUTES` adds others.
   * @default 'concierge'
   */
  serviceName?: string;
  /**
   * Share of new traces recorded, from 0 to 1 (`TraceIdRatioBased`). A request that continues a
   * client's trace follows the client's decision instead (`ParentBased`).
   * @default 1
   */
  sampleRatio?: number;
  /**
   * Trace-context formats read from client requests and written to upstream calls: W3C
   * `traceparent`/`tracestate`, W3C `baggage`, B3 single header (`b3`) or B3 multi-header (`X-B3-*`).
   * An empty list neither continues client traces nor tells services about them.
   * @default ['tracecontext', 'baggage']
   */
  propagation?: TracePropagation[];
  /**
   * Milliseconds one export to the collector may take; shutdown waits at most this long for the last spans.
   * @default 10000
   */
  exportTimeoutMs?: number;
}

/** Tracing settings, checked, with defaults filled in. */
export interface NormalizedTracing {
  enabled: boolean;
  endpoint: string;
  headers: Record<string, string>;
  protocol: TraceProtocol;
  serviceName: string;
  sampleRatio: number;
  /** Without duplicates, in the configured order. */
  propagation: TracePropagation[];
  exportTimeoutMs: number;
}

const keys = ['enabled', 'endpoint', 'headers', 'protocol', 'serviceName', 'sampleRatio', 'propagation', 'exportTimeoutMs'];
const formats = ['tracecontext', 'baggage', 'b3', 'b3multi'] as const satisfies readonly TracePropagation[];
const protocols = ['http/protobuf', 'http/json'] as const satisfies readonly TraceProtocol[];
const formatList = formats.map((format) => `"${format}"`).join(', ');

/** Checks `tracing`; every option is checked even while tracing is off, so turning it on cannot fail start-up. */
export function normalizeTracingOptions(raw: unknown, { check }: FeatureContext): NormalizedTracing {
  if (raw !== undefined && !isPlainObject(raw)) check.fail('config.tracing', 'an object such as { enabled: true }', raw);
  const options = isPlainObject(raw) ? raw : {};
  check.knownKeys('config.tracing', options, keys);
  return {
    enabled: check.boolean('config.tracing.enabled', options['enabled'] ?? false),
    endpoint: check.url('config.tracing.endpoint', options['endpoint'] ?? 'http://localhost:4318/v1/traces'),
    headers: check.stringRecord('config.tracing.headers', options['headers'] ?? {}),
    protocol: check.oneOf('config.tracing.protocol', options['protocol'] ?? 'http/protobuf', protocols),
    serviceName: check.string('config.tracing.serviceName', options['serviceName'] ?? 'concierge'),
    sampleRatio: ratioOf(options['sampleRatio'] ?? 1, check),
    propagation: propagationOf(options['propagation'] ?? ['tracecontext', 'baggage'], check),
    exportTimeoutMs: check.integer('config.tracing.exportTimeoutMs', options['exportTimeoutMs'] ?? 10_000, 1, 600_000),
  };
}

function ratioOf(value: unknown, check: Checker): number {
  if (typeof value === 'number' && value >= 0 && value <= 1) return value;
  check.fail('config.tracing.sampleRatio', 'a number from 0 to 1', value);
  return 1;
}

function propagationOf(value: unknown, check: Checker): TracePropagation[] {
  if (!Array.isArray(value)) {
    check.fail('config.tracing.propagation', `a list of ${formatList}`, value);
    return [];
  }
  const chosen = value.map((format, index) => check.oneOf(`config.tracing.propagation[${index}]`, format, formats));
  return [...new Set(chosen)];
}
