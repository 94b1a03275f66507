import { BlockList, isIP } from 'node:net';
import type { Checker } from '../config/config-checker.ts';

/**
 * Parses CIDR ranges and single addresses, IPv4 and IPv6 (`10.0.0.0/8`, `2001:db8::/32`,
 * `192.0.2.7`) into a BlockList. A bad entry is a config problem naming its key and index.
 */
export function parseAddressRanges(key: string, value: unknown, check: Checker): BlockList {
  const list = new BlockList();
  for (const [index, entry] of check.stringList(key, value ?? []).entries()) {
    const [address = '', prefixText, extra] = entry.split('/');
    const family = isIP(address);
    const prefix = prefixText === undefined ? undefined : Number(prefixText);
    const maxPrefix = family === 6 ? 128 : 32;
    if (family === 0 || extra !== undefined || (prefix !== undefined && !(Number.isInteger(prefix) && prefix >= 0 && prefix <= maxPrefix))) {
      check.fail(`${key}[${index}]`, 'an IPv4 or IPv6 address, or a CIDR range such as "10.0.0.0/8"', entry);
      continue;
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, prefix, type);
  }
  return list;
}

/** Whether `address` (as a socket reports it; IPv4-mapped IPv6 included) is in `list`. */
export function inRanges(list: BlockList, address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return list.check(mapped, 'ipv4') || list.check(address, 'ipv6');
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** Whether the list has any rule (BlockList has no size). */
export function hasRules(list: BlockList): boolean {
  return list.rules.length > 0;
}
