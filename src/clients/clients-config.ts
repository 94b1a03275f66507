import type { LimitsConfig } from '../limits/limits-config.ts';
import type { TrustedDocumentsConfig } from '../trusted-documents/trusted-documents-config.ts';

/**
 * Client profiles by name: who a caller is (consumer, JWT claim, or the client-name header) decides
 * which schema view, documents, limits and rate-limit plan it gets. Names are the `client` label
 * of the metrics and the access log.
 * @example { web: { default: true, names: ['web'] }, mobile: { names: ['shop-ios', 'shop-android'], exclude: { tags: ['payments'] } } }
 */
export type ClientsConfig = Record<string, ClientProfileConfig>;

/**
 * One client profile. How a caller gets a profile, in this order:
 * 1. its identity: the profiles whose `consumers` name its API-key consumer or whose `claim` its
 *    verified JWT carries; among several, the one its client-name header names, else the first declared;
 * 2. else the client-name header (`graphql-client-name`, or Apollo's `apollographql-client-name`),
 *    among the public profiles only (those with neither `consumers` nor `claim`);
 * 3. else the default profile (`defaultClient`, or the profile with `default: true`).
 * A header is something anyone can send: it only ever chooses among profiles the caller's identity
 * already allows, so it never unlocks a profile restricted to consumers or claims.
 */
export interface ClientProfileConfig {
  /**
   * This profile serves callers who match nothing else. Exactly one profile is the default when
   * profiles are declared (this flag, or the top-level `defaultClient`).
   * @default false
   */
  default?: boolean;
  /**
   * Declared consumers (`config.consumers`) that get this profile.
   * @example ['ios-app', 'android-app']
   */
  consumers?: string[];
  /**
   * A verified JWT claim that gets this profile: the claim equals `value`, or is a list holding it.
   * @example { name: 'client', value: 'mobile' }
   */
  claim?: { name: string; value: string };
  /**
   * Values of the `graphql-client-name` / `apollographql-client-name` header that choose this
   * profile (see the order above). The version header (`graphql-client-version` /
   * `apollographql-client-version`) is recorded, never matched.
   * @example ['shop-ios', 'shop-android']
   */
  names?: string[];
  /**
   * Keeps only what carries one of these `@tag(name:)`s: an object, interface or union type with
   * one (then all its fields), or a field with one (its parent type stays for it). Unions keep their included members. Scalars, enums, input types,
   * arguments and input fields stay unless excluded. Without `include`, everything is included.
   * @example { tags: ['public'] }
   */
  include?: { tags: string[] };
  /**
   * Removes what carries one of these tags, and these schema coordinates (`Type`, `Type.field`,
   * `Type.field(arg:)`, `Enum.VALUE`, `Input.field`). Exclusion wins over inclusion. As federation
   * contracts do: a field returning a removed type goes too, so does a field whose required
   * argument went; a type left without fields (or members, or values) goes with the fields that
   * return it; types nothing reaches are pruned. A view that leaves `Query` empty stops start-up.
   * @example { tags: ['internal'], coordinates: ['Order.payment', 'Query.payment'] }
   */
  exclude?: { tags?: string[]; coordinates?: string[] };
  /**
   * Computed fields only this profile sees, by coordinate (`Type.field`), run in the gateway's
   * process from fields of the same object (see {@link ComputedFieldConfig}).
   */
  fields?: Record<string, ComputedFieldConfig>;
  /**
   * This profile's trusted documents, instead of the top-level `trustedDocuments` (a mobile app
   * version ships its persisted operations). Same options; `allowArbitraryDocuments: false`
   * answers only the manifest's operations.
   */
  trustedDocuments?: TrustedDocumentsConfig;
  /** This profile's operation limits: each option given replaces the top-level `limits` one. */
  limits?: LimitsConfig;
  /**
   * The `rateLimits.plans` entry this profile's callers spend, when their consumer has no plan of
   * its own (a consumer's plan is the more specific and wins).
   * @example 'mobile'
   */
  rateLimitPlan?: string;
  /**
   * Client versions (the version header's values) that get their own `client_version` label;
   * others are `other`. Without it, the first 20 distinct versions seen are labelled.
   * @example ['4.2.0', '4.3.0']
   */
  versions?: string[];
}

/**
 * A field computed in the gateway from fields of its object, planned like `@requires`: the fields
 * it needs are fetched with the object in the same upstream calls, and only when it is selected.
 */
export interface ComputedFieldConfig {
  /**
   * Its GraphQL type: a nullable output type of the schema (a failure is then a null with an
   * error on the field's own path, never a null spreading to its parent).
   * @example 'String'
   */
  type: string;
  /**
   * The fields of the object it needs, as a selection set without braces.
   * @example 'images { url width }'
   */
  requires: string;
  /**
   * Computes the value from the required fields of the object (and nothing else of it).
   * @example (product) => product.images.find((image) => image.width <= 200)?.url ?? null
   */
  resolve: (object: Record<string, unknown>) => unknown;
  /**
   * How long an asynchronous `resolve` may take: past it, the field is null with
   * `GATEWAY_TIMEOUT` on its path (a synchronous function cannot be interrupted: it blocks the
   * process while it runs, so keep it small). Milliseconds or a duration such as `'50ms'`.
   * @default '100ms'
   */
  timeout?: string | number;
  /** Its description in the view's schema. */
  description?: string;
}
