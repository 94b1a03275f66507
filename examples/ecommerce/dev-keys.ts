import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SignJWT, exportPKCS8, exportSPKI, generateKeyPair, importPKCS8 } from 'jose';

/** Where the example shop keeps its development signing key: never committed (.gitignore). */
export const devKeyDir = fileURLToPath(new URL('../../.concierge/', import.meta.url));
const privateFile = `${devKeyDir}dev-jwt-private.pem`;
const publicFile = `${devKeyDir}dev-jwt-public.pem`;

/** Issuer and audience of development tokens; gateway.config.ts checks both. */
export const devIssuer = 'concierge-dev';
export const devAudience = 'concierge-example-shop';

/** Creates the development ES256 key pair on first use; later calls reuse it. */
export async function ensureDevKeys(): Promise<{ publicKeyFile: string }> {
  if (!existsSync(privateFile) || !existsSync(publicFile)) {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    mkdirSync(devKeyDir, { recursive: true });
    writeFileSync(privateFile, await exportPKCS8(privateKey), { mode: 0o600 });
    writeFileSync(publicFile, await exportSPKI(publicKey));
  }
  return { publicKeyFile: publicFile };
}

/** Options of {@link mintDevToken}. */
export interface DevTokenOptions {
  /** The user id (`sub`). */
  sub: string;
  /** Granted scopes. */
  scopes?: string[];
  /** Lifetime in seconds; default one hour. */
  ttl?: number;
}

/** A token the example shop's gateway accepts, signed with the development key. */
export async function mintDevToken({ sub, scopes = [], ttl = 3600 }: DevTokenOptions): Promise<string> {
  await ensureDevKeys();
  const key = await importPKCS8(readFileSync(privateFile, 'utf8'), 'ES256');
  return new SignJWT({ scope: scopes.join(' ') })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(devIssuer)
    .setAudience(devAudience)
    .setIssuedAt()
    .setExpirationTime(`${ttl}s`)
    .sign(key);
}
