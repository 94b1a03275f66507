import {
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  importJWK,
  importSPKI,
  jwtVerify,
  type CryptoKey,
  type JSONWebKeySet,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose';
import { request } from 'undici';
import { systemClock, type Clock } from '../clock.ts';
import type { MaybePromise } from '../maybe-promise.ts';
import { readBoundedText } from '../transport/read-bounded-text.ts';
import type { NormalizedJwt, NormalizedJwtKey } from './authentication-config.ts';
import { VerifiedTokenCache } from './verified-token-cache.ts';

/** What a valid token says about its bearer. */
export interface VerifiedJwt {
  /** The `sub` claim. */
  subject: string;
  /** The scopes of the configured scopes claim. */
  scopes: string[];
  claims: JWTPayload;
}

/** A verified token, or why it was refused, in words safe to send to the client (the token is never echoed). */
export type JwtVerification = { ok: true; jwt: VerifiedJwt } | { ok: false; message: string };

/** Verifies bearer tokens against the configured keys. */
export interface JwtVerifier {
  /** Synchronous for a token already verified and still current (the cache's hit); else a promise. */
  verify(token: string): MaybePromise<JwtVerification>;
}

const messages = {
  malformed: 'The token is malformed: expected a signed JWT (header.payload.signature).',
  expired: 'The token has expired.',
  notYetValid: 'The token is not valid yet (nbf).',
  audience: "The token's audience (aud) is not accepted.",
  issuer: "The token's issuer (iss) is not accepted.",
  signature: "The token's signature is invalid.",
  unknownKey: "The token's signing key (kid) is not known.",
  jwksUnavailable: 'The signing keys (JWKS) could not be fetched; try again later.',
  unverifiable: 'The token could not be verified.',
};

const claimNames: Record<string, string> = { exp: 'expiry', sub: 'subject', iss: 'issuer', aud: 'audience' };

/** Thrown when the JWKS endpoint fails, times out or was tried too recently: the verifier fails closed. */
class JwksUnavailable extends Error {}

/** Options of {@link createJwtVerifier} that are not configuration. */
export interface JwtVerifierOptions {
  /** The time of `exp`, `nbf`, the verified-token cache and the JWKS refresh interval. @default systemClock */
  clock?: Clock;
}

/**
 * Verifies JWTs: the header's `alg` must be allowed by a key source (so `none`, and an HS
 * algorithm aimed at a public key, are refused before any key is used); local keys whose `kid`
 * fits are tried first, then the JWKS; then signature, `exp`, `nbf`, `iss`, `aud` and `sub`.
 * Tokens that pass are kept in a {@link VerifiedTokenCache} (`cacheSize`), still checked for expiry on each use.
 */
export function createJwtVerifier(options: NormalizedJwt, { clock = systemClock }: JwtVerifierOptions = {}): JwtVerifier {
  const cache = new VerifiedTokenCache(options.cacheSize, options.clockTolerance);
  const remote = options.jwks && createRemoteKeys(options.jwks, clock);
  const allowed = new Set([...options.keys.flatMap((key) => key.algorithms), ...(options.jwks?.algorithms ?? [])]);
  const imported = new Map<string, Promise<CryptoKey | Uint8Array>>();
  const importKey = (key: NormalizedJwtKey, index: number, alg: string) => {
    const id = `${index}:${alg}`;
    if (!imported.has(id)) imported.set(id, importMaterial(key.material, alg));
    return imported.get(id) as Promise<CryptoKey | Uint8Array>;
  };

  async function* candidates(header: ProtectedHeaderParameters, alg: string) {
    for (const [index, key] of options.keys.entries()) {
      if (key.algorithms.includes(alg) && (key.kid === undefined || header.kid === undefined || key.kid === header.kid)) yield importKey(key, index, alg);
    }
    if (!remote || !options.jwks?.algorithms.includes(alg)) return;
    try {
      yield await remote(header);
    } catch (error) {
      if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
      for await (const key of error) yield key;
    }
  }

  return {
    verify(token) {
      const known = cache.get(token, clock.now());
      return known ? { ok: true, jwt: known } : verifyAnew(token);
    },
  };

  async function verifyAnew(token: string): Promise<JwtVerification> {
    let header: ProtectedHeaderParameters;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      return { ok: false, message: messages.malformed };
    }
    const { alg } = header;
    if (typeof alg !== 'string' || !allowed.has(alg)) return { ok: false, message: algorithmRefused(alg) };
    let message = messages.unknownKey;
    try {
      for await (const key of candidates(header, alg)) {
        try {
          const { payload } = await jwtVerify(token, await key, {
            algorithms: [alg],
            requiredClaims: ['exp', 'sub'],
            clockTolerance: options.clockTolerance,
            currentDate: new Date(clock.now()),
            ...(options.issuer ? { issuer: options.issuer } : {}),
            ...(options.audience ? { audience: options.audience } : {}),
          });
          const result = verified(payload, options.scopesClaim);
          if (result.ok) cache.set(token, result.jwt);
          return result;
        } catch (error) {
          message = describe(error);
          if (!(error instanceof errors.JWSSignatureVerificationFailed)) break;
        }
      }
    } catch (error) {
      message = describe(error);
    }
    return { ok: false, message };
  }
}

