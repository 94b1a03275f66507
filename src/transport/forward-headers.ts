/** The per-request context every source reads: the client's request (a Fetch `Request`). */
export interface RequestContext {
  request?: Request;
}

/** The client's headers named in `allowlist` (lower-case names), for passing on to a service. */
export function forwardHeaders(context: RequestContext | undefined, allowlist: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  const incoming = context?.request?.headers;
  if (!incoming) return headers;
  for (const name of allowlist) {
    const value = incoming.get(name);
    if (value !== null) headers[name] = value;
  }
  return headers;
}
