import path from 'node:path';
import { isPlainObject, type Checker } from '../config/config-checker.ts';
import type { FeatureContext } from '../config/feature-options.ts';
import { PemFileError, isKeyOf, readCertificates, readPrivateKey } from './read-pem.ts';

/**
 * HTTPS for clients. With it, `port` is the HTTPS port; plain HTTP is only served by the optional
 * `http` listener.
 * @example { cert: 'certs/gateway.pem', key: 'certs/gateway-key.pem', http: { port: 80, mode: 'redirect' } }
 */
export interface TlsConfig {
  /** The server certificate, and any intermediates after it: a PEM file, relative to the config file. */
  cert: string;
  /** The certificate's private key: an unencrypted PEM file, relative to the config file. */
  key: string;
  /**
   * CA certificates (PEM file) the server completes its chain from, when `cert` holds only the leaf.
   * @default none: the chain sent is `cert` as it is
   */
  ca?: string;
  /**
   * Watch `cert`, `key` and `ca` and serve a changed pair to new connections without a restart;
   * open connections keep theirs. A pair that does not match or parse is logged and ignored.
   * @default true
   */
  reload?: boolean;
  /**
   * A plain-HTTP listener beside HTTPS (`/healthz` and `/readyz` answer on it in every mode).
   * @default none: no plain-HTTP listener
   */
  http?: PlainHttpConfig;
  /**
   * `Strict-Transport-Security` on every HTTPS response (never on plain HTTP); `false` sends none.
   * @default { maxAge: 15552000, includeSubDomains: true, preload: false }
   */
  hsts?: false | HstsConfig;
}

/** The plain-HTTP listener. */
export interface PlainHttpConfig {
  /** TCP port (0 picks a free one). */
  port: number;
  /**
   * `'redirect'`: 308 to the same URL over HTTPS; `'refuse'`: 403 `FORBIDDEN` naming the HTTPS URL;
   * `'allow'`: served as over HTTPS (without HSTS).
   * @default 'redirect'
   */
  mode?: 'redirect' | 'refuse' | 'allow';
}

/** The `Strict-Transport-Security` header. */
export interface HstsConfig {
  /**
   * How long browsers remember to use HTTPS only, in seconds: 0 (forget the rule) to 157680000 (five years).
   * @default 15552000 (180 days)
   */
  maxAge?: number;
  /**
   * The rule covers every subdomain too.
   * @default true
   */
  includeSubDomains?: boolean;
  /**
   * Ask for inclusion in browsers' preload list: needs `includeSubDomains` and a `maxAge` of at least a year.
   * @default false
   */
  preload?: boolean;
}

/** TLS (or mTLS) towards one upstream source; its `url` must be `https://`. */
export interface UpstreamTlsConfig {
  /**
   * CA certificates (PEM file) to trust for this service, instead of the system's roots.
   * @default the system's trusted roots
   */
  ca?: string;
  /**
   * Client certificate (PEM file) for mutual TLS; needs `key`.
   * @default none: no client certificate
   */
  cert?: string;
  /**
   * The client certificate's unencrypted PEM private key; needs `cert`.
   * @default none
   */
  key?: string;
  /**
   * Name sent in SNI and checked against the service's certificate.
   * @default the url's host name
   */
  servername?: string;
  /**
   * Refuse a service certificate that does not verify. `false` is for local experiments only.
   * @default true
   */
  rejectUnauthorized?: boolean;
}

/** HTTPS settings with files read and defaults filled in. */
export interface NormalizedTls {
  /** PEM text of the certificate chain, its key and the extra CAs. */
  cert: string;
  key: string;
  ca?: string;
  /** Absolute paths of the files, watched when `reload` is on. */
  files: { cert: string; key: string; ca?: string };
  reload: boolean;
  http?: { port: number; mode: 'redirect' | 'refuse' | 'allow' };
  hsts: false | Required<HstsConfig>;
}

/** Upstream TLS with files read: exactly undici's `connect` TLS options. */
export interface NormalizedUpstreamTls {
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
  rejectUnauthorized: boolean;
}

const oneYear = 31_536_000;

/** Checks `tls`: reads the PEM files now, and checks that the key belongs to the certificate. */
export function normalizeTlsOptions(raw: unknown, { check, baseDir }: FeatureContext): NormalizedTls | undefined {
  if (raw === undefined) return undefined;
  if (!isPlainObject(raw)) {
    check.fail('config.tls', 'an object with cert and key', raw);
    return undefined;
  }
  check.knownKeys('config.tls', raw, ['cert', 'key', 'ca', 'reload', 'http', 'hsts']);
  const cert = readPemOption(check, baseDir, 'config.tls.cert', raw['cert'], readCertificates, true);
  const key = readPemOption(check, baseDir, 'config.tls.key', raw['key'], readPrivateKey, true);
  const ca = readPemOption(check, baseDir, 'config.tls.ca', raw['ca'], readCertificates, false);
  if (cert && key && !isKeyOf(cert.pem, key.pem))
    check.fail('config.tls.key', `the private key of the certificate in ${JSON.stringify(raw['cert'])}`, raw['key']);
  return {
    cert: cert?.pem ?? '',
    key: key?.pem ?? '',
    ...(ca ? { ca: ca.pem } : {}),
    files: { cert: cert?.file ?? '', key: key?.file ?? '', ...(ca ? { ca: ca.file } : {}) },
    reload: check.boolean('config.tls.reload', raw['reload'] ?? true),
    ...(raw['http'] === undefined ? {} : { http: normalizePlainHttp(raw['http'], check) }),
    hsts: normalizeHsts(raw['hsts'], check),
  };
}

