import type { BlockList } from 'node:net';
import { inRanges } from '../security/address-ranges.ts';

/** Headers that describe one connection, never a message: a proxy drops them both ways (RFC 9110 §7.6.1). */
const hopByHop = ['connection', 'keep-alive', 'proxy-connection', 'te', 'transfer-encoding', 'upgrade', 'proxy-authorization', 'proxy-authenticate', 'trailer'];

/** The name this gateway gives itself in `Via`. */
const pseudonym = 'concierge';

/** The hop a request came over, as the proxy tells the service about it. */
export interface IncomingHop {
  /** The socket peer's address (`''` when unknown). */
  peer: string;
  /** Whether the client reached the gateway over TLS. */
  secure: boolean;
  /** `1.1`, `2.0`... */
  httpVersion: string;
  /** Proxies whose forwarding headers are believed (`network.trustedProxies`). */
  trustedProxies: BlockList;
}

/**
 * The message's headers without the hop-by-hop ones: the fixed list, every header `Connection`
 * names, and `TE` unless it is only `trailers` (which says the client reads trailers, end to end).
 */
export function withoutHopByHop(headers: Iterable<[string, string]>): Array<[string, string]> {
  const entries = [...headers].map(([name, value]) => [name.toLowerCase(), value] as [string, string]);
  const named = new Set(entries.filter(([name]) => name === 'connection').flatMap(([, value]) => value.split(',').map((token) => token.trim().toLowerCase())));
  return entries.filter(([name, value]) => {
    if (name === 'te') return value.trim().toLowerCase() === 'trailers';
    return !hopByHop.includes(name) && !named.has(name);
  });
}

/** `Via` with this gateway's hop appended. */
export function appendVia(via: string | null | undefined, httpVersion: string): string {
  const own = `${httpVersion === '2.0' ? '2' : httpVersion} ${pseudonym}`;
  return via ? `${via}, ${own}` : own;
}

/**
 * The forwarding headers a service receives, as Envoy and Kong set them: `X-Forwarded-For` with the
 * peer appended, `X-Forwarded-Proto` and `X-Forwarded-Host`. A trusted proxy's headers are kept and
 * extended; anyone else's are replaced (`Forwarded` dropped), by the rule that decides the client
 * address (`network.trustedProxies`, see client-address.ts), so a client cannot tell a service it
 * comes from elsewhere.
 */
export function forwardingHeaders(incoming: Headers, hop: IncomingHop): Record<string, string> {
  const trusted = hop.peer !== '' && inRanges(hop.trustedProxies, hop.peer);
  const kept = (name: string) => (trusted ? incoming.get(name) : null);
  const chain = kept('x-forwarded-for');
  const proto = hop.secure ? 'https' : 'http';
  const host = incoming.get('host') ?? '';
  const forwarded = kept('forwarded');
  const element = `for=${quotedNode(hop.peer)};proto=${proto}${host ? `;host="${host}"` : ''}`;
  return {
    'x-forwarded-for': chain ? `${chain}, ${hop.peer}` : hop.peer,
    'x-forwarded-proto': kept('x-forwarded-proto') ?? proto,
    'x-forwarded-host': kept('x-forwarded-host') ?? host,
    ...(forwarded ? { forwarded: `${forwarded}, ${element}` } : {}),
    via: appendVia(incoming.get('via'), hop.httpVersion),
  };
}

/** The names a proxy sets itself: a client's copies never pass (a trusted proxy's are merged above). */
export const forwardingNames = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded', 'via', 'host'];

function quotedNode(address: string): string {
  if (address === '') return 'unknown';
  return address.includes(':') ? `"[${address}]"` : address;
}
