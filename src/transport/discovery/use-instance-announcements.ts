import type { Plugin } from 'graphql-yoga';
import { isPlainObject } from '../../config/config-checker.ts';
import { errorResponse } from '../../server/error-response.ts';
import type { AnnouncedInstances, Announcement } from './announced-instances.ts';
import { announcerOf, type AnnounceCredentials } from './announcer-of.ts';
import { allowedHost, type NormalizedDiscovery } from './discovery-config.ts';
import { maxWeight } from './resolve-instances.ts';

/** Where announcements are made: `/_concierge/sources/<name>/instances`. */
export const announcePathPattern = /^\/_concierge\/sources\/([^/]+)\/instances\/?$/;

/** The announcement path of one source. */
export const announcePath = (source: string) => `/_concierge/sources/${source}/instances`;

/** What the announcement API needs: the announcing sources, where instances are kept, who may announce. */
export interface InstanceAnnouncementsOptions {
  /** Each source announced to (`discovery: { announce: true }`), by name. */
  sources: ReadonlyMap<string, Extract<NormalizedDiscovery, { mechanism: 'announce' }>>;
  announcements: AnnouncedInstances;
  credentials: AnnounceCredentials;
  /** Operator messages (an instance announced for the first time, withdrawn). */
  log(message: string): void;
}

const noStore = { 'cache-control': 'no-store' };
const challenge = { ...noStore, 'www-authenticate': 'Bearer realm="Concierge instances"' };

/**
 * Instances announcing themselves, on the admin surface: `PUT /_concierge/sources/<name>/instances`
 * with `{ "url": "http://10.0.0.7:4001/graphql", "weight": 1 }` registers an instance or renews it
 * (a heartbeat; send one well within the TTL it answers), `DELETE` with the same `{ url }` (or
 * `?url=`) removes it at once, `GET` lists the live ones with their expiry.
 * Every call needs a credential: the admin key (its header), or `Authorization: Bearer <token>`
 * with the registry's admin token, or a token of the source itself (`registry.publishTokens.<name>`,
 * `discovery.tokenHash`). None: 401 `UNAUTHENTICATED`; another source's token: 403 `FORBIDDEN`.
 * A URL must be http(s), without credentials, query or fragment, and its host within
 * `discovery.allow` when set (403 otherwise): an announcement makes the gateway send requests,
 * with the identity headers it forwards, wherever the URL points.
 */
export function useInstanceAnnouncements(options: InstanceAnnouncementsOptions): Plugin {
  return {
    async onRequest({ request, url, endResponse }) {
      const match = announcePathPattern.exec(url.pathname);
      if (!match) return;
      endResponse(await answer(options, request, url, decoded(match[1] ?? '')));
    },
  };
}

async function answer(
  { sources, announcements, credentials, log }: InstanceAnnouncementsOptions,
  request: Request,
  url: URL,
  service: string,
): Promise<Response> {
  const announcer = announcerOf(request, credentials);
  if (!announcer)
    return errorResponse(
      request,
      'UNAUTHENTICATED',
      announcer === null ? 'The credential is not valid.' : 'Announcing instances takes a credential: the admin key, or Authorization: Bearer <token>.',
      challenge,
    );
  if (announcer.service !== undefined && announcer.service !== service)
    return errorResponse(request, 'FORBIDDEN', `The token of ${announcer.service} may not announce instances of ${service}.`, noStore);
  const discovery = sources.get(service);
  if (!discovery) return errorResponse(request, 'NOT_FOUND', `No source ${service} takes announced instances (discovery: { announce: true }).`, noStore);
  if (request.method === 'GET') return json(200, { service, ttlSeconds: discovery.ttl / 1000, instances: (await announcements.list(service)).map(shown) });
  if (request.method !== 'PUT' && request.method !== 'DELETE')
    return errorResponse(request, 'METHOD_NOT_ALLOWED', `${url.pathname} answers GET, PUT and DELETE.`, { allow: 'GET, PUT, DELETE' });
  const body = request.method === 'DELETE' && url.searchParams.has('url') ? { url: url.searchParams.get('url') } : await request.json().catch(() => undefined);
  const instance = instanceOf(body, request.method === 'PUT');
  if (typeof instance === 'string') return errorResponse(request, 'BAD_REQUEST', instance, noStore);
  if (request.method === 'DELETE') {
    const removed = await announcements.withdraw(service, instance.url);
    if (!removed) return errorResponse(request, 'NOT_FOUND', `${instance.url} is not announced for ${service}.`, noStore);
    log(`instances of ${service}: ${instance.url} withdrawn by ${announcer.name}`);
    return json(200, { service, url: instance.url, removed: true });
  }
  if (!allowedHost(discovery.allow, new URL(instance.url).hostname)) {
    return errorResponse(request, 'FORBIDDEN', `${instance.url} is not within sources.${service}.discovery.allow.`, noStore);
  }
  const entry = await announcements.announce(service, instance, discovery.ttl);
  const created = entry.announcedAt === entry.heartbeatAt;
  if (created) log(`instances of ${service}: ${instance.url} announced by ${announcer.name}`);
  return json(created ? 201 : 200, { service, ttlSeconds: discovery.ttl / 1000, ...shown(entry) });
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // Not a name any source has: answered 404 like any unknown source.
    return segment;
  }
}

/** A body's `{ url, weight? }`, or what is wrong with it. */
function instanceOf(body: unknown, withWeight: boolean): { url: string; weight: number } | string {
  if (!isPlainObject(body)) return 'Expected a JSON body such as { "url": "http://10.0.0.7:4001/graphql", "weight": 1 }.';
  const { url, weight = 1 } = body;
  const parsed = typeof url === 'string' && URL.canParse(url) ? new URL(url) : undefined;
  if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.username || parsed.password || parsed.search || parsed.hash) {
    return `url: expected an http:// or https:// URL without credentials, query or fragment, got ${JSON.stringify(url)}.`;
  }
  if (withWeight && !(typeof weight === 'number' && Number.isInteger(weight) && weight >= 1 && weight <= maxWeight)) {
    return `weight: expected an integer from 1 to ${maxWeight}, got ${JSON.stringify(weight)}.`;
  }
  return { url: `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, ''), weight: weight as number };
}

function shown({ url, weight, announcedAt, heartbeatAt, expiresAt }: Announcement) {
  return {
    url,
    weight,
    state: 'announced',
    announcedAt: new Date(announcedAt).toISOString(),
    heartbeatAt: new Date(heartbeatAt).toISOString(),
    expiresAt: new Date(expiresAt).toISOString(),
  };
}

function json(status: number, value: unknown): Response {
  return new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...noStore } });
}
