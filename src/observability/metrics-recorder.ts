import type { ErrorCode } from '../errors.ts';
import { isUpstreamFailure, statusClass, type UpstreamOutcome } from './metrics-labels.ts';
import { createGatewayMetrics, latencyBuckets, type GatewayMetrics } from './metrics-registry.ts';
import { createMinuteWindow, type WindowSummary } from './metrics-window.ts';
import type { MirrorOutcome } from '../transport/with-mirror.ts';

/** One operation of a request, labelled. */
export interface ObservedOperation {
  /** `query`, `mutation`, `subscription`, or `unknown` when refused before parsing. */
  type: string;
  /** The bounded `operation` label. */
  label: string;
  /** The name the client gave, for the status page's recent errors only. */
  name?: string;
}

/** An error a client received. */
export interface ObservedError {
  code: ErrorCode;
  message: string;
  /** The upstream service it came from (`extensions.service`). */
  service?: string;
  /** Whether it is on a field (a partial result) rather than on the whole operation. */
  onField: boolean;
}

/** A GraphQL request once answered. */
export interface RequestObservation {
  /** At least one: a request refused before parsing has one of type `unknown`. */
  operations: readonly ObservedOperation[];
  status: number;
  consumer: string;
  seconds: number;
  errors: readonly ObservedError[];
  /** The response cache's `x-cache`, when it set one. */
  cache?: string;
  /** The client profile's labels, when the gateway declares profiles. */
  client?: { name: string; version: string };
}

/** An upstream call once ended. */
export interface UpstreamObservation {
  service: string;
  instance: string;
  outcome: UpstreamOutcome;
  seconds: number;
  /** What went wrong, for the status page (never the service's URL). */
  error?: string;
  /** The source's version called, when it has versions. */
  version?: string;
}

/** A shadow copy of a call (a source's `mirror`), once it ended. */
export interface MirrorObservation extends MirrorOutcome {
  service: string;
}

/** What the status page shows of one source's mirror. */
export interface MirrorStatus {
  service: string;
  /** Copies sent: `same` + `different` + `failed` + `uncompared`. */
  sent: number;
  same: number;
  different: number;
  failed: number;
  dropped: number;
  uncompared: number;
  /** The last differences, newest first: where the answers first differed. */
  differences: Array<{ time: string; path: string; primary: string; shadow: string }>;
}

/** A source as the status page lists it. */
export interface StatusSource {
  name: string;
  kind: string;
  url: string;
}

/** Rates over the status page's window. */
export interface Rates {
  requests: number;
  ratePerSecond: number;
  errorRate: number;
  p95Ms: number | null;
}

/** What `<statusPage.path>/data.json` answers. */
export interface StatusData {
  generatedAt: string;
  windowSeconds: number;
  gateway: Rates;
  sources: Array<
    Rates & { name: string; kind: string; origin: string; health: 'healthy' | 'failing' | 'unknown'; lastErrorAt: string | null; lastError: string | null }
  >;
  operations: Array<Rates & { type: string; operation: string }>;
  /** By client profile and version, when the gateway declares profiles. */
  clients: Array<Rates & { client: string; version: string }>;
  recentErrors: Array<{ time: string; code: string; message: string; operation: string; service: string | null; count: number }>;
  /** Sources with a mirror, once a copy was made. */
  mirrors: MirrorStatus[];
}

/** Feeds one set of events to both the Prometheus metrics and the status page. */
export interface MetricsRecorder {
  metrics: GatewayMetrics;
  request(observation: RequestObservation): void;
  upstream(observation: UpstreamObservation): void;
  mirror(observation: MirrorObservation): void;
  schemaLoaded(): void;
  statusData(now?: number): StatusData;
}

/** Options of {@link createMetricsRecorder}. */
export interface MetricsRecorderOptions {
  prefix: string;
  collectProcessMetrics: boolean;
  sources: readonly StatusSource[];
  /**
   * Most recent errors kept for the status page.
   * @default 20
   */
  recentErrors?: number;
}

/**
 * The one place where request and upstream events are counted: the Prometheus metrics and the
 * status page's five-minute windows are fed by the same calls, so that they agree.
 */
