import { Pool, type Dispatcher } from 'undici';
import type { NormalizedUpstreamTls } from '../tls/tls-config.ts';
import { createHealthState, probeInstance, recordCheck, type HealthState } from './health-check.ts';
import { systemClock, type InstanceClock } from './instance-clock.ts';
import type { InstanceSpec, LoadBalancing, NormalizedHealthCheck, NormalizedOutlierDetection } from './instances-config.ts';
import { createLoadBalancer } from './load-balancer.ts';
import { createOutlierState, outlierPhase, recordOutcome, type OutlierState } from './outlier-detector.ts';

export type { InstanceSpec } from './instances-config.ts';

/** Options of {@link createInstancePool}. */
export interface InstancePoolOptions {
  /** The source's name, for log lines. */
  service: string;
  /** The instances to start with (at least one). */
  instances: readonly InstanceSpec[];
  /** Most keep-alive connections per instance. */
  connections: number;
  /** TLS towards `https://` instances. */
  tls?: NormalizedUpstreamTls;
  /** @default 'least-request' */
  loadBalancing?: LoadBalancing;
  /** Passive ejection; `false` keeps failing instances in rotation. @default false */
  outlierDetection?: NormalizedOutlierDetection | false;
  /** Active checks; `false` runs none. @default false */
  healthCheck?: NormalizedHealthCheck | false;
  /** Numbers in [0, 1) for the balancers. @default Math.random */
  random?: () => number;
  /** Time and check timers. @default systemClock */
  clock?: InstanceClock;
  /** Where ejections, re-admissions and health changes are told. @default silent */
  log?: (message: string) => void;
}

/** Where an instance stands, as `/metrics` and the status page show it. */
export type InstanceState = 'healthy' | 'probation' | 'ejected' | 'unhealthy';

/** One instance as the status page and `/metrics` show it. */
export interface InstanceStatus {
  url: string;
  /** The `instance` label of the metrics. */
  origin: string;
  weight: number;
  state: InstanceState;
  /** Calls in flight. */
  outstanding: number;
  /** Calls sent to it since it joined. */
  requests: number;
  /** The moving average of its latency in milliseconds; `null` before its first answer. */
  latencyMs: number | null;
  /** Times it was ejected since it joined. */
  ejections: number;
  /** The last active check, when checks run. */
  lastCheck: { at: string; passed: boolean } | null;
}

/** One attempt's instance: where to send the call, and how to report how it went. */
export interface InstanceLease {
  /** The instance's URL (its identity in `update()` and in `tried`). */
  url: string;
  origin: string;
  /** The URL's path without a trailing slash, to put before the call's path. */
  basePath: string;
  dispatcher: Dispatcher;
  /**
   * Ends the attempt (once): `failed` when the instance did not answer in time or at all, or
   * answered 5xx; `latencyMs` when it answered.
   */
  release(outcome: { failed: boolean; latencyMs?: number }): void;
}

/** A source's instances, each with its own undici pool, and how a call picks one. */
export interface InstancePool {
  readonly service: string;
  /**
   * An instance for one attempt: among those in rotation and not in `tried` (retries go
   * elsewhere), by the balancer. When every untried one is out of rotation, the one out the longest
   * (Envoy's panic mode); when all were tried, any of them again. `undefined` when the pool has
   * no instance (an empty `update()`) or is closed.
   */
  acquire(tried?: ReadonlySet<string>): InstanceLease | undefined;
  /**
   * Replaces the instance list (discovery, announcements, a changed config): instances that stay
   * keep their state; removed ones get no new call, finish their calls in flight, then their
   * undici pool closes; new ones start healthy. After an empty list, calls fail with
   * `SERVICE_UNAVAILABLE` until instances come back.
   */
  update(instances: readonly InstanceSpec[]): void;
  /** The current instances, in list order. */
  status(): InstanceStatus[];
  /** The first instance's origin (what observers are told before an instance is picked), without building the whole status. */
  firstOrigin(): string | undefined;
  /** Resolves once the health checks now in flight have been counted (for tests). */
  checksSettled(): Promise<void>;
  /** Stops the checks and closes every instance's pool once its calls are answered. */
  close(): Promise<void>;
}

