/** Request parsing helpers shared by the REST example services. */

import { HttpError } from './service-host.ts';

/** Splits a comma-separated query value into trimmed, non-empty ids (`"1, 2,,3"` → `["1","2","3"]`). */
export function parseIdList(value: string): string[] {
  return value
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
}

/** Bounds and default of an integer query parameter. */
export interface IntParamSpec {
  readonly fallback: number;
  readonly min: number;
  readonly max?: number;
}

/**
 * Reads the integer query parameter `name`, `spec.fallback` when absent.
 * Throws {@link HttpError} 400 when it is not an integer within `spec.min`..`spec.max`.
 */
export function parseIntParam(params: URLSearchParams, name: string, spec: IntParamSpec): number {
  const raw = params.get(name);
  if (raw === null) return spec.fallback;
  const value = /^-?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  const max = spec.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(value) || value < spec.min || value > max) {
    const range = spec.max === undefined ? `an integer >= ${spec.min}` : `an integer from ${spec.min} to ${spec.max}`;
    throw new HttpError(400, `Query parameter "${name}" must be ${range}, got "${raw}"`);
  }
  return value;
}

/** Throws {@link HttpError} 405 (with an `Allow` header) unless the request method is one of `allowed`. */
export function assertMethod(method: string | undefined, allowed: readonly string[]): void {
  if (method !== undefined && allowed.includes(method)) return;
  throw new HttpError(405, `Method ${method ?? '(none)'} not allowed; use ${allowed.join(' or ')}`, {
    allow: allowed.join(', '),
  });
}

/** The 404 answer for a path no route matches. */
export function routeNotFound(pathname: string): HttpError {
  return new HttpError(404, `No route for ${pathname}`);
}

/** Splits a request URL into its path segments (decoded) and query parameters. */
export function parseRequestUrl(url: string | undefined): { pathname: string; segments: string[]; params: URLSearchParams } {
  const parsed = new URL(url ?? '/', 'http://localhost');
  let segments: string[];
  try {
    segments = parsed.pathname
      .split('/')
      .filter((segment) => segment !== '')
      .map(decodeURIComponent);
  } catch {
    throw new HttpError(400, `Malformed path ${parsed.pathname}`);
  }
  return { pathname: parsed.pathname, segments, params: parsed.searchParams };
}
