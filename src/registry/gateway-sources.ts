import type { NormalizedConfig, NormalizedSource } from '../config/normalize-config.ts';
import { registeredSources } from './registered-sources.ts';
import type { GraphVersion } from './registry-store.ts';

/**
 * The sources a gateway serves for a registry graph version: every registered service (its kind,
 * URL, SDL and options as stored), and the config sources of other names (read from their files,
 * as without a registry). A config source of a registered service's name contributes only what
 * stays local: its `headers` and `tls`. Without a graph, the config sources. Throws a
 * `ConfigError` when a stored option is one the config would refuse.
 */
export function gatewaySources(config: Pick<NormalizedConfig, 'sources'>, graph: GraphVersion | undefined): NormalizedSource[] {
  if (!graph) return config.sources;
  const local = new Map(config.sources.map((source) => [source.name, source]));
  const registered = registeredSources(graph.services.map((member) => ({ ...member, name: `${member.service}@v${member.version}` }))).map((source) => {
    const own = local.get(source.name);
    return own ? { ...source, headers: own.headers, ...(own.tls ? { tls: own.tls } : {}) } : source;
  });
  const names = new Set(registered.map((source) => source.name));
  return [...config.sources.filter((source) => !names.has(source.name)), ...registered];
}
