import type { BlockList } from 'node:net';
import { isPlainObject } from '../config/config-checker.ts';
import type { FeatureContext } from '../config/feature-options.ts';
import { hasRules, parseAddressRanges } from './address-ranges.ts';
import { parseHostPatterns, type HostPattern } from './allowed-hosts.ts';
import { parseOrigins } from './origins.ts';

/** Who may reach the gateway over the network, and from which browser pages. */
export interface NetworkConfig {
  /**
   * Addresses or CIDR ranges (IPv4 and IPv6) allowed to call; when set, every other address gets
   * 403 `FORBIDDEN`. Consumers can narrow it further with their own `ipAllow`.
   * @default [] (any address)
   * @example ['10.0.0.0/8', '2001:db8::/32']
   */
  ipAllow?: string[];
  /**
   * Addresses or CIDR ranges refused with 403 `FORBIDDEN`, even when `ipAllow` admits them.
   * @default []
   */
  ipDeny?: string[];
  /**
   * Proxies and load balancers whose `X-Forwarded-For` and `Forwarded` headers are believed: the
   * client address is the last one in the chain that is not a trusted proxy. From any other peer
   * those headers are ignored, so a client cannot spoof its address.
   * @default []
   */
  trustedProxies?: string[];
  /**
   * Browser origins allowed to call: exact (`https://shop.example.com`) or one wildcard label
   * (`https://*.example.com`). A request whose `Origin` is another site's gets 403 `FORBIDDEN`;
   * CORS preflights are answered from this list, credentials allowed.
   * @default [] (only same-origin pages and non-browser clients)
   */
  origins?: string[];
  /**
   * The URL clients use to reach the gateway (behind a load balancer or proxy, the public one).
   * Pages of its origin may call the gateway like those in `origins`, and its host is added to
   * `allowedHosts` when that list is set.
   * @example 'https://api.shop.example.com'
   */
  publicUrl?: string;
  /**
   * Host names (the `Host` header, port ignored) the gateway answers to: exact, or one leading
   * wildcard label (`*.example.com`). Any other host gets 421 `MISDIRECTED_REQUEST`, so a page
   * that rebinds its own DNS name to the gateway's address (DNS rebinding) cannot use it.
   * `['*']` answers to any host. Only `/healthz` and `/readyz` are exempt.
   * @default ['localhost', '127.0.0.1', '[::1]'] when `host` is a loopback address; any host otherwise
   * @example ['api.shop.example.com', '*.internal.example.com']
   */
  allowedHosts?: string[];
  /**
   * Refuse requests that a browser could send cross-site without a preflight (GET, or POST with a
   * form or text content type) when they carry cookies and lack a `content-type: application/json`
   * body or a header such a request cannot carry (`x-concierge-csrf`, Apollo's
   * `apollo-require-preflight` or `x-apollo-operation-name`, Yoga's `x-graphql-yoga-csrf`), so a
   * page on another site cannot use a user's cookies. GraphiQL's page is still served to a
   * browser's navigation; only executing an operation needs the header.
   * @default true
   */
  csrfPrevention?: boolean;
}

/** Network rules, parsed. */
export interface NormalizedNetwork {
  ipAllow?: BlockList;
  ipDeny?: BlockList;
  trustedProxies: BlockList;
  origins: string[];
  /** The origin of `publicUrl`, when set. */
  publicOrigin?: string;
  /** `undefined` answers to any host. */
  allowedHosts?: HostPattern[];
  csrfPrevention: boolean;
}

const keys = ['ipAllow', 'ipDeny', 'trustedProxies', 'origins', 'publicUrl', 'allowedHosts', 'csrfPrevention'];
const loopbackHosts = ['localhost', '127.0.0.1', '[::1]'];

/** Checks `network`; `host` is the address the gateway listens on, which decides `allowedHosts`' default. */
export function normalizeNetworkOptions(raw: unknown, { check }: FeatureContext, host: string): NormalizedNetwork {
  if (raw !== undefined && !isPlainObject(raw)) check.fail('config.network', 'an object', raw);
  const network = isPlainObject(raw) ? raw : {};
  check.knownKeys('config.network', network, keys);
  const ipAllow = parseAddressRanges('config.network.ipAllow', network['ipAllow'], check);
  const ipDeny = parseAddressRanges('config.network.ipDeny', network['ipDeny'], check);
  const publicUrl = network['publicUrl'] === undefined ? undefined : check.url('config.network.publicUrl', network['publicUrl']);
  const publicHost = publicUrl && URL.canParse(publicUrl) ? new URL(publicUrl).hostname : undefined;
  const listed = network['allowedHosts'] ?? (isLoopbackHost(host) ? loopbackHosts : ['*']);
  const allowedHosts = parseHostPatterns(
    'config.network.allowedHosts',
    publicHost && Array.isArray(listed) && !listed.includes('*') ? [...listed, publicHost] : listed,
    check,
  );
  return {
    ...(hasRules(ipAllow) ? { ipAllow } : {}),
    ...(hasRules(ipDeny) ? { ipDeny } : {}),
    trustedProxies: parseAddressRanges('config.network.trustedProxies', network['trustedProxies'], check),
    origins: parseOrigins('config.network.origins', network['origins'], check),
    ...(publicUrl && URL.canParse(publicUrl) ? { publicOrigin: new URL(publicUrl).origin } : {}),
    ...(allowedHosts ? { allowedHosts } : {}),
    csrfPrevention: check.boolean('config.network.csrfPrevention', network['csrfPrevention'] ?? true),
  };
}

/** Whether `host` (the address the gateway listens on) is a loopback address or name. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
