import { LRUCache } from 'lru-cache';
import type { VerifiedJwt } from './create-jwt-verifier.ts';

/**
 * Tokens already verified, so that a caller's next request with the same token skips the signature
 * check (an ECDSA or RSA verification costs more than the rest of authentication; Envoy's
 * `jwt_authn` keeps the same kind of cache). Only successful verifications are kept, by the whole
 * token, and a hit is re-checked against the token's `exp` (with the clock tolerance) on every use:
 * a cached token is never accepted past its expiry. The least recently used tokens go first.
 */
export class VerifiedTokenCache {
  readonly #entries: LRUCache<string, VerifiedJwt> | undefined;
  readonly #clockTolerance: number;

  /** `size` 0 turns the cache off. `clockTolerance` in seconds, as the verifier applies it. */
  constructor(size: number, clockTolerance: number) {
    this.#entries = size > 0 ? new LRUCache({ max: size }) : undefined;
    this.#clockTolerance = clockTolerance;
  }

  /** The verified token, unless unknown or expired at `nowMs` (an expired one is forgotten). */
  get(token: string, nowMs: number): VerifiedJwt | undefined {
    const jwt = this.#entries?.get(token);
    if (!jwt) return undefined;
    if (!this.#current(jwt, nowMs)) {
      this.#entries?.delete(token);
      return undefined;
    }
    return jwt;
  }

  /** Keeps a token that just passed verification. */
  set(token: string, jwt: VerifiedJwt): void {
    this.#entries?.set(token, jwt);
  }

  #current({ claims }: VerifiedJwt, nowMs: number): boolean {
    const now = nowMs / 1000;
    if (typeof claims.exp !== 'number' || now - this.#clockTolerance >= claims.exp) return false;
    return typeof claims.nbf !== 'number' || now + this.#clockTolerance >= claims.nbf;
  }
}
