import { isIP } from 'node:net';
import type { BlockList } from 'node:net';
import { isPlainObject, type Checker } from '../../config/config-checker.ts';
import { parseAddressRanges } from '../../security/address-ranges.ts';

/** What every kind of discovery may say about the URLs it builds and the DNS servers it asks. */
interface DiscoveryCommonConfig {
  /**
   * Scheme of the instance URLs built from DNS answers.
   * @default 'http'
   */
  protocol?: 'http' | 'https';
  /**
   * Path appended to every instance URL built from DNS answers: a GraphQL service's endpoint, or a
   * REST service's base path.
   * @default '' (the instance's root)
   * @example '/graphql'
   */
  path?: string;
  /**
   * DNS servers to ask (`address` or `address:port`, IPv6 as `[::1]:53`), instead of the system's.
   * @default the system's resolvers (/etc/resolv.conf)
   * @example ['10.0.0.2', '127.0.0.1:5353']
   */
  servers?: string[];
  /**
   * Consecutive empty answers (NXDOMAIN, or a name without records) after which the list is
   * emptied; until then the last list stays. `1` is Envoy's `STRICT_DNS` behaviour (an empty
   * answer removes every host at once); the default tolerates a resolver that briefly answers
   * NXDOMAIN during a zone update. A failed resolution (timeout, SERVFAIL, refused) never empties
   * the list.
   * @default 3
   */
  emptyAfter?: number;
}

/**
 * A/AAAA discovery: every address `dns` resolves to is an instance at `port`, re-resolved when the
 * records' TTL runs out (at least a second apart, at most `refresh`).
 * @example { dns: 'products.internal', port: 4001, path: '/graphql' }
 */
export interface DnsDiscoveryConfig extends DiscoveryCommonConfig {
  /** The name whose A and AAAA records are the instances. */
  dns: string;
  /** The port every instance listens on. */
  port: number;
  /**
   * The longest time between two resolutions, whatever the TTL.
   * @default '30s'
   */
  refresh?: string | number;
}

/**
 * SRV discovery (RFC 2782): each record's target and port is an instance, weighted by the record's
 * weight; only the records of the lowest priority are used. Targets are resolved to addresses
 * (kept as names with `protocol: 'https'`, so certificates are checked against them).
 * @example { srv: '_graphql._tcp.products.internal', path: '/graphql' }
 */
export interface SrvDiscoveryConfig extends DiscoveryCommonConfig {
  /** The SRV name, `_service._proto.name`. */
  srv: string;
  /**
   * Time between two resolutions (SRV answers carry no TTL through Node's resolver).
   * @default '30s'
   */
  refresh?: string | number;
}

/**
 * Instances announce themselves through the admin API (`PUT /_concierge/sources/<name>/instances` with
 * `{ url, weight? }`) and are dropped once they stop repeating it for `ttl`. Announcing takes the
 * admin key, the registry's admin token, or the source's own token (`registry.publishTokens` or
 * `tokenHash`); a source nobody could announce to is a start-up error. A gateway following the
 * schema registry keeps announcements in its store, so every gateway sharing it (PostgreSQL) serves
 * them, read every `registry.pollInterval`; otherwise they live in the gateway's memory, and each
 * replica must be announced to.
 * @example { announce: true, ttl: '30s', allow: ['10.0.0.0/8'] }
 */
export interface AnnounceDiscoveryConfig {
  announce: true;
  /**
   * How long an announcement lasts without a heartbeat (another `PUT`).
   * @default '30s'
   */
  ttl?: string | number;
  /**
   * Hosts an announced URL may name: IP addresses or CIDR ranges, and host names (exact, or
   * `*.suffix`). Anyone holding an announce token can otherwise point the gateway at any address it
   * can reach (server-side request forgery), so list the instances' network.
   * @default any host
   * @example ['10.0.0.0/8', '*.products.svc.cluster.local']
   */
  allow?: string[];
  /**
   * SHA-256 (hex) of a token that may announce instances of this source only, beside
   * `registry.publishTokens.<source>`.
   */
  tokenHash?: string;
}

/** Where a source's instances come from, and how they follow changes without a restart. */
export type DiscoveryConfig = DnsDiscoveryConfig | SrvDiscoveryConfig | AnnounceDiscoveryConfig;

/** What DNS-based discovery shares, checked. */
interface NormalizedDnsCommon {
  protocol: 'http' | 'https';
  path: string;
  servers: string[];
  emptyAfter: number;
  /** Milliseconds: the longest time between resolutions. */
  refresh: number;
}

/** {@link DiscoveryConfig} checked and with defaults filled in; durations in milliseconds. */
export type NormalizedDiscovery =
  | (NormalizedDnsCommon & { mechanism: 'dns'; name: string; port: number })
  | (NormalizedDnsCommon & { mechanism: 'srv'; name: string })
  | { mechanism: 'announce'; ttl: number; allow?: { ranges: BlockList; hosts: string[] }; tokenHash?: string };

