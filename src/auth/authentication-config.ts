import type { BlockList } from 'node:net';
import type { JWK } from 'jose';
import { isPlainObject, type Checker } from '../config/config-checker.ts';
import type { FeatureContext } from '../config/feature-options.ts';
import { hasRules, parseAddressRanges } from '../security/address-ranges.ts';
import { parseOrigins } from '../security/origins.ts';
import { asymmetricAlgorithms as asymmetric, readPublicKeys, secretBytes } from './jwt-keys.ts';

/** How callers prove who they are. Without it (and without `consumers`) every caller is anonymous. */
export interface AuthenticationConfig {
  /** Bearer JWTs (`Authorization: Bearer <token>`, or a cookie). Without it the Authorization header is not read. */
  jwt?: JwtConfig;
  /** API keys of the declared `consumers`. On by default once a consumer is declared. */
  apiKeys?: {
    /**
     * Request header carrying the key.
     * @default 'x-api-key'
     */
    header?: string;
  };
  /**
   * Refuse anonymous requests with 401 `UNAUTHENTICATED`. When `false`, anonymous requests go on
   * and only fields that need a consumer fail.
   * @default false
   */
  required?: boolean;
}

/** Where JWT signing keys come from and which claims a token must carry. Signature, `exp` and `sub` are always required. */
export interface JwtConfig {
  /** An identity provider's JSON Web Key Set, fetched on the first token and kept. */
  jwks?: {
    /** @example 'https://idp.example.com/.well-known/jwks.json' */
    url: string;
    /**
     * Algorithms accepted for tokens verified with these keys: asymmetric only (RS*, PS*, ES*, EdDSA).
     * @example ['RS256']
     */
    algorithms: string[];
    /**
     * Seconds between refetches when a token names an unknown `kid` (a key rotation), and after a
     * failed fetch. Known keys stay in use while the endpoint is down.
     * @default 30
     */
    refreshInterval?: number;
    /**
     * Milliseconds one fetch may take.
     * @default 5000
     */
    timeout?: number;
  };
  /** Local keys: each a public key file or a shared secret, with the algorithms it may verify. */
  keys?: JwtKeyConfig[];
  /** Accepted `iss` values; unchecked when unset. */
  issuer?: string | string[];
  /** Accepted `aud` values (one must match); unchecked when unset. */
  audience?: string | string[];
  /**
   * Seconds of clock skew allowed on `exp` and `nbf`.
   * @default 30
   */
  clockTolerance?: number;
  /** A cookie to read the token from when there is no `Authorization: Bearer` header. */
  cookie?: string;
  /**
   * The claim holding the token's scopes: a space-separated string or a list. With the default,
   * `scp` is read when `scope` is absent.
   * @default 'scope'
   */
  scopesClaim?: string;
  /**
   * How many verified tokens to remember (least recently used first out), so that a token's next
   * request skips the signature check; each use still checks `exp`. 0 verifies every request.
   * @default 10000
   */
  cacheSize?: number;
}

/** One local JWT key: exactly one of `file` and `secret`. */
export interface JwtKeyConfig {
  /** A PEM public key (`-----BEGIN PUBLIC KEY-----`), or a JWK or JWKS JSON file of public keys, relative to the config file. */
  file?: string;
  /** A shared secret for HS256/384/512, at least as many bytes as the hash (32, 48, 64); use `${ENV}`. */
  secret?: string;
  /** The `kid` of tokens this key verifies; a key without one is tried for every token. A JWK's own `kid` wins. */
  kid?: string;
  /**
   * Algorithms accepted with this key. They must fit the key: RS*, PS* for RSA, ES256/384/512 for
   * EC P-256/384/521, EdDSA for Ed25519, HS* for a secret. `none` never is.
   * @example ['RS256']
   */
  algorithms: string[];
}

