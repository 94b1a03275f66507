import { importJWK, importPKCS8, type CryptoKey } from 'jose';

/** The gateway's identity-signing key from PEM (PKCS#8) or JWK text, or an HS256 secret. */
export async function importSigningKey(material: string, algorithm: string): Promise<CryptoKey | Uint8Array> {
  if (algorithm === 'HS256') return new TextEncoder().encode(material);
  const text = material.trim();
  if (text.startsWith('{')) return (await importJWK(JSON.parse(text) as Parameters<typeof importJWK>[0], algorithm)) as CryptoKey | Uint8Array;
  return importPKCS8(text, algorithm);
}
