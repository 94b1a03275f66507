import type { IncomingMessage } from 'node:http';
import type { BlockList, Socket } from 'node:net';
import { inRanges } from './address-ranges.ts';
import { ObjectSlot } from '../object-slot.ts';

const addresses = new ObjectSlot<Request, string>('client address');

/** The client's address as the network plugin established it (`''` when unknown). */
export function clientAddressOf(request: Request): string {
  return addresses.get(request) ?? '';
}

/** Records the client's address of a request. */
export function setClientAddress(request: Request, address: string): void {
  addresses.set(request, address);
}

/**
 * The client's address: the socket peer, unless the peer is a trusted proxy, in which case the
 * forwarding chain (`Forwarded: for=`, else `X-Forwarded-For`) is read from the nearest hop back,
 * skipping trusted proxies; the first untrusted hop is the client. An untrusted peer's forwarding
 * headers are ignored, so they cannot spoof an address.
 */
export function resolveClientAddress(request: Request, socketRequest: IncomingMessage | undefined, trustedProxies: BlockList): string {
  const { peer, trusted } = peerOf(socketRequest?.socket, trustedProxies);
  if (!trusted) return peer;
  const chain = forwardedChain(request.headers);
  for (let index = chain.length - 1; index >= 0; index -= 1) {
    const hop = chain[index] ?? '';
    if (!inRanges(trustedProxies, hop)) return hop;
  }
  return chain[0] ?? peer;
}

/** A connection's peer and whether it is a trusted proxy, worked out on its first request (`remoteAddress` asks the OS each time). */
const peers = new WeakMap<Socket, { peer: string; list: BlockList; trusted: boolean }>();

function peerOf(socket: Socket | undefined, trustedProxies: BlockList): { peer: string; trusted: boolean } {
  if (!socket) return { peer: '', trusted: false };
  const known = peers.get(socket);
  if (known && known.list === trustedProxies) return known;
  const peer = socket.remoteAddress ?? '';
  // A socket already closed has no address any more: worked out again, not remembered.
  if (!peer) return { peer, trusted: false };
  const entry = { peer, list: trustedProxies, trusted: inRanges(trustedProxies, peer) };
  peers.set(socket, entry);
  return entry;
}

function forwardedChain(headers: Headers): string[] {
  const forwarded = headers.get('forwarded');
  if (forwarded) {
    return forwarded
      .split(',')
      .map((element) => /(?:^|;)\s*for=("?)\[?([^\]";]+)\]?(?::\d+)?\1/i.exec(element)?.[2]?.trim() ?? '')
      .map((hop) => (/^[\d.]+:\d+$/.test(hop) ? hop.slice(0, hop.indexOf(':')) : hop))
      .filter((hop) => hop.length > 0);
  }
  return (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop.length > 0);
}
