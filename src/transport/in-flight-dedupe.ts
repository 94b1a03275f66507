import { reparsed, type ReceivedResponse, type SendUpstream } from './received-response.ts';
import { requestKey } from './request-key.ts';

/**
 * Sends identical reading calls that are in flight at the same moment once: a GET, or a call
 * marked `readOnly` (a GraphQL query sent by POST). The first caller sends it; callers with the
 * same key (every header included, so never another consumer's) wait for that call and get the
 * same status with a body of their own, or the same error when it fails (timeout, unreachable,
 * not JSON). The call leaves the table as soon as it settles, before any waiter resumes, so the
 * next identical call after a failure goes upstream again. Mutations and other writes are never
 * shared.
 */
export function withInFlightDedupe(send: SendUpstream): SendUpstream {
  const inFlight = new Map<string, Promise<ReceivedResponse>>();
  return (request) => {
    if (request.method !== 'GET' && !request.readOnly) return send(request);
    const key = requestKey(request);
    const pending = inFlight.get(key);
    if (pending) return pending.then(reparsed);
    const call = (async () => {
      try {
        return await send(request);
      } finally {
        inFlight.delete(key);
      }
    })();
    inFlight.set(key, call);
    return call;
  };
}
