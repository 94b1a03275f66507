import { randomUUID } from 'node:crypto';
import { ObjectSlot } from '../object-slot.ts';

/** The header that carries a request's id: read from clients, set on responses, sent to services. */
export const requestIdHeader = 'x-request-id';

/** What a client-sent id may be: 1 to 128 of letters, digits and `._:-` (a UUID, a trace id, a ULID). */
const wellFormed = /^[A-Za-z0-9._:-]{1,128}$/;

const ids = new ObjectSlot<Request, string>('request id');

/**
 * The id of a request, once it has one: the access-log plugin assigns it in `onRequest`, ahead of
 * every plugin but Yoga's own (CORS preflights) and the tracing observer; those may call
 * {@link assignRequestId}, which gives the same id whoever calls it first.
 */
export function requestIdOf(request: Request): string | undefined {
  return ids.get(request);
}

/**
 * Gives a request its id, once: the client's `x-request-id` when it is well-formed, else a new
 * UUID. A malformed one is replaced rather than cleaned, so nothing a client sends that could break
 * a log line or a header ever reaches the log or a service.
 */
export function assignRequestId(request: Request): string {
  let id = ids.get(request);
  if (id === undefined) {
    const sent = request.headers.get(requestIdHeader);
    id = sent !== null && wellFormed.test(sent) ? sent : randomUUID();
    ids.set(request, id);
  }
  return id;
}
