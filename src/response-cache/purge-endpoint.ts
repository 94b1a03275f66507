import { consumerOf } from '../auth/consumer.ts';
import { isPlainObject } from '../config/config-checker.ts';
import { errorResponse } from '../server/error-response.ts';
import type { ResponseStore } from './response-store.ts';

/** What a purge request asks for. */
export type PurgeRequest = { all: true } | { type: string; id?: string };

const expected = 'a JSON body { "all": true }, { "type": "<Type>" } or { "type": "<Type>", "id": "<id>" }';

/**
 * `POST <purge.path>`: removes every entry, those holding any object of a type, or those holding
 * one entity, and answers `{ "purged": <entries removed> }`. Only consumers with the purge scope
 * may: 401 `UNAUTHENTICATED` without a caller, 403 `FORBIDDEN` without the scope; 503
 * `SERVICE_UNAVAILABLE` when the store cannot be reached (nothing was purged).
 */
export async function answerPurge(request: Request, store: ResponseStore, scope: string): Promise<Response> {
  if (request.method !== 'POST') return errorResponse(request, 'METHOD_NOT_ALLOWED', 'Purging the response cache takes a POST.', { allow: 'POST' });
  const consumer = consumerOf(request);
  if (!consumer)
    return errorResponse(request, 'UNAUTHENTICATED', 'Purging the response cache needs an authenticated caller.', { 'www-authenticate': 'Bearer' });
  if (!consumer.scopes.includes(scope)) return errorResponse(request, 'FORBIDDEN', `Purging the response cache needs the scope ${scope}.`);
  const text = await request.text();
  const purge = parsePurge(text);
  if (!purge) return errorResponse(request, 'BAD_REQUEST', `Expected ${expected}, got ${text.length > 200 ? `${text.slice(0, 197)}...` : text || 'nothing'}`);
  let purged: number;
  try {
    purged =
      'all' in purge
        ? await store.purgeAll()
        : purge.id === undefined
          ? await store.purgeType(purge.type)
          : await store.invalidate([`${purge.type}:${purge.id}`]);
  } catch {
    return errorResponse(request, 'SERVICE_UNAVAILABLE', 'The response cache store is unreachable: nothing was purged.');
  }
  return new Response(JSON.stringify({ purged }), { status: 200, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } });
}

/** The purge a body asks for, or `undefined` when it is not one of the three forms. */
export function parsePurge(text: string): PurgeRequest | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isPlainObject(body)) return undefined;
  const keys = Object.keys(body).sort().join(',');
  if (keys === 'all' && body['all'] === true) return { all: true };
  const type = body['type'];
  if (typeof type !== 'string' || !/^[A-Za-z_]\w*$/.test(type)) return undefined;
  if (keys === 'type') return { type };
  const id = body['id'];
  if (keys === 'id,type' && (typeof id === 'string' || typeof id === 'number') && String(id) !== '') return { type, id: String(id) };
  return undefined;
}
