/** A route's path pattern, compiled. */
export interface RoutePattern {
  /** As written: `/api/orders/*`, `/api/users/:id`, `/api/status`. */
  text: string;
  /** The parameters (`:id`) and rest (`*`) of `pathname`, or `undefined` when the pattern does not match it. */
  match(pathname: string): PathParams | undefined;
  /** How specific the pattern is: its literal characters, a rest-less pattern first among equals. */
  specificity: number;
}

/** What a matched path filled in. */
export interface PathParams {
  /** `:name` segments, decoded as they came (still percent-encoded). */
  params: Record<string, string>;
  /** What `*` matched, with its leading `/` (`''` for the bare prefix). */
  rest: string;
}

/** What a pattern may be: `/` and segments of path characters or `:name`, optionally ending in `/*`. */
export const patternSyntax = /^(?:\/(?:[A-Za-z0-9._~!$&'()+,;=@-]+|:[A-Za-z_]\w*))*(?:\/\*)?$|^\/$/;

/**
 * Compiles a pattern. `/api/orders/*` matches `/api/orders` and everything below it; `:id` matches
 * one non-empty segment; anything else matches exactly. Paths are matched after URL normalization
 * (dot segments resolved), so `/api/orders/../admin` is `/api/admin` and matches no orders route.
 */
export function compileRoutePattern(text: string): RoutePattern {
  const prefix = text.endsWith('/*');
  const segments = (prefix ? text.slice(0, -2) : text)
    .split('/')
    .slice(1)
    .filter((segment) => segment !== '');
  const names: string[] = [];
  const body = segments
    .map((segment) => {
      if (!segment.startsWith(':')) return `/${escapeRegExp(segment)}`;
      names.push(segment.slice(1));
      return '/([^/]+)';
    })
    .join('');
  const expression = new RegExp(`^${body}${prefix ? '(/.*)?' : '/?'}$`);
  const literal = segments.filter((segment) => !segment.startsWith(':')).join('/').length + segments.length;
  return {
    text,
    specificity: literal * 2 + (prefix ? 0 : 1),
    match(pathname) {
      const found = expression.exec(pathname);
      if (!found) return undefined;
      const params = Object.fromEntries(names.map((name, index) => [name, found[index + 1] ?? '']));
      return { params, rest: prefix ? (found[names.length + 1] ?? '') : '' };
    },
  };
}

/**
 * The path a matched request is sent to, below the source's URL: `rewrite` with `:name` and `*`
 * filled in, else with `stripPrefix` only what `*` matched, else the path as the client sent it.
 */
export function upstreamPathOf(pathname: string, matched: PathParams, options: { rewrite?: string; stripPrefix: boolean }): string {
  if (options.rewrite !== undefined) {
    const filled = options.rewrite.replace(/:([A-Za-z_]\w*)/g, (whole, name: string) => matched.params[name] ?? whole);
    return filled.endsWith('/*') ? `${filled.slice(0, -2)}${matched.rest}` || '/' : filled;
  }
  if (options.stripPrefix) return matched.rest || '/';
  return pathname;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
