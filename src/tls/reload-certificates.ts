import { watch } from 'node:fs';
import type { Server } from 'node:https';
import path from 'node:path';
import { PemFileError, describeCertificate, isKeyOf, readCertificates, readPrivateKey } from './read-pem.ts';
import type { NormalizedTls } from './tls-config.ts';
import type { GatewayLogger } from '../observability/gateway-logger.ts';

/** Quiet time after the last file event before the files are read: a renewal writes several files. */
const debounceMs = 100;

/** The PEM texts a secure context is made of. */
type Credentials = Pick<NormalizedTls, 'cert' | 'key' | 'ca'>;

/**
 * Serves renewed certificates without a restart: watches the folders of `tls.files` and, once
 * they are quiet, reads the files again and swaps the HTTPS server's secure context. Only new
 * connections get the new certificate; open ones keep theirs, so nothing is dropped.
 *
 * Folders are watched rather than files because renewals (cert-manager, certbot, Kubernetes
 * secret volumes) replace files by renaming over them or by swapping a symlink, after which a
 * watch on the old file sees nothing more. Any event in the folder triggers a read; unchanged
 * content is ignored. A renewal writes the certificate and the key one after the other, so a read
 * between the two finds a key that does not match: that pair, like any unreadable one, is logged
 * and the current context stays, until the next event brings the matching file.
 *
 * Returns a function that stops watching.
 */
export function reloadCertificatesOnChange(server: Server, tls: NormalizedTls, logger: GatewayLogger): () => void {
  let current: Credentials = { cert: tls.cert, key: tls.key, ca: tls.ca };
  let timer: NodeJS.Timeout | undefined;
  const reload = () => {
    let next: Credentials;
    try {
      next = readCredentials(tls.files);
    } catch (error) {
      logger.error(`TLS files changed but were not loaded, the current certificate stays: ${(error as Error).message}`);
      return;
    }
    if (next.cert === current.cert && next.key === current.key && next.ca === current.ca) return;
    server.setSecureContext(next);
    current = next;
    logger.info(`TLS certificate reloaded from ${tls.files.cert} (${describeCertificate(next.cert)})`);
  };
  const folders = new Set(Object.values(tls.files).map((file) => path.dirname(file)));
  const watchers = [...folders].map((folder) =>
    watch(folder, { persistent: false }, () => {
      clearTimeout(timer);
      timer = setTimeout(reload, debounceMs).unref();
    }).on('error', (error) => logger.error(`cannot watch ${folder} for TLS renewals: ${error.message}`)),
  );
  return () => {
    clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
  };
}

function readCredentials(files: NormalizedTls['files']): Credentials {
  const read = (key: string, file: string, reader: (file: string) => string) => {
    try {
      return reader(file);
    } catch (error) {
      throw error instanceof PemFileError ? new Error(error.describe(key, file)) : error;
    }
  };
  const cert = read('config.tls.cert', files.cert, readCertificates);
  const key = read('config.tls.key', files.key, readPrivateKey);
  const ca = files.ca === undefined ? undefined : read('config.tls.ca', files.ca, readCertificates);
  if (!isKeyOf(cert, key))
    throw new Error(`config.tls.key: expected the private key of the certificate in ${JSON.stringify(files.cert)}, got ${JSON.stringify(files.key)}`);
  return { cert, key, ca };
}
