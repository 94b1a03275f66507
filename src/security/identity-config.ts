import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isPlainObject } from '../config/config-checker.ts';
import type { FeatureContext } from '../config/feature-options.ts';

/** A JWT the gateway signs for upstream services, so they can trust who the caller is. */
export interface SignedIdentityConfig {
  /**
   * Header that carries it.
   * @default 'x-concierge-identity'
   */
  header?: string;
  /**
   * Signing algorithm.
   * @default 'RS256'
   */
  algorithm?: 'RS256' | 'PS256' | 'ES256' | 'EdDSA' | 'HS256';
  /** The signing key: a PKCS#8 PEM or private JWK file (relative to the config file), or for HS256 a `secret`. */
  keyFile?: string;
  /** HS256 only: the shared secret (use `${ENV_VAR}`), at least 32 bytes. */
  secret?: string;
  /**
   * Lifetime in seconds.
   * @default 60
   */
  ttl?: number;
  /**
   * The token's `iss`. Its `aud` is the source's name.
   * @default 'concierge'
   */
  issuer?: string;
}

/** What upstream services learn about the caller. Client-sent headers of these names are always dropped. */
export interface IdentityConfig {
  /**
   * Headers set on every upstream call from the caller's verified identity: header name to a claim
   * (dotted path into the JWT claims), or `consumer` for the consumer's id, `scopes` for its scopes
   * (space-separated).
   * @example { 'x-user-id': 'sub', 'x-user-scopes': 'scopes', 'x-consumer': 'consumer' }
   */
  headers?: Record<string, string>;
  /** A short-lived gateway-signed JWT with the caller's id, scopes and plan. */
  signedToken?: SignedIdentityConfig;
  /**
   * Pass the client's own `Authorization` header on to every service. Off by default: services get
   * the identity headers above instead, and a per-source `forwardHeaders` cannot override that.
   * @default false
   */
  forwardClientToken?: boolean;
}

/** Identity forwarding, checked; key material read. */
export interface NormalizedIdentity {
  headers: Record<string, string>;
  signedToken?: { header: string; algorithm: NonNullable<SignedIdentityConfig['algorithm']>; key: string; ttl: number; issuer: string };
  forwardClientToken: boolean;
  /** Lower-case names of every header the gateway sets for identity: never taken from clients. */
  reservedHeaders: string[];
}

/** Checks `identity`. */
export function normalizeIdentityOptions(raw: unknown, { check, baseDir }: FeatureContext): NormalizedIdentity {
  if (raw !== undefined && !isPlainObject(raw)) check.fail('config.identity', 'an object', raw);
  const identity = isPlainObject(raw) ? raw : {};
  check.knownKeys('config.identity', identity, ['headers', 'signedToken', 'forwardClientToken']);
  const headers = Object.fromEntries(
    Object.entries(check.stringRecord('config.identity.headers', identity['headers'] ?? {})).map(([name, claim]) => [name.toLowerCase(), claim]),
  );
  const normalized: NormalizedIdentity = {
    headers,
    forwardClientToken: check.boolean('config.identity.forwardClientToken', identity['forwardClientToken'] ?? false),
    reservedHeaders: Object.keys(headers),
  };
  const signed = identity['signedToken'];
  if (signed === undefined) return normalized;
  if (!isPlainObject(signed)) {
    check.fail('config.identity.signedToken', 'an object', signed);
    return normalized;
  }
  const key = 'config.identity.signedToken';
  check.knownKeys(key, signed, ['header', 'algorithm', 'keyFile', 'secret', 'ttl', 'issuer']);
  const algorithm = check.oneOf(`${key}.algorithm`, signed['algorithm'] ?? 'RS256', ['RS256', 'PS256', 'ES256', 'EdDSA', 'HS256'] as const);
  let material = '';
  if (algorithm === 'HS256') {
    material = check.string(`${key}.secret`, signed['secret']);
    if (material && Buffer.byteLength(material) < 32) check.fail(`${key}.secret`, 'a secret of at least 32 bytes', `${Buffer.byteLength(material)} bytes`);
  } else {
    const file = check.string(`${key}.keyFile`, signed['keyFile']);
    if (file) {
      try {
        material = readFileSync(path.resolve(baseDir, file), 'utf8');
      } catch {
        check.fail(`${key}.keyFile`, 'a readable PKCS#8 PEM or JWK file', file);
      }
    }
  }
  const header = check.string(`${key}.header`, signed['header'] ?? 'x-concierge-identity').toLowerCase();
  normalized.signedToken = {
    header,
    algorithm,
    key: material,
    ttl: check.integer(`${key}.ttl`, signed['ttl'] ?? 60, 1, 3600),
    issuer: check.string(`${key}.issuer`, signed['issuer'] ?? 'concierge'),
  };
  normalized.reservedHeaders.push(header);
  return normalized;
}