/** A declared consumer: an application holding an API key. */
export interface ConsumerConfig {
  /** Hex SHA-256 of the API key (64 hex digits); `concierge keys create <name>` prints a key and its hash. */
  keyHash: string;
  /**
   * Scopes the consumer is granted. With a JWT as well, the consumer gets the scopes both grant.
   * @default []
   */
  scopes?: string[];
  /** The consumer's plan, for rate limits. */
  plan?: string;
  /** Addresses or CIDR ranges the key may be used from; anywhere when unset. */
  ipAllow?: string[];
  /** Browser origins the key may be used from; any the gateway allows when unset. */
  origins?: string[];
  /**
   * May introspect the schema where introspection is otherwise off.
   * @default false
   */
  introspection?: boolean;
  /** May send documents that are not trusted (persisted); unset follows the global setting. */
  arbitraryDocuments?: boolean;
  /**
   * A revoked key: requests with it get 401 `UNAUTHENTICATED` saying so.
   * @default false
   */
  disabled?: boolean;
}

/** A local JWT key, read and checked: a PEM or JWK public key, or secret bytes. */
export interface NormalizedJwtKey {
  kid?: string;
  /** The configured algorithms this key can verify. */
  algorithms: string[];
  material: { spki: string } | { jwk: JWK } | { secret: Uint8Array };
}

/** JWT settings with defaults filled in and key files read. */
export interface NormalizedJwt {
  jwks?: { url: string; algorithms: string[]; refreshInterval: number; timeout: number };
  keys: NormalizedJwtKey[];
  issuer?: string[];
  audience?: string[];
  clockTolerance: number;
  cookie?: string;
  scopesClaim: string;
  cacheSize: number;
}

/** A declared consumer, checked. */
export interface NormalizedConsumer {
  name: string;
  /** Lower-case hex SHA-256 of the key. */
  keyHash: string;
  scopes: string[];
  plan?: string;
  ipAllow?: BlockList;
  origins?: string[];
  introspection: boolean;
  arbitraryDocuments?: boolean;
  disabled: boolean;
}

/** Authentication with defaults filled in. `jwt` and `apiKeys` are absent when not in use. */
export interface NormalizedAuthentication {
  jwt?: NormalizedJwt;
  apiKeys?: { header: string; consumers: NormalizedConsumer[] };
  required: boolean;
}

const known = [...Object.keys(secretBytes), ...asymmetric];
const confusion = ' (HS algorithms verify with a shared secret: accepting one with a public key would let anyone holding that key sign tokens)';
const consumerName = /^[A-Za-z][A-Za-z0-9_-]*$/;
const token = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** Checks `authentication` and `consumers`, reading key files (parsed into keys by the verifier). */
export function normalizeAuthenticationOptions(authentication: unknown, consumers: unknown, { check, baseDir }: FeatureContext): NormalizedAuthentication {
  if (authentication !== undefined && !isPlainObject(authentication)) check.fail('config.authentication', 'an object', authentication);
  const raw = isPlainObject(authentication) ? authentication : {};
  check.knownKeys('config.authentication', raw, ['jwt', 'apiKeys', 'required']);
  const apiKeys = raw['apiKeys'] === undefined ? {} : raw['apiKeys'];
  if (!isPlainObject(apiKeys)) check.fail('config.authentication.apiKeys', 'an object', apiKeys);
  else check.knownKeys('config.authentication.apiKeys', apiKeys, ['header']);
  const header = isPlainObject(apiKeys)
    ? headerName('config.authentication.apiKeys.header', apiKeys['header'] ?? 'x-api-key', check).toLowerCase()
    : 'x-api-key';
  const jwt = raw['jwt'] === undefined ? undefined : normalizeJwt(raw['jwt'], check, baseDir);
  const required = check.boolean('config.authentication.required', raw['required'] ?? false);
  const declared = normalizeConsumers(consumers, check);
  return {
    ...(jwt ? { jwt } : {}),
    ...(raw['apiKeys'] !== undefined || declared.length > 0 ? { apiKeys: { header, consumers: declared } } : {}),
    required,
  };
}

