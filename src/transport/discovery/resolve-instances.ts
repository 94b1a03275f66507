import type { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { NormalizedDiscovery } from './discovery-config.ts';
import { sortedInstances, type InstanceSpec } from './instance-spec.ts';

/** DNS-based discovery options. */
export type DnsDiscovery = Extract<NormalizedDiscovery, { mechanism: 'dns' | 'srv' }>;

/**
 * What one resolution found: instances (with the lowest TTL of the records used, in seconds, when
 * the answer carries TTLs), or an authoritative "nothing" (NXDOMAIN, or a name without records).
 * A failed resolution (timeout, SERVFAIL, refused) throws.
 */
export type Resolution = { instances: InstanceSpec[]; ttl?: number } | { empty: string };

/** The largest weight an instance pool takes. */
export const maxWeight = 1000;

/** c-ares codes that are answers, not failures: the name does not exist, or has no such records. */
const emptyCodes = new Set(['ENOTFOUND', 'ENODATA']);

/** Resolves a discovery's name once into instances. */
export async function resolveInstances(resolver: Resolver, discovery: DnsDiscovery): Promise<Resolution> {
  if (discovery.mechanism === 'dns') {
    const addresses = await resolveAddresses(resolver, discovery.name);
    if ('empty' in addresses) return addresses;
    return {
      instances: sortedInstances(addresses.records.map(({ address }) => ({ url: instanceUrl(discovery, address, discovery.port), weight: 1 }))),
      ttl: addresses.ttl,
    };
  }
  const records = await answerOf(() => resolver.resolveSrv(discovery.name));
  if ('empty' in records) return records;
  // RFC 2782: a client must try the lowest-numbered priority first; the others are fallbacks.
  const lowest = Math.min(...records.answer.map((record) => record.priority));
  const chosen = records.answer.filter((record) => record.priority === lowest);
  const found = await Promise.all(chosen.map((record) => targetInstances(resolver, discovery, record)));
  const instances = sortedInstances(found.flatMap((target) => target.instances));
  if (instances.length === 0) return { empty: 'ENODATA' };
  const ttls = found.flatMap((target) => (target.ttl === undefined ? [] : [target.ttl]));
  return ttls.length === 0 ? { instances } : { instances, ttl: Math.min(...ttls) };
}

/** One SRV record's instances: its target's addresses, or the target name itself with https (certificates name hosts). */
async function targetInstances(
  resolver: Resolver,
  discovery: DnsDiscovery,
  record: { name: string; port: number; weight: number },
): Promise<{ instances: InstanceSpec[]; ttl?: number }> {
  // Weight 0 means "very rarely" (RFC 2782): the smallest share a pool gives; pools weigh up to 1000.
  const weight = Math.min(Math.max(record.weight, 1), maxWeight);
  const target = record.name.replace(/\.$/, '');
  if (discovery.protocol === 'https' || isIP(target) !== 0) return { instances: [{ url: instanceUrl(discovery, target, record.port), weight }] };
  const addresses = await resolveAddresses(resolver, target);
  if ('empty' in addresses) return { instances: [] };
  return { instances: addresses.records.map(({ address }) => ({ url: instanceUrl(discovery, address, record.port), weight })), ttl: addresses.ttl };
}

/** A and AAAA records of `name`: both asked at once; a failure of either fails the whole. */
async function resolveAddresses(
  resolver: Resolver,
  name: string,
): Promise<{ records: Array<{ address: string; ttl: number }>; ttl: number } | { empty: string }> {
  const [v4, v6] = await Promise.all([answerOf(() => resolver.resolve4(name, { ttl: true })), answerOf(() => resolver.resolve6(name, { ttl: true }))]);
  const records = [...('answer' in v4 ? v4.answer : []), ...('answer' in v6 ? v6.answer : [])];
  if (records.length === 0) return { empty: 'empty' in v4 ? v4.empty : 'ENODATA' };
  return { records, ttl: Math.min(...records.map((record) => record.ttl)) };
}

async function answerOf<T>(query: () => Promise<T[]>): Promise<{ answer: T[] } | { empty: string }> {
  try {
    const answer = await query();
    return answer.length === 0 ? { empty: 'ENODATA' } : { answer };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== undefined && emptyCodes.has(code)) return { empty: code };
    throw error;
  }
}

/** `http://10.0.0.7:4001/graphql`; IPv6 addresses in brackets. */
export function instanceUrl({ protocol, path }: { protocol: string; path: string }, host: string, port: number): string {
  return `${protocol}://${isIP(host) === 6 ? `[${host}]` : host}:${port}${path}`;
}
