import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** A TLS file that cannot be used: what was expected of it, and why this one is not that. */
export class PemFileError extends Error {
  constructor(
    readonly expected: string,
    readonly reason: string,
  ) {
    super(`expected ${expected} (${reason})`);
    this.name = 'PemFileError';
  }

  /** The problem as config errors word it: `key: expected ..., got "file" (reason)`. */
  describe(key: string, file: string): string {
    return `${key}: expected ${this.expected}, got ${JSON.stringify(file)} (${this.reason})`;
  }
}

const certificateBlock = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const privateKeyBlock = /-----BEGIN (?:(RSA|EC|ENCRYPTED) )?PRIVATE KEY-----[\s\S]+?-----END (?:\1 )?PRIVATE KEY-----/;

/** Reads a PEM file of one or more certificates (a leaf and its chain, or CAs); throws {@link PemFileError}. */
export function readCertificates(file: string): string {
  const text = readText(file, 'a readable PEM certificate file');
  const blocks = text.match(certificateBlock) ?? [];
  if (blocks.length === 0) throw new PemFileError('a PEM certificate file', `no "-----BEGIN CERTIFICATE-----" block in ${file}`);
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch {
      throw new PemFileError('a PEM certificate file', `a certificate in ${file} does not parse`);
    }
  }
  return text;
}

/** Reads an unencrypted PEM private key (PKCS#8, RSA or EC); throws {@link PemFileError}. */
export function readPrivateKey(file: string): string {
  const text = readText(file, 'a readable PEM private key file');
  const block = privateKeyBlock.exec(text);
  if (!block) throw new PemFileError('a PEM private key file', `no "-----BEGIN PRIVATE KEY-----" block in ${file}`);
  if (block[1] === 'ENCRYPTED' || block[0].includes('Proc-Type: 4,ENCRYPTED'))
    throw new PemFileError('an unencrypted PEM private key file', `the key in ${file} is encrypted`);
  try {
    createPrivateKey(block[0]);
  } catch {
    throw new PemFileError('a PEM private key file', `the key in ${file} does not parse`);
  }
  return text;
}

/** Whether `key` is the private key of the first (leaf) certificate of `cert`. */
export function isKeyOf(cert: string, key: string): boolean {
  const leaf = cert.match(certificateBlock)?.[0];
  return leaf !== undefined && new X509Certificate(leaf).checkPrivateKey(createPrivateKey(key));
}

/** The leaf certificate of a PEM chain, for logs: serial number and expiry. */
export function describeCertificate(cert: string): string {
  const leaf = new X509Certificate(cert.match(certificateBlock)?.[0] ?? cert);
  return `serial ${leaf.serialNumber}, valid until ${new Date(leaf.validTo).toISOString()}`;
}

const reasons: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'a folder, not a file' };

function readText(file: string, expected: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new PemFileError(expected, `${reasons[code] ?? code}: ${file}`);
  }
}