function normalizeJwt(raw: unknown, check: Checker, baseDir: string): NormalizedJwt | undefined {
  const key = 'config.authentication.jwt';
  if (!isPlainObject(raw)) {
    check.fail(key, 'an object', raw);
    return undefined;
  }
  check.knownKeys(key, raw, ['jwks', 'keys', 'issuer', 'audience', 'clockTolerance', 'cookie', 'scopesClaim', 'cacheSize']);
  if (raw['jwks'] === undefined && raw['keys'] === undefined) check.problem(`${key}: expected jwks or keys (where the signing keys come from), got neither`);
  if (raw['keys'] !== undefined && !Array.isArray(raw['keys']))
    check.problem(`${key}.keys: expected a list of keys, got a ${typeof raw['keys']} (not shown: it may hold a secret)`);
  const keys: unknown[] = Array.isArray(raw['keys']) ? raw['keys'] : [];
  const jwks = raw['jwks'] === undefined ? undefined : normalizeJwks(raw['jwks'], check);
  const list = (name: string) =>
    raw[name] === undefined ? undefined : check.stringList(`${key}.${name}`, typeof raw[name] === 'string' ? [raw[name]] : raw[name]);
  const issuer = list('issuer');
  const audience = list('audience');
  return {
    ...(jwks ? { jwks } : {}),
    keys: keys.flatMap((entry, index) => normalizeKey(entry, `${key}.keys[${index}]`, check, baseDir)),
    ...(issuer ? { issuer } : {}),
    ...(audience ? { audience } : {}),
    clockTolerance: check.integer(`${key}.clockTolerance`, raw['clockTolerance'] ?? 30, 0, 3600),
    ...(raw['cookie'] === undefined ? {} : { cookie: headerName(`${key}.cookie`, raw['cookie'], check) }),
    scopesClaim: check.string(`${key}.scopesClaim`, raw['scopesClaim'] ?? 'scope'),
    cacheSize: check.integer(`${key}.cacheSize`, raw['cacheSize'] ?? 10_000, 0, 1_000_000),
  };
}

function normalizeJwks(raw: unknown, check: Checker): NormalizedJwt['jwks'] {
  const key = 'config.authentication.jwt.jwks';
  if (!isPlainObject(raw)) {
    check.fail(key, 'an object', raw);
    return undefined;
  }
  check.knownKeys(key, raw, ['url', 'algorithms', 'refreshInterval', 'timeout']);
  const expected = `an asymmetric algorithm for the public keys of a JWKS (${asymmetric.join(', ')})`;
  return {
    url: check.url(`${key}.url`, raw['url']),
    algorithms: algorithms(`${key}.algorithms`, raw['algorithms'], asymmetric, expected, check),
    refreshInterval: check.integer(`${key}.refreshInterval`, raw['refreshInterval'] ?? 30, 1, 86_400),
    timeout: check.integer(`${key}.timeout`, raw['timeout'] ?? 5000, 1, 60_000),
  };
}

function normalizeKey(raw: unknown, key: string, check: Checker, baseDir: string): NormalizedJwtKey[] {
  if (!isPlainObject(raw) || (raw['file'] === undefined) === (raw['secret'] === undefined)) {
    check.problem(
      `${key}: expected an object with exactly one of file and secret, got ${!isPlainObject(raw) ? `a ${typeof raw}` : raw['file'] === undefined ? 'neither' : 'both'}`,
    );
    return [];
  }
  check.knownKeys(key, raw, ['file', 'secret', 'kid', 'algorithms']);
  const kid = raw['kid'] === undefined ? undefined : check.string(`${key}.kid`, raw['kid']);
  if (raw['secret'] !== undefined) {
    const list = algorithms(
      `${key}.algorithms`,
      raw['algorithms'],
      Object.keys(secretBytes),
      'an HS algorithm (HS256, HS384, HS512) for a shared secret',
      check,
    );
    const secret = new TextEncoder().encode(typeof raw['secret'] === 'string' ? raw['secret'] : '');
    const needed = Math.max(32, ...list.map((name) => secretBytes[name] ?? 0));
    const got = typeof raw['secret'] === 'string' ? `${secret.length} bytes` : `a ${typeof raw['secret']}`;
    if (secret.length < needed) check.problem(`${key}.secret: expected a string of at least ${needed} bytes for ${list.join(', ') || 'HS256'}, got ${got}`);
    return [{ ...(kid ? { kid } : {}), algorithms: list, material: { secret } }];
  }
  const file = check.string(`${key}.file`, raw['file']);
  const keys = readPublicKeys(`${key}.file`, file, baseDir, check);
  if (keys.length === 0) return [];
  const names = [...new Set(keys.map(({ type }) => type))];
  const fitting = [...new Set(keys.flatMap((found) => found.algorithms))];
  const expected = `an algorithm for the ${names.join(' and ')} public key${keys.length > 1 ? 's' : ''} in ${file} (${fitting.join(', ') || 'none supported'})`;
  const list = algorithms(`${key}.algorithms`, raw['algorithms'], fitting, expected, check);
  return keys.flatMap(({ material, algorithms: fits, kid: ownKid }) => {
    const usable = list.filter((name) => fits.includes(name));
    return usable.length === 0 ? [] : [{ ...((ownKid ?? kid) ? { kid: ownKid ?? kid } : {}), algorithms: usable, material }];
  });
}

