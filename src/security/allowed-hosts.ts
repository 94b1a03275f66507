import type { Checker } from '../config/config-checker.ts';

/** An allowed host name: exact (`api.example.com`) or any subdomain (`*.example.com`, as `.example.com`). */
export type HostPattern = { exact: string } | { suffix: string };

const hostName = /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)$/;

/**
 * Parses `allowedHosts`: host names without port, exact or with one leading wildcard label.
 * `['*']` is any host, returned as `undefined`.
 */
export function parseHostPatterns(key: string, value: unknown, check: Checker): HostPattern[] | undefined {
  const entries = check.stringList(key, value);
  if (entries.includes('*')) return undefined;
  const patterns: HostPattern[] = [];
  for (const [index, entry] of entries.entries()) {
    const lower = entry.toLowerCase();
    const wildcard = lower.startsWith('*.');
    const name = wildcard ? lower.slice(2) : lower;
    if (!hostName.test(name) || (wildcard && name.startsWith('['))) {
      check.fail(
        `${key}[${index}]`,
        'a host name such as "api.example.com", "*.example.com", "127.0.0.1" or "[::1]" (no scheme, no port), or "*" for any host',
        entry,
      );
      continue;
    }
    patterns.push(wildcard ? { suffix: `.${name}` } : { exact: name });
  }
  return patterns;
}

/** The host name of a `Host` header value, lower-cased, without its port; `undefined` when malformed. */
export function hostNameOf(host: string | null): string | undefined {
  if (!host) return undefined;
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(:\d{1,5})?$/.exec(host.trim());
  return match?.[1]?.toLowerCase().replace(/\.$/, '');
}

/** Whether `name` (from {@link hostNameOf}) is one of `patterns`. */
export function hostAllowed(patterns: readonly HostPattern[], name: string | undefined): boolean {
  if (name === undefined) return false;
  return patterns.some((pattern) => ('exact' in pattern ? pattern.exact === name : name.endsWith(pattern.suffix) && name.length > pattern.suffix.length));
}
