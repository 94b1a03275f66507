import { copyJson } from '../copy-json.ts';
import type { ReceivedResponse, SendUpstream } from './received-response.ts';
import { requestKey } from './request-key.ts';

/** A call in flight, and how many identical calls wait for it. */
interface Shared {
  answer: Promise<ReceivedResponse>;
  waiters: number;
  /** The waiters' copies, made when the call settles. */
  copies: ReceivedResponse[];
}

/**
 * Sends identical reading calls that are in flight at the same moment once: a GET, or a call
 * marked `readOnly` (a GraphQL query sent by POST). The first caller sends it; callers with the
 * same key (every header included, so never another consumer's) wait for that call and get the
 * same status with a body of their own, or the same error when it fails (timeout, unreachable,
 * not JSON). The call leaves the table as soon as it settles, before any waiter resumes, so the
 * next identical call after a failure goes upstream again. Mutations and other writes are never
 * shared.
 *
 * The waiters' bodies are deep copies of the parsed body ({@link copyJson}, several times cheaper
 * than parsing the text again), all made the moment the call settles: no caller has resumed yet,
 * so none has touched the body (the engine merges into the objects it is given).
 */
export function withInFlightDedupe(send: SendUpstream): SendUpstream {
  const inFlight = new Map<string, Shared>();
  return (request) => {
    if (request.method !== 'GET' && !request.readOnly) return send(request);
    const key = requestKey(request);
    const pending = inFlight.get(key);
    if (pending) {
      const index = pending.waiters++;
      return pending.answer.then(() => pending.copies[index] as ReceivedResponse);
    }
    const shared: Shared = { answer: undefined as unknown as Promise<ReceivedResponse>, waiters: 0, copies: [] };
    shared.answer = send(request).then(
      (response) => {
        inFlight.delete(key);
        for (let index = 0; index < shared.waiters; index++) shared.copies.push({ ...response, body: copyJson(response.body) });
        return response;
      },
      (error: unknown) => {
        inFlight.delete(key);
        throw error;
      },
    );
    inFlight.set(key, shared);
    return shared.answer;
  };
}
