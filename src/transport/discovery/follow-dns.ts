import { Resolver } from 'node:dns/promises';
import { describeDiscovery } from './discovery-config.ts';
import { resolveInstances, type DnsDiscovery, type Resolution } from './resolve-instances.ts';
import { sameInstances, type InstanceSpec } from './instance-spec.ts';
import type { DiscoveryHandle, DiscoveryHooks } from './start-discovery.ts';
import { systemClock } from './discovery-clock.ts';

/** The shortest time between two resolutions, whatever the TTL (a TTL of 0 must not spin). */
export const minimumRefresh = 1_000;

/**
 * Follows a DNS name (A/AAAA or SRV): resolves it now, then again when the answer's TTL runs out
 * (between {@link minimumRefresh} and `refresh`; SRV answers, which carry no TTL through Node's
 * resolver, every `refresh`).
 *
 * What a bad answer does, after a good one:
 * - a failed resolution (timeout, SERVFAIL, refused) keeps the last list, however long it lasts:
 *   the instances probably still run, and health checks judge them better than a resolver outage
 *   does. Retried after 1 s, 2 s, 4 s... up to `refresh`; logged once when the burst starts and once
 *   when it ends, every failure counted (`onFailure`).
 * - an empty answer (NXDOMAIN, or no records) is an answer: Envoy's STRICT_DNS removes every host at
 *   once. We keep the last list until `emptyAfter` answers in a row say so (default 3, retried as
 *   failures are), so that a zone briefly answering NXDOMAIN during an update does not empty the
 *   source; `emptyAfter: 1` is Envoy's behaviour.
 */
export function followDns(discovery: DnsDiscovery, hooks: DiscoveryHooks): DiscoveryHandle {
  const { onInstances, log, onFailure, clock = systemClock, service = 'source' } = hooks;
  const resolver = new Resolver({ timeout: 2_000, tries: 2 });
  if (discovery.servers.length > 0) resolver.setServers(discovery.servers);
  const label = `discovery of ${service} (${describeDiscovery(discovery)})`;
  let current: InstanceSpec[] = [];
  let failures = 0;
  let empties = 0;
  let problem: string | undefined;
  let timer: unknown;
  let closed = false;
  let running: Promise<void> = Promise.resolve();

  const retryDelay = (attempt: number) => Math.min(discovery.refresh, minimumRefresh * 2 ** Math.min(attempt - 1, 16));
  const schedule = (ms: number) => {
    if (!closed) timer = clock.setTimeout(() => void (running = refresh()), ms);
  };
  const publish = (instances: InstanceSpec[]) => {
    if (sameInstances(current, instances)) return;
    current = instances;
    onInstances(instances);
  };
  const applied = (resolution: Resolution): number => {
    if ('empty' in resolution) {
      empties += 1;
      problem = `${discovery.name} answered ${resolution.empty} (no records)`;
      const keep = current.length > 0 && empties < discovery.emptyAfter;
      if (empties === 1 && keep)
        log(`${label}: ${problem}; the last ${current.length} instance(s) stay until it answers so ${discovery.emptyAfter} times in a row`);
      else if (empties === 1 || (empties === discovery.emptyAfter && current.length > 0))
        log(`${label}: ${problem}${empties > 1 ? ` ${empties} times in a row` : ''}; the source has no instance`);
      if (!keep) publish([]);
      return retryDelay(empties);
    }
    if (failures > 0 || empties > 0)
      log(`${label}: resolved again (${resolution.instances.length} instance(s)) after ${failures + empties} failed or empty answer(s)`);
    failures = 0;
    empties = 0;
    problem = undefined;
    publish(resolution.instances);
    if (discovery.mechanism === 'srv' || resolution.ttl === undefined) return discovery.refresh;
    return Math.min(discovery.refresh, Math.max(minimumRefresh, resolution.ttl * 1000));
  };
  const failed = (error: Error): number => {
    failures += 1;
    problem = `resolving ${discovery.name} failed (${(error as NodeJS.ErrnoException).code ?? error.message})`;
    onFailure?.(error);
    if (failures === 1) log(`${label}: ${problem}; ${current.length > 0 ? `the last ${current.length} instance(s) stay` : 'no instance known yet'}, retrying`);
    return retryDelay(failures);
  };
  const refresh = async () => {
    let resolution: Resolution | Error;
    try {
      resolution = await resolveInstances(resolver, discovery);
    } catch (error) {
      resolution = error instanceof Error ? error : new Error(String(error));
    }
    if (closed) return;
    schedule(resolution instanceof Error ? failed(resolution) : applied(resolution));
  };

  running = refresh();
  const ready = running;
  return {
    ready: () => ready,
    current: () => current,
    problem: () => problem,
    async close() {
      closed = true;
      clock.clearTimeout(timer);
      resolver.cancel();
      await running;
    },
  };
}
