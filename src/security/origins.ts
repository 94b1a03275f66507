import type { Checker } from '../config/config-checker.ts';

/**
 * Parses allowed browser origins: exact (`https://shop.example.com`, port included when not the
 * default) or with one leading wildcard label (`https://*.example.com`, any subdomain).
 */
export function parseOrigins(key: string, value: unknown, check: Checker): string[] {
  const origins: string[] = [];
  for (const [index, entry] of check.stringList(key, value ?? []).entries()) {
    const concrete = entry.replace('://*.', '://wildcard.');
    if (!/^https?:\/\/[^/]+$/.test(entry) || !URL.canParse(concrete) || new URL(concrete).origin !== concrete.toLowerCase()) {
      check.fail(`${key}[${index}]`, 'an origin such as "https://shop.example.com" or "https://*.example.com" (scheme, host, optional port; no path)', entry);
      continue;
    }
    origins.push(entry.toLowerCase());
  }
  return origins;
}

/** Whether `origin` (a request's Origin header) is one of `allowed`. */
export function originAllowed(allowed: readonly string[], origin: string): boolean {
  const lower = origin.toLowerCase();
  return allowed.some((entry) => {
    if (!entry.includes('://*.')) return entry === lower;
    const [scheme, suffix] = entry.split('://*.') as [string, string];
    return lower.startsWith(`${scheme}://`) && lower.endsWith(`.${suffix}`) && !lower.slice(scheme.length + 3, -suffix.length - 1).includes('/');
  });
}
