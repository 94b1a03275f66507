import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';

/** The `extensions.code` of a GraphQL error (or of a gateway error thrown by the transport), else `fallback`. */
export function errorCodeOf(error: unknown, fallback: string): string {
  const code = (error as { extensions?: { code?: unknown } } | undefined)?.extensions?.code;
  return typeof code === 'string' && code.length > 0 ? code : fallback;
}

/**
 * Ends a span; when `errorTypes` is not empty (error codes, or an HTTP status as text) its status
 * is ERROR with them as the message, and `error.type` is the first.
 */
export function endSpan(span: Span, errorTypes: readonly string[] = []): void {
  if (errorTypes.length === 0) return span.end();
  const distinct = [...new Set(errorTypes)];
  if (distinct[0] !== undefined) {
    span.setAttribute(ATTR_ERROR_TYPE, distinct[0]);
    span.setStatus({ code: SpanStatusCode.ERROR, message: distinct.join(', ') });
  }
  span.end();
}
