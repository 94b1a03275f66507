import { createPublicKey } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SignJWT, exportPKCS8, generateKeyPair, importPKCS8 } from 'jose';

/** Where the example shop keeps its development signing key: never committed (.gitignore). */
export const devKeyDir = fileURLToPath(new URL('../../.concierge/', import.meta.url));
const privateFileIn = (directory: string) => `${directory}dev-jwt-private.pem`;

/** Issuer and audience of development tokens; gateway.config.ts checks both. */
export const devIssuer = 'concierge-dev';
export const devAudience = 'concierge-example-shop';

/**
 * Creates the development ES256 key pair on first use; later calls reuse it. Safe when several
 * processes start at once on a fresh checkout (the bench starts three gateways): the private key
 * appears atomically and only once (a hard link that fails when it exists), and the public key is
 * always derived from it, so every process verifies with the key every other one signs with.
 * `directory` (ending in `/`) is where the pair lives: `.concierge/` of the checkout by default.
 */
export async function ensureDevKeys(directory = devKeyDir): Promise<{ publicKeyFile: string }> {
  const privateFile = privateFileIn(directory);
  const publicFile = `${directory}dev-jwt-public.pem`;
  if (!existsSync(privateFile)) {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    mkdirSync(directory, { recursive: true });
    const draft = `${privateFile}.${process.pid}.tmp`;
    writeFileSync(draft, await exportPKCS8(privateKey), { mode: 0o600 });
    try {
      linkSync(draft, privateFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(draft);
    }
  }
  const publicPem = createPublicKey(readFileSync(privateFile, 'utf8')).export({ type: 'spki', format: 'pem' }).toString();
  if (!existsSync(publicFile) || readFileSync(publicFile, 'utf8') !== publicPem) {
    const draft = `${publicFile}.${process.pid}.tmp`;
    writeFileSync(draft, publicPem);
    renameSync(draft, publicFile);
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
  const key = await importPKCS8(readFileSync(privateFileIn(devKeyDir), 'utf8'), 'ES256');
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
