import { GraphQLError, type GraphQLErrorOptions } from 'graphql';

/**
 * Every error code a client can receive, with the HTTP status it carries when it rejects the
 * whole request. The README's error table is kept equal to this one by a test.
 *
 * A code on a single field of a partial response leaves the status to the GraphQL-over-HTTP
 * rules (200 when any data was produced), so one failed service never hides the others' data.
 */
export const errorCodes = {
  /** The request is not a valid GraphQL-over-HTTP request: bad JSON, missing query, wrong method. */
  BAD_REQUEST: 400,
  /** The document does not parse. */
  GRAPHQL_PARSE_FAILED: 400,
  /** The document does not validate against the composed schema. */
  GRAPHQL_VALIDATION_FAILED: 400,
  /**
   * The operation's estimated cost is above `limits.maxCost` (the code Apollo Router and Hive
   * Router give the same refusal).
   */
  COST_ESTIMATED_TOO_EXPENSIVE: 400,
  /** The variables do not match the operation's variable definitions. */
  BAD_USER_INPUT: 400,
  /** No valid credentials where the operation needs them. */
  UNAUTHENTICATED: 401,
  /** Valid credentials without the rights the operation needs. */
  FORBIDDEN: 403,
  /** Nothing is served at the path, or the requested object does not exist upstream (a non-null field whose service answered 404). */
  NOT_FOUND: 404,
  /** A persisted-operation hash the gateway does not know. */
  PERSISTED_QUERY_NOT_FOUND: 404,
  /** The HTTP method is not allowed for this request (a mutation over GET). */
  METHOD_NOT_ALLOWED: 405,
  /** None of the media types the gateway answers with is acceptable to the client (its `Accept` header). */
  NOT_ACCEPTABLE: 406,
  /** The client did not send its request's headers within `headersTimeout`, or the whole request within `requestTimeout`. */
  REQUEST_TIMEOUT: 408,
  /** The request body is larger than the configured limit. */
  PAYLOAD_TOO_LARGE: 413,
  /** The request's Content-Type is not one the gateway reads. */
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** The request names a host (`Host` header) the gateway does not answer to (`network.allowedHosts`). */
  MISDIRECTED_REQUEST: 421,
  /** A rate limit was reached. */
  RATE_LIMITED: 429,
  /** The request's headers are larger than the HTTP server reads (Node's `--max-http-header-size`, 16 KiB by default). */
  REQUEST_HEADERS_TOO_LARGE: 431,
  /** A fault inside the gateway; details are logged, never sent. */
  INTERNAL_SERVER_ERROR: 500,
  /** An upstream service answered with an error or an unreadable response. */
  DOWNSTREAM_SERVICE_ERROR: 502,
  /** An upstream service could not be reached, or the gateway is not ready or is shutting down. */
  SERVICE_UNAVAILABLE: 503,
  /** An upstream service did not answer within its timeout. */
  GATEWAY_TIMEOUT: 504,
} as const satisfies Record<string, number>;

/** One of the codes of {@link errorCodes}. */
export type ErrorCode = keyof typeof errorCodes;

/** Options of {@link gatewayError}. */
export interface GatewayErrorOptions extends GraphQLErrorOptions {
  /**
   * Whether the error rejects the whole request, so the response's HTTP status is the code's.
   * Field errors inside a partial response leave it false.
   * @default true
   */
  rejectsRequest?: boolean;
  /** More extensions, e.g. `service` for an upstream error. */
  extensions?: Record<string, unknown>;
}

/** A GraphQL error with `extensions.code` and, when it rejects the request, `extensions.http.status`. */
export function gatewayError(code: ErrorCode, message: string, options: GatewayErrorOptions = {}): GraphQLError {
  const { rejectsRequest = true, extensions, ...rest } = options;
  return new GraphQLError(message, {
    ...rest,
    extensions: {
      ...extensions,
      code,
      ...(rejectsRequest ? { http: { status: errorCodes[code] } } : {}),
    },
  });
}

/** Whether `code` is one of ours. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(errorCodes, code);
}