function algorithms(key: string, value: unknown, allowed: readonly string[], expected: string, check: Checker): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    check.fail(key, 'a list of algorithms such as ["RS256"]', value);
    return [];
  }
  return value.filter((name, index) => {
    const at = `${key}[${index}]`;
    if (name === 'none') check.fail(at, 'a signature algorithm ("none" would accept unsigned tokens and is never allowed)', name);
    else if (!known.includes(name as string)) check.fail(at, `one of ${known.join(', ')}`, name);
    else if (!allowed.includes(name as string)) check.fail(at, expected, name, secretBytes[name as string] ? confusion : '');
    else return true;
    return false;
  }) as string[];
}

function headerName(key: string, value: unknown, check: Checker): string {
  if (typeof value === 'string' && token.test(value)) return value;
  check.fail(key, "a name of letters, digits and !#$%&'*+.^_`|~-", value);
  return '';
}

function normalizeConsumers(raw: unknown, check: Checker): NormalizedConsumer[] {
  if (raw !== undefined && !isPlainObject(raw)) check.fail('config.consumers', 'an object of consumers by name', raw);
  if (!isPlainObject(raw)) return [];
  const owners = new Map<string, string>();
  return Object.entries(raw).flatMap(([name, consumer]): NormalizedConsumer[] => {
    const key = `config.consumers.${name}`;
    if (!consumerName.test(name)) check.fail(key, 'a name of letters, digits, - and _ starting with a letter', name);
    if (!isPlainObject(consumer)) {
      check.fail(key, 'an object with keyHash', consumer);
      return [];
    }
    check.knownKeys(key, consumer, ['keyHash', 'scopes', 'plan', 'ipAllow', 'origins', 'introspection', 'arbitraryDocuments', 'disabled']);
    const keyHash = typeof consumer['keyHash'] === 'string' && /^[0-9a-f]{64}$/i.test(consumer['keyHash']) ? consumer['keyHash'].toLowerCase() : '';
    if (!keyHash)
      check.fail(
        `${key}.keyHash`,
        `the hex SHA-256 of the API key (64 hex digits; "concierge keys create ${name}" prints a key and its hash)`,
        consumer['keyHash'],
      );
    else if (owners.has(keyHash))
      check.problem(`${key}.keyHash: expected a key no other consumer has, got the keyHash of config.consumers.${owners.get(keyHash)}`);
    else owners.set(keyHash, name);
    const ipAllow = parseAddressRanges(`${key}.ipAllow`, consumer['ipAllow'], check);
    return [
      {
        name,
        keyHash,
        scopes: check.stringList(`${key}.scopes`, consumer['scopes'] ?? []),
        ...(consumer['plan'] === undefined ? {} : { plan: check.string(`${key}.plan`, consumer['plan']) }),
        ...(hasRules(ipAllow) ? { ipAllow } : {}),
        ...(consumer['origins'] === undefined ? {} : { origins: parseOrigins(`${key}.origins`, consumer['origins'], check) }),
        introspection: check.boolean(`${key}.introspection`, consumer['introspection'] ?? false),
        ...(consumer['arbitraryDocuments'] === undefined
          ? {}
          : { arbitraryDocuments: check.boolean(`${key}.arbitraryDocuments`, consumer['arbitraryDocuments']) }),
        disabled: check.boolean(`${key}.disabled`, consumer['disabled'] ?? false),
      },
    ];
  });
}
