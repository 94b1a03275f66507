import { ConfigError } from './config-error.ts';

const placeholder = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string of `value` with the environment's
 * values. A variable that is unset and has no default is a config error naming the key.
 */
export function interpolateEnv<T>(value: T, env: NodeJS.ProcessEnv, path = 'config'): T {
  if (typeof value === 'string') {
    return value.replace(placeholder, (_match, name: string, fallback: string | undefined) => {
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      throw new ConfigError([`${path}: environment variable ${name} is not set and "${value}" gives no default (write \${${name}:-default})`]);
    }) as T;
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolateEnv(item, env, `${path}[${index}]`)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateEnv(item, env, `${path}.${key}`)])) as T;
  }
  return value;
}
