import type { Consumer } from '../auth/consumer.ts';
import { isPlainObject } from '../config/config-checker.ts';
import type { FeatureContext } from '../config/feature-options.ts';

/** What a `@policy` function is asked about. */
export interface PolicyInput {
  /** The caller, or `undefined` when anonymous. */
  consumer: Consumer | undefined;
  /** The client's request (headers, URL). */
  request: Request;
  /** The field being decided, as `Type.field`. */
  coordinate: string;
}

/** Decides one `@policy`: true allows the field. Thrown errors and non-true answers deny it. */
export type AuthorizationPolicy = (input: PolicyInput) => boolean | Promise<boolean>;

/** Field authorization from the registered schemas' `@authenticated`, `@requiresScopes` and `@policy`. */
export interface AuthorizationConfig {
  /**
   * The functions behind `@policy(policies: [["name"]])`, by name. A policy a schema names that is
   * missing here is a start-up error.
   * @example { ownsOrder: ({ consumer }) => consumer?.scopes.includes('orders:admin') ?? false }
   */
  policies?: Record<string, AuthorizationPolicy>;
}

/** Authorization settings, checked. */
export interface NormalizedAuthorization {
  policies: Record<string, AuthorizationPolicy>;
}

/** Checks `authorization`. */
export function normalizeAuthorizationOptions(raw: unknown, { check }: FeatureContext): NormalizedAuthorization {
  if (raw !== undefined && !isPlainObject(raw)) check.fail('config.authorization', 'an object', raw);
  const authorization = isPlainObject(raw) ? raw : {};
  check.knownKeys('config.authorization', authorization, ['policies']);
  const policies = authorization['policies'] ?? {};
  if (!isPlainObject(policies) || !Object.values(policies).every((policy) => typeof policy === 'function')) {
    check.fail('config.authorization.policies', 'an object of functions ({ consumer, request, coordinate }) => boolean', policies);
    return { policies: {} };
  }
  return { policies: policies as Record<string, AuthorizationPolicy> };
}
