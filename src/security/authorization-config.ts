import type { Consumer } from '../auth/consumer.ts';
import { isPlainObject } from '../config/config-checker.ts';
import type { FeatureContext } from '../config/feature-options.ts';

/** One occurrence of a field in the operation: where it is and the arguments it was given. */
export interface FieldOccurrence {
  /**
   * The field as `Type.field`. Asked about a rule, the type is the one carrying it: `User.email`
   * for `email` selected on an `Account` interface that `User` implements, `Account.email` for a
   * rule on the interface's field however it is selected. As a `parent`, the type it is selected on.
   */
  coordinate: string;
  /** Its argument values, coerced with the request's variables (defaults filled in). */
  args: Readonly<Record<string, unknown>>;
  /** The occurrence that returned the object this field is selected on; `undefined` for a root field. */
  parent: FieldOccurrence | undefined;
}

/**
 * What a `@policy` is asked about: one field occurrence, before any upstream call. With
 * `parent`, a policy can read where an object comes from: on `User.orders` selected in
 * `user(id: "1") { orders }`, `parent` is `{ coordinate: 'Query.user', args: { id: '1' } }`.
 */
export interface PolicyInput extends FieldOccurrence {
  /** The caller, or `undefined` when anonymous. */
  consumer: Consumer | undefined;
  /** The client's request (headers, URL). */
  request: Request;
}

/** Decides a `@policy` before execution: true allows the field. Thrown errors and non-true answers deny it. */
export type PolicyFunction = (input: PolicyInput) => boolean | Promise<boolean>;

/** Where the object an {@link ObjectPolicy} decides on comes from. */
export interface ObjectSource {
  /**
   * The occurrence that returns the object: for a field's directive the one the field is selected
   * on (`parent`), for a type's the field itself. On `User.orders` in `user(id: "1") { orders }`,
   * `Query.user` with `{ id: '1' }` for a policy on the field, `User.orders` for one on `Order`.
   */
  objectFrom: FieldOccurrence | undefined;
}

/**
 * A policy on objects, for object-level authorization ("a caller reads only their own orders").
 * Used in `@policy` on a field, it decides on the object the field is selected on (the type that
 * declares the field, like federation's `@requires`); on a type, on each object of that type a
 * field returns. Through an interface or a union, it decides the objects of its type and no other
 * (a `@policy` on `User.phone` decides the `User`s of `accounts { phone }`, not the `Robot`s). A
 * denied object, or a denied field, becomes `null` with `FORBIDDEN` at its exact path (list
 * indices included), and nulls propagate as in GraphQL execution.
 */
export interface ObjectPolicy {
  /**
   * Decides from the request when it can, before any upstream call: true allows, false denies (the
   * field is cut from the document), `undefined` leaves it to {@link onResult}. Without it, every
   * occurrence is decided on the result.
   * @example ({ consumer, objectFrom }) => objectFrom?.coordinate === 'Query.user' ? objectFrom.args['id'] === consumer?.claims?.['sub'] : undefined
   */
  beforeCall?(input: PolicyInput & ObjectSource): boolean | undefined | Promise<boolean | undefined>;
  /**
   * What {@link onResult} reads on the object: fields of the type, added to the operation under
   * aliases of the gateway's own (never a client's) and removed from every answer.
   * @example '{ customer { id } }'
   */
  requires: string;
  /**
   * Decides one object, given the `requires` selection of it (under its own field names), once
   * the operation has run. True allows; thrown errors and non-true answers deny. Runs on answers
   * from the response cache too. On a mutation's result it runs after the side effect: guard
   * mutations with arguments or in the service.
   */
  onResult(input: PolicyInput & { object: Readonly<Record<string, unknown>> }): boolean | Promise<boolean>;
}

/** The function or object behind one `@policy` name. */
export type AuthorizationPolicy = PolicyFunction | ObjectPolicy;

/** Field authorization from the registered schemas' `@authenticated`, `@requiresScopes` and `@policy`. */
export interface AuthorizationConfig {
  /**
   * What `@policy(policies: [["name"]])` runs, by name: a function deciding from the request, or an
   * {@link ObjectPolicy} deciding from the object. A policy a schema names that is missing here is
   * a start-up error, as is a `requires` that does not select fields of the types it is used on.
   * @example { isAdmin: ({ consumer }) => consumer?.scopes.includes('admin') ?? false }
   */
  policies?: Record<string, AuthorizationPolicy>;
}

/** Authorization settings, checked. */
export interface NormalizedAuthorization {
  policies: Record<string, AuthorizationPolicy>;
}

/** Whether `policy` decides on objects. */
export function isObjectPolicy(policy: AuthorizationPolicy): policy is ObjectPolicy {
  return typeof policy !== 'function';
}

/** Checks `authorization`. */
export function normalizeAuthorizationOptions(raw: unknown, { check }: FeatureContext): NormalizedAuthorization {
  if (raw !== undefined && !isPlainObject(raw)) check.fail('config.authorization', 'an object', raw);
  const authorization = isPlainObject(raw) ? raw : {};
  check.knownKeys('config.authorization', authorization, ['policies']);
  const policies = authorization['policies'] ?? {};
  if (!isPlainObject(policies)) {
    check.fail('config.authorization.policies', 'an object of policies by name', policies);
    return { policies: {} };
  }
  for (const [name, policy] of Object.entries(policies)) {
    const key = `config.authorization.policies.${name}`;
    if (typeof policy === 'function') continue;
    if (!isPlainObject(policy)) {
      check.fail(key, 'a function ({ consumer, request, coordinate, args, parent }) => boolean, or an object { beforeCall?, requires, onResult }', policy);
      continue;
    }
    check.knownKeys(key, policy, ['beforeCall', 'requires', 'onResult']);
    check.string(`${key}.requires`, policy['requires']);
    if (typeof policy['onResult'] !== 'function') check.fail(`${key}.onResult`, 'a function ({ consumer, object, ... }) => boolean', policy['onResult']);
    if (policy['beforeCall'] !== undefined && typeof policy['beforeCall'] !== 'function')
      check.fail(`${key}.beforeCall`, 'a function ({ consumer, args, parent, ... }) => boolean | undefined', policy['beforeCall']);
  }
  return { policies: policies as Record<string, AuthorizationPolicy> };
}
