import type { Plugin } from 'graphql-yoga';
import { isPlainObject } from '../config/config-checker.ts';
import type { ErrorCode } from '../errors.ts';
import { errorResponse } from '../server/error-response.ts';
import type { Registry } from './create-registry.ts';
import type { NormalizedRegistry } from './registry-config.ts';
import { RegistryInputError } from './registry-input-error.ts';
import { tokenHolder, type TokenHolder } from './registry-tokens.ts';

/** Where the registry API answers. */
export const registryApiPath = '/_concierge/registry';

/** The registry API plugin. */
export interface RegistryApi extends Plugin {
  close(): Promise<void>;
}

type Action = 'check' | 'publish' | 'rollback' | 'delete';
const changes: readonly Action[] = ['check', 'publish', 'rollback', 'delete'];
const noStore = { 'cache-control': 'no-store' };

/**
 * The registry over HTTP, for CI and `concierge schema ... --registry <url>`: `POST
 * /_concierge/registry/check|publish|rollback|delete` (a JSON body as the CLI's options: service,
 * sdl, kind, urls, options, force, to, and persistedDocuments: `{ id: document }` that count as used
 * in this check, as `--manifest` gives them), `GET .../history[?service=]` and `GET .../diff?from=&to=`.
 * Every call needs `Authorization: Bearer <token>`: the admin token (`registry.adminTokenHash`) may
 * do everything; a team's publish token (`registry.publishTokens.<service>`) may check, publish and
 * roll back its own service and read. No token: 401 `UNAUTHENTICATED`; another service's change or
 * a deletion by a team: 403 `FORBIDDEN`. Each change is stored with the token's name as author.
 * Off (the paths are not answered) while no token is configured.
 */
export function useRegistryApi(registry: Registry, options: NormalizedRegistry): RegistryApi {
  const enabled = options.adminTokenHash !== undefined || Object.keys(options.publishTokens).length > 0;
  return {
    async onRequest({ request, url, endResponse }) {
      if (!enabled || !url.pathname.startsWith(`${registryApiPath}/`)) return;
      endResponse(await answer(registry, options, request, url));
    },
    close: async () => {},
  };
}

async function answer(registry: Registry, options: NormalizedRegistry, request: Request, url: URL): Promise<Response> {
  const route = url.pathname.slice(registryApiPath.length + 1);
  const holder = tokenHolder(request, options);
  if (!holder)
    return errorResponse(
      request,
      'UNAUTHENTICATED',
      holder === null ? 'The registry token is not valid.' : 'A registry token is required: Authorization: Bearer <token>.',
      { ...noStore, 'www-authenticate': 'Bearer realm="Concierge registry"' },
    );
  try {
    if (route === 'history' || route === 'diff') {
      if (request.method !== 'GET') return errorResponse(request, 'METHOD_NOT_ALLOWED', `${url.pathname} answers GET only.`, { allow: 'GET' });
      const service = url.searchParams.get('service') ?? undefined;
      if (route === 'history') return ok(await registry.history(service));
      const [from, to] = ['from', 'to'].map((name) => Number(url.searchParams.get(name)));
      if (!Number.isInteger(from) || !Number.isInteger(to)) return errorResponse(request, 'BAD_REQUEST', 'diff needs ?from=<version>&to=<version>.', noStore);
      return ok(service ? await registry.diffServiceVersions(service, from as number, to as number) : await registry.diffGraphs(from as number, to as number));
    }
    if (!(changes as readonly string[]).includes(route))
      return errorResponse(request, 'NOT_FOUND', `No registry route ${url.pathname}: expected ${[...changes, 'history', 'diff'].join(', ')}.`, noStore);
    if (request.method !== 'POST') return errorResponse(request, 'METHOD_NOT_ALLOWED', `${url.pathname} answers POST only.`, { allow: 'POST' });
    const body = (await request.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (!body || typeof body['service'] !== 'string') return errorResponse(request, 'BAD_REQUEST', 'Expected a JSON body with a "service".', noStore);
    const refusal = refuse(holder, route as Action, body['service']);
    if (refusal) return errorResponse(request, 'FORBIDDEN', refusal, noStore);
    return ok(await change(registry, route as Action, body, holder.name));
  } catch (error) {
    if (error instanceof RegistryInputError) return errorResponse(request, 'BAD_REQUEST' satisfies ErrorCode, error.problems.join('; '), noStore);
    throw error;
  }
}

function refuse(holder: TokenHolder, action: Action, service: string): string | undefined {
  if (holder.service === undefined) return undefined;
  if (action === 'delete') return `The token of ${holder.service} may not delete services: that takes the admin token.`;
  if (service !== holder.service) return `The token of ${holder.service} may not ${action} ${service}.`;
  return undefined;
}

function change(registry: Registry, action: Action, body: Record<string, unknown>, author: string) {
  const { service, force } = body as { service: string; force?: boolean };
  const request = { service, author, force: force === true, persistedDocuments: persistedDocuments(body['persistedDocuments']) };
  if (action === 'rollback') return registry.rollback({ ...request, to: Number(body['to']) });
  if (action === 'delete') return registry.deleteService(request);
  const input = { ...body, ...request, sdl: body['sdl'] } as Parameters<Registry['publish']>[0];
  return action === 'check' ? registry.check(input) : registry.publish(input);
}

/** A body's `persistedDocuments`: an object of document id to document text. */
function persistedDocuments(value: unknown): Map<string, string> {
  if (value === undefined) return new Map();
  if (isPlainObject(value) && Object.values(value).every((text) => typeof text === 'string')) return new Map(Object.entries(value as Record<string, string>));
  throw new RegistryInputError([`persistedDocuments: expected an object of document id to document text, got ${JSON.stringify(value)}`]);
}

function ok(value: unknown): Response {
  return new Response(JSON.stringify(value), { headers: { 'content-type': 'application/json; charset=utf-8', ...noStore } });
}
