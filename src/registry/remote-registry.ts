import type { Registry } from './create-registry.ts';
import { RegistryInputError } from './registry-input-error.ts';
import { registryApiPath } from './use-registry-api.ts';

/** What `concierge schema` asks of a registry, directly (a store) or through a gateway's registry API. */
export type RegistryCommands = Pick<
  Registry,
  'check' | 'publish' | 'rollback' | 'deleteService' | 'history' | 'diffGraphs' | 'diffServiceVersions' | 'importServices' | 'close'
>;

/** Where a command goes, as `concierge schema` reads its options and environment. */
export interface RemoteOptions {
  /** `--registry <http(s)://gateway>`. */
  registry?: string | undefined;
  /** `--store`: a gateway too when it is an http(s) URL. */
  store?: string | undefined;
  /** `--token`; else `CONCIERGE_REGISTRY_TOKEN`. */
  token?: string | undefined;
}

/** Milliseconds a registry API call may take (a check composes the whole graph). */
const callTimeout = 60_000;

/**
 * The registry API of the gateway that `--registry`, or an http(s) `--store` or
 * `CONCIERGE_REGISTRY`, names (the first given wins); `undefined` when the store is a folder or a
 * PostgreSQL URL (direct mode). Throws a `RegistryInputError` for `import` (it seeds a store
 * directly) and for a `--registry` that is not an http(s) URL.
 */
export function remoteRegistry(command: string, options: RemoteOptions, env: NodeJS.ProcessEnv): RegistryCommands | undefined {
  if (options.registry !== undefined && options.store !== undefined)
    throw new RegistryInputError([`expected --registry <http(s)://gateway> or --store <dir | postgres://...>, got both`]);
  const given = options.registry ?? options.store ?? (env['CONCIERGE_REGISTRY'] || undefined);
  const remote = given !== undefined && /^https?:\/\//i.test(given);
  if (options.registry !== undefined && (!remote || !URL.canParse(options.registry)))
    throw new RegistryInputError([
      `--registry: expected the http:// or https:// URL of a gateway whose registry API is on, got ${JSON.stringify(options.registry)}`,
    ]);
  if (!remote) {
    if (options.token !== undefined)
      throw new RegistryInputError(["--token: a token is for a gateway's registry API (--registry <http(s)://gateway>); a store is opened directly"]);
    return undefined;
  }
  if (!URL.canParse(given)) throw new RegistryInputError([`expected the URL of a gateway, got ${JSON.stringify(given)}`]);
  if (command === 'import')
    throw new RegistryInputError([
      `import seeds a store directly (--store <dir | postgres://...>, or the config's registry option); the registry API at ${new URL(given).origin} does not import`,
    ]);
  return createRemoteRegistry(given, options.token ?? (env['CONCIERGE_REGISTRY_TOKEN'] || undefined));
}

/**
 * A registry client over a gateway's registry API (see `useRegistryApi`): each command sends the
 * request the API takes and answers what the store would, dates included. The API records the
 * token's holder as the author. An answer other than 2xx (401, 403, 400...) or no answer throws a
 * `RegistryInputError` carrying the server's message, so the CLI exits 2 as for a bad input.
 */
export function createRemoteRegistry(gateway: string, token: string | undefined): RegistryCommands {
  const base = gateway.replace(/\/+$/, '');
  const call = async <T>(route: string, body?: Record<string, unknown>): Promise<T> => {
    const url = `${base}${registryApiPath}/${route}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(callTimeout),
      });
    } catch (error) {
      const cause = (error as Error & { cause?: Error }).cause;
      throw new RegistryInputError([`cannot reach the registry API at ${url}: ${cause?.message ?? (error as Error).message}`]);
    }
    const text = await response.text();
    const parsed = parseAnswer(text);
    if (response.ok && parsed !== undefined) return parsed as T;
    const message =
      (parsed as { errors?: Array<{ message?: string }> } | undefined)?.errors?.[0]?.message ?? (text.trim().slice(0, 200) || response.statusText);
    const hint = response.status === 401 ? ' (--token <token> or CONCIERGE_REGISTRY_TOKEN)' : '';
    throw new RegistryInputError([`the registry API at ${new URL(base).origin} answered ${response.status}: ${message}${hint}`]);
  };
  const documents = (map: ReadonlyMap<string, string> | undefined) => (map && map.size > 0 ? { persistedDocuments: Object.fromEntries(map) } : {});
  const query = (parameters: Record<string, string | number | undefined>) => {
    const search = new URLSearchParams(Object.entries(parameters).flatMap(([key, value]) => (value === undefined ? [] : [[key, String(value)]])));
    return search.size > 0 ? `?${search}` : '';
  };
  return {
    check: ({ author: _author, persistedDocuments, ...request }) => call('check', { ...request, ...documents(persistedDocuments) }),
    publish: ({ author: _author, persistedDocuments, ...request }) => call('publish', { ...request, ...documents(persistedDocuments) }),
    rollback: ({ service, to, force, persistedDocuments }) => call('rollback', { service, to, force: force === true, ...documents(persistedDocuments) }),
    deleteService: ({ service, force, persistedDocuments }) => call('delete', { service, force: force === true, ...documents(persistedDocuments) }),
    history: (service) => call(`history${query({ service })}`),
    diffGraphs: (from, to) => call(`diff${query({ from, to })}`),
    diffServiceVersions: (service, from, to) => call(`diff${query({ service, from, to })}`),
    importServices: () => Promise.reject(new RegistryInputError(['import seeds a store directly: the registry API does not import'])),
    close: async () => {},
  };
}

/** The JSON of an answer, with the stored dates (`publishedAt`, `createdAt`) as `Date`s again; `undefined` when not JSON. */
function parseAnswer(text: string): unknown {
  try {
    return JSON.parse(text, (key, value: unknown) => ((key === 'publishedAt' || key === 'createdAt') && typeof value === 'string' ? new Date(value) : value));
  } catch {
    // Not JSON (a proxy's page, an empty body): the caller reports the text itself.
    return undefined;
  }
}