export function createMetricsRecorder({ prefix, collectProcessMetrics, sources, recentErrors = 20 }: MetricsRecorderOptions): MetricsRecorder {
  const metrics = createGatewayMetrics(prefix, collectProcessMetrics);
  const operations = createMinuteWindow(latencyBuckets);
  const services = createMinuteWindow(latencyBuckets);
  const health = new Map<string, { failing: boolean; lastErrorAt?: number; lastError?: string }>();
  const errors: StatusData['recentErrors'] = [];
  const labelsOf = new Map<string, { type: string; operation: string }>();
  const clients = createMinuteWindow(latencyBuckets);
  const clientsOf = new Map<string, { client: string; version: string }>();
  const mirrors = new Map<string, MirrorStatus>();

  return {
    metrics,
    request({ operations: ops, status, consumer, seconds, errors: sent, cache, client }) {
      const failed = status >= 400 || sent.length > 0;
      if (client) {
        metrics.clientRequests.add([client.name, client.version, statusClass(status)]);
        metrics.clientRequestDuration.record([client.name, client.version], seconds);
        for (const { code } of sent) metrics.clientErrors.inc({ client: client.name, code });
        const key = `${client.name} ${client.version}`;
        if (!clientsOf.has(key)) clientsOf.set(key, { client: client.name, version: client.version });
        clients.record(key, seconds, failed);
      }
      for (const { type, label } of ops) {
        metrics.requests.add([type, label, statusClass(status), consumer]);
        metrics.requestDuration.record([type, label], seconds);
        const key = `${type} ${label}`;
        if (!labelsOf.has(key)) labelsOf.set(key, { type, operation: label });
        operations.record(key, seconds, failed);
      }
      if (cache === 'HIT' || cache === 'MISS' || cache === 'BYPASS') metrics.responseCache.inc({ result: cache });
      if (sent.length === 0) return;
      const time = new Date().toISOString();
      const operation = ops.map(({ name, label }) => (name ?? label).slice(0, 100)).join(', ');
      const listed = new Map<string, StatusData['recentErrors'][number]>();
      for (const { code, message, service, onField } of sent) {
        metrics.errors.inc({ code });
        if (code === 'RATE_LIMITED') metrics.rateLimited.inc({ scope: onField ? 'field' : 'operation' });
        // One failed service fails a field on every item of a list: listed once, with a count.
        const key = `${code}\n${service ?? ''}\n${message}`;
        const same = listed.get(key);
        if (same) same.count += 1;
        else listed.set(key, { time, code, message: message.slice(0, 300), operation, service: service ?? null, count: 1 });
      }
      errors.unshift(...listed.values());
      errors.splice(recentErrors);
    },
    upstream({ service, instance, outcome, seconds, error, version }) {
      metrics.upstreamRequests.add([service, instance, outcome, version]);
      metrics.upstreamDuration.record([service, instance, version], seconds);
      const failed = isUpstreamFailure(outcome);
      services.record(service, seconds, failed);
      let state = health.get(service);
      if (!state) health.set(service, (state = { failing: false }));
      state.failing = failed;
      if (failed) Object.assign(state, { lastErrorAt: Date.now(), lastError: error ?? outcome });
    },
    mirror({ service, result, difference }) {
      metrics.mirrorRequests.inc({ service, result });
      let status = mirrors.get(service);
      if (!status) mirrors.set(service, (status = { service, sent: 0, same: 0, different: 0, failed: 0, dropped: 0, uncompared: 0, differences: [] }));
      status[result] += 1;
      if (result !== 'dropped') status.sent += 1;
      if (difference) {
        status.differences.unshift({ time: new Date().toISOString(), ...difference });
        status.differences.splice(recentDifferences);
      }
    },
    schemaLoaded() {
      metrics.schemaLoads.inc();
    },
    statusData(now = Date.now()) {
      const ops = operations.summarize(now);
      const calls = services.summarize(now);
      return {
        generatedAt: new Date(now).toISOString(),
        windowSeconds: Math.round(ops.windowSeconds),
        gateway: rates(ops.total),
        sources: sources.map(({ name, kind, url }) => {
          const state = health.get(name);
          return {
            name,
            kind,
            origin: new URL(url).origin,
            health: state === undefined ? 'unknown' : state.failing ? 'failing' : 'healthy',
            lastErrorAt: state?.lastErrorAt === undefined ? null : new Date(state.lastErrorAt).toISOString(),
            lastError: state?.lastError ?? null,
            ...rates(calls.byKey.get(name)),
          };
        }),
        operations: [...ops.byKey]
          .map(([key, summary]) => ({ ...(labelsOf.get(key) ?? { type: '', operation: key }), ...rates(summary) }))
          .sort((a, b) => b.requests - a.requests),
        clients: [...clients.summarize(now).byKey]
          .map(([key, summary]) => ({ ...(clientsOf.get(key) ?? { client: key, version: 'other' }), ...rates(summary) }))
          .sort((a, b) => b.requests - a.requests),
        recentErrors: [...errors],
        mirrors: [...mirrors.values()].map((status) => ({ ...status, differences: [...status.differences] })),
      };
    },
  };
}

/** Differences of a mirror the status page lists. */
const recentDifferences = 5;

function rates(summary: WindowSummary | undefined): Rates {
  if (!summary) return { requests: 0, ratePerSecond: 0, errorRate: 0, p95Ms: null };
  return {
    requests: summary.count,
    ratePerSecond: summary.ratePerSecond,
    errorRate: summary.errorRate,
    p95Ms: summary.p95Seconds === undefined ? null : summary.p95Seconds * 1000,
  };
}
