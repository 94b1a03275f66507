import { isPromise, type MaybePromise } from '../maybe-promise.ts';
import { ObjectSlot } from '../object-slot.ts';

/** The per-request context every source reads: the client's request (a Fetch `Request`). */
export interface RequestContext {
  request?: Request;
}

/** What upstream calls of one request say about the caller. */
export interface UpstreamIdentity {
  /** Lower-case header names the gateway owns: a client's copies are never passed on. */
  reserved: ReadonlySet<string>;
  /** The identity headers for calls to `service`: synchronously unless a token must still be signed for it. */
  headersFor(service: string): MaybePromise<Record<string, string>>;
}

const identities = new ObjectSlot<Request, UpstreamIdentity>('upstream identity');

/** Records what upstream calls of this request say about the caller (the identity plugin's job). */
export function setUpstreamIdentity(request: Request, identity: UpstreamIdentity): void {
  identities.set(request, identity);
}

/** What upstream calls of this request say about the caller, when the identity plugin recorded it (plain routes pass on every other header). */
export function upstreamIdentityOf(request: Request): UpstreamIdentity | undefined {
  return identities.get(request);
}

/**
 * The headers of a call to `service`: the client's headers named in the source's allowlist
 * (lower-case), except those the gateway owns for identity, then the identity headers. A new object
 * the caller may add to. Synchronous unless the identity's token for the service is still being
 * signed: most calls then cost no promise and no microtask here.
 */
function upstreamHeaders(context: RequestContext | undefined, service: string, allowlist: readonly string[]): MaybePromise<Record<string, string>> {
  const request = context?.request;
  if (!request) return {};
  const identity = identities.get(request);
  const headers: Record<string, string> = {};
  for (const name of allowlist) {
    const value = request.headers.get(name);
    if (value !== null && !identity?.reserved.has(name)) headers[name] = value;
  }
  if (!identity) return headers;
  const own = identity.headersFor(service);
  return isPromise(own) ? own.then((settled) => Object.assign(headers, settled)) : Object.assign(headers, own);
}

/**
 * Calls `send` with the headers of a call to `service` (see {@link upstreamHeaders}) and `arg`: in
 * this turn when they are at hand, once the identity's token is signed otherwise. A throw becomes
 * the returned promise's rejection, as in an async function, without the promise and microtask an
 * async function adds to every call.
 */
export function sendWithUpstreamHeaders<A, T>(
  context: RequestContext | undefined,
  service: string,
  allowlist: readonly string[],
  send: (headers: Record<string, string>, arg: A) => Promise<T>,
  arg: A,
): Promise<T> {
  try {
    const headers = upstreamHeaders(context, service, allowlist);
    return isPromise(headers) ? headers.then((settled) => send(settled, arg)) : send(headers, arg);
  } catch (error) {
    return Promise.reject(error);
  }
}
