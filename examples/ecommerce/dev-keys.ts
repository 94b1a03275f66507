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

/** Options of {@link createDevTokenSource}. */
export interface DevTokenSourceOptions extends DevTokenOptions {
  /**
   * Seconds after which a new token is minted; until then the last one is handed out again, so a
   * page that embeds it changes (and is rendered again) at most this often. Every token handed out
   * is good for at least `ttl - renewAfter` seconds.
   * @default 300
   */
  renewAfter?: number;
  /** The clock, in milliseconds. */
  now?: () => number;
}

/** Hands out development tokens for one user, minting a fresh one every `renewAfter` seconds. */
export function createDevTokenSource({ renewAfter = 300, now = Date.now, ...token }: DevTokenSourceOptions): () => Promise<string> {
  let current: { token: Promise<string>; mintedAt: number } | undefined;
  return () => {
    if (!current || now() - current.mintedAt >= renewAfter * 1000) {
      const minted = { token: mintDevToken(token), mintedAt: now() };
      minted.token.catch(() => current === minted && (current = undefined));
      current = minted;
    }
    return current.token;
  };
}
