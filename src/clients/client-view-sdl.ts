import { printSchema, type GraphQLSchema } from 'graphql';
import type { LoadedSource } from '../sources/loaded-source.ts';
import { buildClientViews } from './client-views.ts';
import type { NormalizedClients } from './normalize-clients.ts';

/**
 * The SDL of one profile's view of a composed graph (`concierge compose --client <name>`), or why
 * there is none: an unknown profile name (a usage error), or the views' problems (a `ConfigError`, thrown).
 */
export function clientViewSdl(
  schema: GraphQLSchema,
  sources: readonly LoadedSource[],
  clients: NormalizedClients,
  name: string,
): { sdl: string } | { unknown: string } {
  const names = clients.profiles.map((profile) => profile.name);
  if (!names.includes(name))
    return { unknown: `--client: expected a profile of config.clients (${names.length > 0 ? names.join(', ') : 'it declares none'}), got "${name}"` };
  const view = buildClientViews(schema, sources, clients, undefined, () => undefined)?.byName(name);
  return { sdl: printSchema(view?.schema ?? schema) };
}