const commonKeys = ['protocol', 'path', 'servers', 'emptyAfter', 'refresh'];
const hostName = /^(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\.?$/;
const example = "{ dns: 'products.internal', port: 4001 }, { srv: '_graphql._tcp.products.internal' } or { announce: true }";

/** Checks a source's `discovery` (absent: none), each problem named by `key`. */
export function normalizeDiscoveryOptions(value: unknown, key: string, check: Checker): NormalizedDiscovery | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) {
    check.fail(key, `an object such as ${example}`, value);
    return undefined;
  }
  const kinds = (['dns', 'srv', 'announce'] as const).filter((kind) => value[kind] !== undefined);
  if (kinds.length !== 1) {
    check.problem(`${key}: expected exactly one of dns, srv or announce, such as ${example}, got ${kinds.length === 0 ? 'none' : kinds.join(' and ')}`);
    return undefined;
  }
  if (kinds[0] === 'announce') return normalizeAnnounce(value, key, check);
  const mechanism = kinds[0] as 'dns' | 'srv';
  check.knownKeys(key, value, [mechanism, ...(mechanism === 'dns' ? ['port'] : []), ...commonKeys]);
  const name = value[mechanism];
  if (typeof name !== 'string' || !hostName.test(name) || isIP(name) !== 0) check.fail(`${key}.${mechanism}`, 'a DNS name such as "products.internal"', name);
  const common: NormalizedDnsCommon = {
    protocol: check.oneOf(`${key}.protocol`, value['protocol'] ?? 'http', ['http', 'https'] as const),
    path: value['path'] === undefined ? '' : check.path(`${key}.path`, value['path']).replace(/\/+$/, ''),
    servers: normalizeServers(value['servers'], `${key}.servers`, check),
    emptyAfter: check.integer(`${key}.emptyAfter`, value['emptyAfter'] ?? 3, 1, 100),
    refresh: check.duration(`${key}.refresh`, value['refresh'] ?? 30_000, 1_000, 86_400_000),
  };
  const checkedName = typeof name === 'string' ? name : '';
  if (mechanism === 'srv') return { mechanism, name: checkedName, ...common };
  return { mechanism, name: checkedName, port: check.integer(`${key}.port`, value['port'], 1, 65535), ...common };
}

function normalizeAnnounce(value: Record<string, unknown>, key: string, check: Checker): NormalizedDiscovery {
  check.knownKeys(key, value, ['announce', 'ttl', 'allow', 'tokenHash']);
  if (value['announce'] !== true) check.fail(`${key}.announce`, 'true', value['announce']);
  const tokenHash = value['tokenHash'];
  if (tokenHash !== undefined && (typeof tokenHash !== 'string' || !/^[0-9a-f]{64}$/i.test(tokenHash))) {
    // Not shown: a token pasted where its hash belongs is a secret.
    check.problem(
      `${key}.tokenHash: expected the SHA-256 of a token as 64 hex digits (printf %s "$TOKEN" | sha256sum), got ${typeof tokenHash === 'string' ? `${tokenHash.length} characters` : `a ${typeof tokenHash}`} (not shown: it may be the token itself)`,
    );
  }
  return {
    mechanism: 'announce',
    ttl: check.duration(`${key}.ttl`, value['ttl'] ?? 30_000, 1_000, 86_400_000),
    ...(value['allow'] === undefined ? {} : { allow: normalizeAllow(value['allow'], `${key}.allow`, check) }),
    ...(typeof tokenHash === 'string' && /^[0-9a-f]{64}$/i.test(tokenHash) ? { tokenHash: tokenHash.toLowerCase() } : {}),
  };
}

/** `allow`: addresses and CIDR ranges into a BlockList, host names (exact or `*.suffix`) kept lower-case. */
function normalizeAllow(value: unknown, key: string, check: Checker): { ranges: BlockList; hosts: string[] } {
  const entries = check.stringList(key, value);
  const isHost = (entry: string) => isIP(entry.split('/')[0] ?? '') === 0;
  const hosts: string[] = [];
  for (const [index, entry] of entries.entries()) {
    if (!isHost(entry)) continue;
    if (hostName.test(entry.replace(/^\*\./, ''))) hosts.push(entry.toLowerCase());
    else check.fail(`${key}[${index}]`, 'an IP address, a CIDR range such as "10.0.0.0/8", or a host name such as "*.svc.cluster.local"', entry);
  }
  return {
    ranges: parseAddressRanges(
      key,
      entries.filter((entry) => !isHost(entry)),
      check,
    ),
    hosts,
  };
}

function normalizeServers(value: unknown, key: string, check: Checker): string[] {
  if (value === undefined) return [];
  const servers = check.stringList(key, value);
  for (const [index, server] of servers.entries()) {
    const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(server) ?? /^([^:]+)(?::(\d+))?$/.exec(server) ?? (isIP(server) === 6 ? [server, server] : null);
    const port = match?.[2] === undefined ? 53 : Number(match[2]);
    if (!match || isIP(match[1] ?? '') === 0 || port < 1 || port > 65535) {
      check.fail(`${key}[${index}]`, 'an IP address with an optional port, such as "10.0.0.2", "127.0.0.1:5353" or "[::1]:53"', server);
    }
  }
  return servers;
}

/** Whether `discovery.allow` lets an announced URL's host through (no `allow`: every host). */
export function allowedHost(allow: { ranges: BlockList; hosts: string[] } | undefined, host: string): boolean {
  if (!allow) return true;
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  const family = isIP(bare);
  if (family !== 0) return allow.ranges.check(bare, family === 6 ? 'ipv6' : 'ipv4');
  return allow.hosts.some((pattern) => (pattern.startsWith('*.') ? bare.endsWith(pattern.slice(1)) : bare === pattern));
}

/**
 * The `url` of a source given none beside its `discovery`, until discovery finds an instance: the
 * gateway replaces it before any call (see `createDiscoveries`); `.invalid` never resolves (RFC 2606).
 */
export const undiscoveredUrl = 'http://undiscovered.invalid';

/** A discovery as problems and logs name it: `dns products.internal:4001`. */
export function describeDiscovery(discovery: NormalizedDiscovery): string {
  if (discovery.mechanism === 'announce') return 'announced instances';
  return discovery.mechanism === 'dns' ? `dns ${discovery.name}:${discovery.port}` : `srv ${discovery.name}`;
}
