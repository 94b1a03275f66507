import { ConfigError } from '../config/config-error.ts';
import { normalizeConfig, type NormalizedSource } from '../config/normalize-config.ts';
import type { ServiceDefinition } from './registry-store.ts';
import { serviceOptionKeys } from './service-option-keys.ts';

/** A stored service ready to become a source: its definition, and how problems name its SDL. */
export interface RegisteredService extends ServiceDefinition {
  service: string;
  /** How problems name the SDL, e.g. the published file or `products@v3`. */
  name: string;
}

/**
 * The sources a gateway would build from registered services: each service's kind, URLs (one is
 * `url`, several are `urls`, its instances) and options checked and defaulted exactly as `config.sources` is, its SDL given instead of a file.
 * Throws a `ConfigError` whose problems name `config.sources.<service>.<option>`.
 */
export function registeredSources(services: readonly RegisteredService[]): NormalizedSource[] {
  const sources = Object.fromEntries(
    services.map(({ service, kind, urls, options }) => [service, { ...options, kind, ...(urls.length > 1 ? { urls } : { url: urls[0] }) }]),
  );
  // No environment: a stored option is a value, never a `${NAME}` to read where it runs.
  const { sources: normalized } = normalizeConfig({ sources }, { env: {} });
  return normalized.map((source, index) => {
    const { sdl, name } = services[index] as RegisteredService;
    return { ...source, registered: { sdl, name } };
  });
}

/**
 * Problems with a service's options, each as `options.<name>: expected ..., got ...`: an option a
 * service version may not carry, or a value `config.sources` would refuse.
 */
export function serviceOptionProblems(service: string, definition: ServiceDefinition): string[] {
  const unknown = Object.keys(definition.options)
    .filter((option) => !(serviceOptionKeys as readonly string[]).includes(option))
    .map((option) => `options.${option}: unknown option; expected one of ${serviceOptionKeys.join(', ')} (headers and tls stay in the gateway config)`);
  if (unknown.length > 0) return unknown;
  try {
    registeredSources([{ ...definition, service, name: service }]);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((problem) => problem.replace(`config.sources.${service}.`, 'options.'));
  }
}
