import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A certificate and its key, as PEM files in the certificates' folder. */
export interface TestPair {
  cert: string;
  key: string;
  /** Serial number as Node reports it (upper-case hex). */
  serial: string;
}

/** Throwaway certificates made with openssl, valid one day; never committed. */
export interface TestCertificates {
  dir: string;
  /** The self-signed CA that issued the others (`cert` is its certificate). */
  ca: TestPair;
  /** Server certificates for `localhost` and `127.0.0.1`: two pairs, to test reloading. */
  server: TestPair;
  renewed: TestPair;
  /** A client certificate (extendedKeyUsage clientAuth) for mutual TLS. */
  client: TestPair;
  /** Reads a file of the folder. */
  read(file: string): string;
  remove(): void;
}

/** Whether `openssl` can be run; tests skip with this reason when not. */
export function opensslMissing(): string | undefined {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'no openssl on PATH: the TLS tests make throwaway certificates with it (apt-get install openssl)';
  }
}

// A minimal configuration, so the system's openssl.cnf cannot add or change extensions.
const opensslConfig = `[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
[server]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
[client]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
`;

/** Makes a CA, two server pairs and a client pair (P-256 keys: fast) in a new temporary folder. */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(path.join(tmpdir(), 'concierge-tls-'));
  const file = (name: string) => path.join(dir, name);
  writeFileSync(file('openssl.cnf'), opensslConfig);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

  openssl(
    'req',
    '-x509',
    ...newKey,
    '-config',
    'openssl.cnf',
    '-extensions',
    'ca',
    '-subj',
    '/CN=Concierge Test CA',
    '-days',
    '1',
    '-set_serial',
    '0x1000',
    '-keyout',
    'ca-key.pem',
    '-out',
    'ca.pem',
  );
  const issue = (name: string, extensions: string, serial: string): TestPair => {
    openssl('req', ...newKey, '-config', 'openssl.cnf', '-subj', `/CN=${name}`, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca-key.pem',
      '-set_serial',
      `0x${serial}`,
      '-days',
      '1',
      '-extfile',
      'openssl.cnf',
      '-extensions',
      extensions,
      '-out',
      `${name}.pem`,
    );
    return { cert: file(`${name}.pem`), key: file(`${name}-key.pem`), serial };
  };
  return {
    dir,
    ca: { cert: file('ca.pem'), key: file('ca-key.pem'), serial: '1000' },
    server: issue('server', 'server', '1001'),
    renewed: issue('renewed', 'server', '1002'),
    client: issue('client', 'client', '1003'),
    read: (name) => readFileSync(path.isAbsolute(name) ? name : file(name), 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
