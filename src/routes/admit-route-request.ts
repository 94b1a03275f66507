import { consumerOf } from '../auth/consumer.ts';
import { authenticationRequired } from '../plugins/use-authentication.ts';
import { countRequest, planRequestBudget, rateLimitHeaders, type RateLimitStoreUse } from '../plugins/use-rate-limits.ts';
import { callerIdentity } from '../rate-limits/caller-identity.ts';
import type { NormalizedRateLimits } from '../rate-limits/rate-limits-config.ts';
import { errorResponse } from '../server/error-response.ts';
import { declaredTooLarge } from './limit-body.ts';
import type { RouteRequest } from './route-request.ts';

/** What deciding whether a route request may pass needs. */
export interface Admission {
  /** Whether `authentication.required` is on (a route's own setting wins). */
  authenticationRequired: boolean;
  rateLimits: NormalizedRateLimits;
  rateLimitStore: RateLimitStoreUse;
}

/** A refusal to answer with, or the headers the proxied answer carries (RateLimit-*). */
export type AdmissionResult = { refusal: Response } | { headers: Record<string, string> };

/**
 * The route's own checks, after the gateway-wide ones (network rules, credentials, consumer
 * rules) passed: the method (405 with `Allow`), authentication (401) and scopes (403), a declared
 * body over `maxBodyBytes` (413), then the budgets: one request against the caller's plan, as a
 * GraphQL request counts, and against the route's `rateLimit` (429 with `Retry-After`).
 */
export async function admitRouteRequest(request: Request, matched: RouteRequest, admission: Admission): Promise<AdmissionResult> {
  const { route } = matched;
  const name = route.pattern.text;
  if (!route.methods.includes(request.method)) {
    return {
      refusal: errorResponse(request, 'METHOD_NOT_ALLOWED', `Route ${name} answers ${route.methods.join(', ')} only.`, { allow: route.methods.join(', ') }),
    };
  }
  const consumer = consumerOf(request);
  const required = route.scopes.length > 0 || (route.authentication ?? (admission.authenticationRequired ? 'required' : 'optional')) === 'required';
  if (!consumer && required) return { refusal: authenticationRequired(request) };
  const missing = route.scopes.filter((scope) => !consumer?.scopes.includes(scope));
  if (consumer && missing.length > 0)
    return {
      refusal: errorResponse(
        request,
        'FORBIDDEN',
        `Route ${name} needs the scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, which consumer "${consumer.id}" lacks.`,
      ),
    };
  if (declaredTooLarge(request, route.maxBodyBytes)) {
    return {
      refusal: errorResponse(
        request,
        'PAYLOAD_TOO_LARGE',
        `The request body is larger than the limit of ${route.maxBodyBytes} bytes of route ${name} (maxBodyBytes).`,
        { connection: 'close' },
      ),
    };
  }
  const budgets = [
    planRequestBudget(admission.rateLimits, request),
    route.rateLimit && { key: `route:${name}:${callerIdentity(request).key}`, budget: route.rateLimit },
  ];
  let headers: Record<string, string> = {};
  for (const planned of budgets) {
    if (!planned) continue;
    const counted = await countRequest(admission.rateLimitStore, admission.rateLimits.onStoreFailure, planned.key, planned.budget);
    if (counted.refusal) {
      const http = counted.refusal.extensions['http'] as { headers?: Record<string, string> } | undefined;
      return { refusal: errorResponse(request, counted.refusal.extensions['code'] as 'RATE_LIMITED', counted.refusal.message, http?.headers ?? {}) };
    }
    if (counted.budget) headers = rateLimitHeaders(counted.budget);
  }
  return { headers };
}
