/** Trace context and request ids: they differ per client request without changing the answer. */
const perRequestHeaders = /^(traceparent|tracestate|baggage|b3|x-b3-.*|x-request-id)$/;

/**
 * What makes two upstream calls the same call: method, path, body, and every header that reaches
 * the service (names lower-cased, in sorted order) but trace context and request ids. Identity headers, a gateway-signed token and a
 * forwarded `Authorization` are headers like any other, so calls of different consumers never
 * share a key, whatever the service's `Vary` says.
 */
export function requestKey(request: { method: string; path: string; headers: Record<string, string>; body?: string | undefined }): string {
  const headers = Object.entries(request.headers)
    .map(([name, value]) => [name.toLowerCase(), value] as const)
    .filter(([name]) => !perRequestHeaders.test(name))
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  // The body goes last and as it is, not escaped into a JSON string (a copy of it for nothing):
  // JSON.stringify writes no line break, so the first two end the method and path and the headers,
  // and two keys are equal only if every part is.
  return `${request.method} ${JSON.stringify(request.path)}\n${JSON.stringify(headers)}\n${request.body === undefined ? '-' : `=${request.body}`}`;
}
