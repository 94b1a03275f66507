import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { JWK } from 'jose';
import type { Checker } from '../config/config-checker.ts';

/** HS algorithms and the fewest secret bytes each needs (the hash's output size, RFC 7518 3.2). */
export const secretBytes: Readonly<Record<string, number>> = { HS256: 32, HS384: 48, HS512: 64 };

/** Signature algorithms verified with a public key. */
export const asymmetricAlgorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

const keyTypes: Record<string, { type: string; algorithms: string[] }> = {
  rsa: { type: 'RSA', algorithms: asymmetricAlgorithms.slice(0, 6) },
  'rsa-pss': { type: 'RSA-PSS', algorithms: asymmetricAlgorithms.slice(3, 6) },
  'ec:prime256v1': { type: 'EC P-256', algorithms: ['ES256'] },
  'ec:secp384r1': { type: 'EC P-384', algorithms: ['ES384'] },
  'ec:secp521r1': { type: 'EC P-521', algorithms: ['ES512'] },
  ed25519: { type: 'Ed25519', algorithms: ['EdDSA', 'Ed25519'] },
};

const reasons: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'a folder, not a file' };

/** A public key read from a file, with the algorithms its type can verify. */
export interface PublicKeyFound {
  /** The text jose's importSPKI takes, or the JWK importJWK takes. */
  material: { spki: string } | { jwk: JWK };
  /** `RSA`, `EC P-256`, `Ed25519`... */
  type: string;
  algorithms: string[];
  /** A JWK's own `kid`. */
  kid?: string;
}

/**
 * Reads the public keys of a PEM (SPKI) file, or a JWK or JWKS JSON file, checking that each is a
 * public key Node can load. A private or secret key, an unreadable or unparsable file is a
 * problem under `key` (the config key of the file name).
 */
export function readPublicKeys(key: string, file: string, baseDir: string, check: Checker): PublicKeyFound[] {
  const expected = 'a PEM public key ("-----BEGIN PUBLIC KEY-----") or a JWK or JWKS JSON file of public keys';
  const absolute = path.resolve(baseDir, file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    check.fail(key, 'a readable key file', file, ` (${reasons[code] ?? code}: ${absolute})`);
    return [];
  }
  try {
    if (text.trimStart().startsWith('{')) {
      const json = JSON.parse(text) as JWK & { keys?: JWK[] };
      const jwks = Array.isArray(json.keys) ? json.keys : [json];
      if (jwks.length > 0 && jwks.every((jwk) => jwk.kty !== 'oct' && jwk.d === undefined)) {
        return jwks.map((jwk) => ({
          material: { jwk },
          ...describe(createPublicKey({ key: jwk as never, format: 'jwk' })),
          ...(jwk.kid ? { kid: jwk.kid } : {}),
        }));
      }
      check.fail(key, expected, file, ' (a private or secret key)');
    } else if (text.includes('-----BEGIN PUBLIC KEY-----')) {
      return [{ material: { spki: text }, ...describe(createPublicKey(text)) }];
    } else {
      check.fail(key, expected, file, text.includes('PRIVATE KEY') ? ' (a private key)' : '');
    }
  } catch {
    check.fail(key, expected, file, ` (a key in ${absolute} does not parse)`);
  }
  return [];
}

function describe(keyObject: KeyObject): { type: string; algorithms: string[] } {
  const type = keyObject.asymmetricKeyType ?? 'unknown';
  const known = keyTypes[type === 'ec' ? `ec:${keyObject.asymmetricKeyDetails?.namedCurve ?? ''}` : type];
  return known ?? { type, algorithms: [] };
}
