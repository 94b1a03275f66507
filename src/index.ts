/**
 * The package's public API: what a config file imports (`defineConfig` and the config's types) and
 * what embeds the gateway in another program (`loadConfig`/`normalizeConfig`, then `startGateway`).
 */
export { defineConfig } from './config/define-config.ts';
export type {
  FederationSourceConfig,
  GatewayConfig,
  GraphiQLConfig,
  GraphQLSourceConfig,
  RestSourceConfig,
  SourceConfig,
  SupergraphConfig,
} from './config/define-config.ts';
export { ConfigError } from './config/config-error.ts';
export { loadConfig, type LoadConfigOptions } from './config/load-config.ts';
export { normalizeConfig, type NormalizedConfig } from './config/normalize-config.ts';
export { startGateway, type RunningGateway } from './server/start-gateway.ts';
export { createApiKey } from './auth/api-keys.ts';
export type { Consumer } from './auth/consumer.ts';
export type { AuthorizationPolicy, FieldOccurrence, ObjectPolicy, PolicyFunction, PolicyInput } from './security/authorization-config.ts';
export { errorCodes, type ErrorCode } from './errors.ts';
