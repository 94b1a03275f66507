import type { BlockList } from 'node:net';
import { isPlainObject } from '../config/config-checker.ts';
import type { FeatureContext } from '../config/feature-options.ts';
import { hasRules, parseAddressRanges } from './address-ranges.ts';
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
   * Refuse requests that a browser could send cross-site without a preflight (GET, or POST with a
   * form or text content type) when they carry cookies and lack a `content-type: application/json`
   * body or an `x-concierge-csrf` header, so a page on another site cannot use a user's cookies.
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
  csrfPrevention: boolean;
}

const keys = ['ipAllow', 'ipDeny', 'trustedProxies', 'origins', 'csrfPrevention'];

/** Checks `network`. */
export function normalizeNetworkOptions(raw: unknown, { check }: FeatureContext): NormalizedNetwork {
  if (raw !== undefined && !isPlainObject(raw)) check.fail('config.network', 'an object', raw);
  const network = isPlainObject(raw) ? raw : {};
  check.knownKeys('config.network', network, keys);
  const ipAllow = parseAddressRanges('config.network.ipAllow', network['ipAllow'], check);
  const ipDeny = parseAddressRanges('config.network.ipDeny', network['ipDeny'], check);
  return {
    ...(hasRules(ipAllow) ? { ipAllow } : {}),
    ...(hasRules(ipDeny) ? { ipDeny } : {}),
    trustedProxies: parseAddressRanges('config.network.trustedProxies', network['trustedProxies'], check),
    origins: parseOrigins('config.network.origins', network['origins'], check),
    csrfPrevention: check.boolean('config.network.csrfPrevention', network['csrfPrevention'] ?? true),
  };
}