/**
 * The JWKS, kept without expiry so that known keys keep working while the endpoint is down. An
 * unknown `kid` refetches it only once `refreshInterval` has passed since the last successful
 * fetch, and never sooner than `refreshInterval` after the last attempt, failed ones included; so
 * neither a flood of tokens with made-up `kid`s nor an endpoint that is down makes the gateway
 * call it more than once per interval, and concurrent tokens share one fetch. Until a first fetch
 * succeeds there are no keys, and every token is refused. (jose's `createRemoteJWKSet` does the
 * same but reads `Date.now()` itself; this one reads `clock`.)
 */
function createRemoteKeys(jwks: NonNullable<NormalizedJwt['jwks']>, clock: Clock) {
  const interval = jwks.refreshInterval * 1000;
  let keys: ReturnType<typeof createLocalJWKSet> | undefined;
  let fetchedAt = -Infinity;
  let triedAt = -Infinity;
  let pending: Promise<void> | undefined;
  const load = async () => {
    // undici's request follows no redirect: a 3xx is a failed fetch, like any status but 200.
    const response = await request(jwks.url, {
      headers: { accept: 'application/json, application/jwk-set+json' },
      signal: AbortSignal.timeout(jwks.timeout),
    });
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new Error(`the JWKS endpoint answered ${response.statusCode}`);
    }
    const text = await readBoundedText(response, maxKeySetBytes);
    if (text === undefined) throw new Error(`the JWKS endpoint answered over the limit of ${maxKeySetBytes} bytes`);
    keys = createLocalJWKSet(JSON.parse(text) as JSONWebKeySet);
    fetchedAt = clock.now();
  };
  const refresh = (): Promise<void> => {
    if (pending) return pending;
    if (clock.now() - triedAt < interval) return Promise.reject(new JwksUnavailable('fetched less than refreshInterval ago'));
    triedAt = clock.now();
    pending = load().finally(() => (pending = undefined));
    return pending;
  };
  const resolve = async (header: ProtectedHeaderParameters) => {
    if (!keys) await refresh();
    try {
      return await (keys as NonNullable<typeof keys>)(header);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || clock.now() - fetchedAt < interval) throw error;
      await refresh();
      return (keys as NonNullable<typeof keys>)(header);
    }
  };
  return async (header: ProtectedHeaderParameters) => {
    try {
      return await resolve(header);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys || error instanceof JwksUnavailable) throw error;
      throw new JwksUnavailable('JWKS unavailable', { cause: error });
    }
  };
}

/** Most bytes of a JWKS read: key sets are a few kilobytes; a larger answer is refused as it arrives, never buffered whole. */
const maxKeySetBytes = 1_048_576;

function importMaterial(material: NormalizedJwtKey['material'], alg: string): Promise<CryptoKey | Uint8Array> {
  if ('secret' in material) return Promise.resolve(material.secret);
  return 'spki' in material ? importSPKI(material.spki, alg) : (importJWK(material.jwk, alg) as Promise<CryptoKey>);
}

function verified(claims: JWTPayload, scopesClaim: string): JwtVerification {
  if (typeof claims.sub !== 'string' || claims.sub === '') return { ok: false, message: 'The token has no subject claim (sub).' };
  const raw = claims[scopesClaim] ?? (scopesClaim === 'scope' ? claims['scp'] : undefined);
  const scopes =
    typeof raw === 'string' ? raw.split(/\s+/).filter(Boolean) : Array.isArray(raw) ? raw.filter((scope): scope is string => typeof scope === 'string') : [];
  return { ok: true, jwt: { subject: claims.sub, scopes, claims } };
}

function algorithmRefused(alg: unknown): string {
  const named = typeof alg === 'string' && /^[A-Za-z0-9+_-]{1,16}$/.test(alg) ? ` "${alg}"` : '';
  return `The token's algorithm${named} is not allowed.`;
}

function describe(error: unknown): string {
  if (error instanceof JwksUnavailable) return messages.jwksUnavailable;
  if (error instanceof errors.JWTExpired) return messages.expired;
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return `The token has no ${claimNames[error.claim] ?? 'required'} claim (${error.claim}).`;
    if (error.claim === 'nbf') return messages.notYetValid;
    if (error.claim === 'aud') return messages.audience;
    if (error.claim === 'iss') return messages.issuer;
    return `The token's ${error.claim} claim is invalid.`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return messages.signature;
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) return messages.unknownKey;
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return messages.malformed;
  return messages.unverifiable;
}