/** An instance with its state. */
interface Instance {
  url: string;
  origin: string;
  basePath: string;
  weight: number;
  dispatcher: Pool;
  outstanding: number;
  requests: number;
  /** Peak-sensitive EWMA of latency (ms); `latencyAt` is when it was last moved. */
  latencyMs: number;
  latencyAt: number;
  answered: boolean;
  outlier: OutlierState;
  health: HealthState;
  stopChecks: () => void;
  removed: boolean;
}

/** How fast the latency average forgets, in milliseconds (Linkerd's default decay). */
const latencyDecayMs = 10_000;

/**
 * Creates the instance pool of one source. Selection, outlier ejection and the latency average
 * run synchronously on each call; health checks run on the clock's timers, off the request path.
 */
export function createInstancePool(options: InstancePoolOptions): InstancePool {
  const { service, connections, tls, outlierDetection = false, healthCheck = false, clock = systemClock, log = () => {} } = options;
  const balancer = createLoadBalancer(options.loadBalancing ?? 'least-request', options.random);
  const connect = tls && { ca: tls.ca, cert: tls.cert, key: tls.key, servername: tls.servername, rejectUnauthorized: tls.rejectUnauthorized };
  const checks = new Set<Promise<void>>();
  const closing = new Set<Promise<void>>();
  let instances: Instance[] = [];
  let closed = false;

  const closeDispatcher = (instance: Instance) => {
    const done = instance.dispatcher.close().finally(() => closing.delete(done));
    closing.add(done);
  };
  const inRotation = (instance: Instance, now: number) => instance.health.healthy && outlierPhase(instance.outlier, now) !== 'ejected';
  const mayEject = () => {
    const now = clock.now();
    const ejected = instances.filter((instance) => outlierPhase(instance.outlier, now) === 'ejected').length;
    const percent = outlierDetection ? outlierDetection.maxEjectionPercent : 0;
    // Ejecting a lone instance would change nothing: its calls would come back to it in panic mode.
    return instances.length > 1 && ejected < Math.max(1, Math.floor((instances.length * percent) / 100));
  };

  const check = (instance: Instance, settings: NormalizedHealthCheck) => {
    const run = probeInstance(instance.dispatcher, settings).then((passed) => {
      if (instance.removed) return;
      const change = recordCheck(instance.health, passed, clock.now(), settings);
      if (change === 'unhealthy')
        log(
          `upstream ${service}: instance ${instance.origin} failed ${settings.unhealthyThreshold} health checks in a row; out of rotation until it passes ${settings.healthyThreshold}`,
        );
      if (change === 'healthy') log(`upstream ${service}: instance ${instance.origin} passes its health checks again; back in rotation`);
    });
    const settled = run.finally(() => checks.delete(settled));
    checks.add(settled);
  };

  const createInstance = ({ url, weight }: InstanceSpec): Instance => {
    const base = new URL(url);
    const instance: Instance = {
      url,
      origin: base.origin,
      basePath: base.pathname.replace(/\/+$/, ''),
      weight,
      dispatcher: new Pool(base.origin, { connections, keepAliveTimeout: 30_000, pipelining: 1, ...(connect ? { connect } : {}) }),
      outstanding: 0,
      requests: 0,
      latencyMs: 0,
      latencyAt: clock.now(),
      answered: false,
      outlier: createOutlierState(),
      health: createHealthState(),
      stopChecks: () => {},
      removed: false,
    };
    if (healthCheck) {
      instance.stopChecks = clock.every(healthCheck.interval, () => check(instance, healthCheck));
      check(instance, healthCheck);
    }
    return instance;
  };

  const retire = (instance: Instance) => {
    instance.removed = true;
    instance.stopChecks();
    if (instance.outstanding === 0) closeDispatcher(instance);
  };

  const observeLatency = (instance: Instance, latencyMs: number) => {
    const now = clock.now();
    // Peak-sensitive: a slower answer counts at once, a faster one only as the average decays.
    if (!instance.answered || latencyMs > instance.latencyMs) instance.latencyMs = latencyMs;
    else {
      const keep = Math.exp(-Math.max(0, now - instance.latencyAt) / latencyDecayMs);
      instance.latencyMs = instance.latencyMs * keep + latencyMs * (1 - keep);
    }
    instance.latencyAt = now;
    instance.answered = true;
  };

  const lease = (instance: Instance): InstanceLease => {
    instance.outstanding += 1;
    instance.requests += 1;
    let released = false;
    return {
      url: instance.url,
      origin: instance.origin,
      basePath: instance.basePath,
      dispatcher: instance.dispatcher,
      release({ failed, latencyMs }) {
        if (released) return;
        released = true;
        instance.outstanding -= 1;
        if (!failed && latencyMs !== undefined) observeLatency(instance, latencyMs);
        if (outlierDetection && !instance.removed && recordOutcome(instance.outlier, failed, clock.now(), outlierDetection, mayEject)) {
          const { ejectedAt = 0, ejectedUntil = 0 } = instance.outlier;
          log(
            `upstream ${service}: instance ${instance.origin} ejected for ${Math.round((ejectedUntil - ejectedAt) / 1000)} s after failing (ejection ${instance.outlier.ejections})`,
          );
        }
        if (instance.removed && instance.outstanding === 0) closeDispatcher(instance);
      },
    };
  };

  instances = dedupe(options.instances).map(createInstance);
  return {
    service,
    acquire(tried) {
      if (instances.length === 0) return undefined;
      // One instance takes every call, in rotation or not (a lone instance is never ejected).
      if (instances.length === 1 && !instances[0]?.removed) return lease(instances[0] as Instance);
      const now = clock.now();
      const untried = tried && tried.size > 0 ? instances.filter((instance) => !tried.has(instance.url)) : instances;
      const among = untried.length > 0 ? untried : instances;
      const rotation = among.filter((instance) => inRotation(instance, now));
      return lease(rotation.length > 0 ? balancer.pick(rotation) : outTheLongest(among));
    },
    update(specs) {
      if (closed) return;
      const next = dedupe(specs);
      const current = new Map(instances.map((instance) => [instance.url, instance]));
      for (const instance of instances) if (!next.some((spec) => spec.url === instance.url)) retire(instance);
      instances = next.map((spec) => {
        const kept = current.get(spec.url);
        if (!kept) return createInstance(spec);
        kept.weight = spec.weight;
        return kept;
      });
    },
    firstOrigin: () => instances[0]?.origin,
    status() {
      const now = clock.now();
      return instances.map((instance) => ({
        url: instance.url,
        origin: instance.origin,
        weight: instance.weight,
        state: stateOf(instance, now),
        outstanding: instance.outstanding,
        requests: instance.requests,
        latencyMs: instance.answered ? Math.round(instance.latencyMs * 10) / 10 : null,
        ejections: instance.outlier.ejections,
        lastCheck: instance.health.last ? { at: new Date(instance.health.last.at).toISOString(), passed: instance.health.last.passed } : null,
      }));
    },
    checksSettled: async () => {
      while (checks.size > 0) await Promise.all(checks);
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const instance of instances) {
        instance.removed = true;
        instance.stopChecks();
        closeDispatcher(instance);
      }
      instances = [];
      await Promise.all(checks);
      await Promise.all(closing);
    },
  };
}

/** The same URL twice counts once, with the weights added. */
function dedupe(specs: readonly InstanceSpec[]): InstanceSpec[] {
  const merged = new Map<string, InstanceSpec>();
  for (const { url, weight } of specs) {
    const key = url.replace(/\/+$/, '');
    const same = merged.get(key);
    if (same) same.weight += weight;
    else merged.set(key, { url: key, weight });
  }
  return [...merged.values()];
}

/** Panic mode: of instances all out of rotation, the one that left first (the first to come back). */
function outTheLongest(instances: readonly Instance[]): Instance {
  const leftAt = (instance: Instance) =>
    Math.max(
      instance.outlier.ejectedUntil === undefined ? -Infinity : (instance.outlier.ejectedAt ?? -Infinity),
      instance.health.healthy ? -Infinity : (instance.health.unhealthySince ?? -Infinity),
    );
  return instances.reduce((best, instance) => (leftAt(instance) < leftAt(best) ? instance : best));
}

function stateOf(instance: Instance, now: number): InstanceState {
  const phase = outlierPhase(instance.outlier, now);
  if (phase === 'ejected') return 'ejected';
  if (!instance.health.healthy) return 'unhealthy';
  return phase === 'probation' ? 'probation' : 'healthy';
}