/**
 * Checks a source's `tls`. `url` is the source's raw url: a service reached with `tls` must be
 * `https://`, or undici would silently ignore the options.
 */
export function normalizeUpstreamTlsOptions(raw: unknown, key: string, { check, baseDir }: FeatureContext, url?: unknown): NormalizedUpstreamTls | undefined {
  if (raw === undefined) return undefined;
  if (!isPlainObject(raw)) {
    check.fail(key, 'an object', raw);
    return undefined;
  }
  check.knownKeys(key, raw, ['ca', 'cert', 'key', 'servername', 'rejectUnauthorized']);
  if (typeof url === 'string' && !url.startsWith('https://')) check.fail(key.replace(/\.tls$/, '.url'), 'an https:// URL, since tls is set', url);
  const ca = readPemOption(check, baseDir, `${key}.ca`, raw['ca'], readCertificates, false);
  const cert = readPemOption(check, baseDir, `${key}.cert`, raw['cert'], readCertificates, false);
  const privateKey = readPemOption(check, baseDir, `${key}.key`, raw['key'], readPrivateKey, false);
  if ((raw['cert'] === undefined) !== (raw['key'] === undefined)) {
    const [missing, present] = raw['cert'] === undefined ? ['cert', 'key'] : ['key', 'cert'];
    check.fail(`${key}.${missing}`, `a PEM file to go with ${present} for mutual TLS`, undefined);
  } else if (cert && privateKey && !isKeyOf(cert.pem, privateKey.pem)) {
    check.fail(`${key}.key`, `the private key of the certificate in ${JSON.stringify(raw['cert'])}`, raw['key']);
  }
  return {
    ...(ca ? { ca: ca.pem } : {}),
    ...(cert ? { cert: cert.pem } : {}),
    ...(privateKey ? { key: privateKey.pem } : {}),
    ...(raw['servername'] === undefined ? {} : { servername: check.string(`${key}.servername`, raw['servername']) }),
    rejectUnauthorized: check.boolean(`${key}.rejectUnauthorized`, raw['rejectUnauthorized'] ?? true),
  };
}

function readPemOption(
  check: Checker,
  baseDir: string,
  key: string,
  value: unknown,
  read: (file: string) => string,
  required: boolean,
): { pem: string; file: string } | undefined {
  if (value === undefined && !required) return undefined;
  const name = check.string(key, value);
  if (!name) return undefined;
  const file = path.resolve(baseDir, name);
  try {
    return { pem: read(file), file };
  } catch (error) {
    if (!(error instanceof PemFileError)) throw error;
    check.problem(error.describe(key, name));
    return undefined;
  }
}

function normalizePlainHttp(raw: unknown, check: Checker): NonNullable<NormalizedTls['http']> {
  if (!isPlainObject(raw)) {
    check.fail('config.tls.http', 'an object with port and mode', raw);
    return { port: 0, mode: 'redirect' };
  }
  check.knownKeys('config.tls.http', raw, ['port', 'mode']);
  return {
    port: check.integer('config.tls.http.port', raw['port'], 0, 65535),
    mode: check.oneOf('config.tls.http.mode', raw['mode'] ?? 'redirect', ['redirect', 'refuse', 'allow'] as const),
  };
}

function normalizeHsts(raw: unknown, check: Checker): NormalizedTls['hsts'] {
  if (raw === false) return false;
  if (raw !== undefined && !isPlainObject(raw)) check.fail('config.tls.hsts', 'false or an object', raw);
  const hsts = isPlainObject(raw) ? raw : {};
  check.knownKeys('config.tls.hsts', hsts, ['maxAge', 'includeSubDomains', 'preload']);
  const normalized = {
    maxAge: check.integer('config.tls.hsts.maxAge', hsts['maxAge'] ?? 15_552_000, 0, 5 * oneYear),
    includeSubDomains: check.boolean('config.tls.hsts.includeSubDomains', hsts['includeSubDomains'] ?? true),
    preload: check.boolean('config.tls.hsts.preload', hsts['preload'] ?? false),
  };
  if (normalized.preload && (normalized.maxAge < oneYear || !normalized.includeSubDomains)) {
    check.problem(
      `config.tls.hsts.preload: expected maxAge of at least ${oneYear} (a year) and includeSubDomains: true, as the preload list requires, got maxAge ${normalized.maxAge} and includeSubDomains ${normalized.includeSubDomains}`,
    );
  }
  return normalized;
}
