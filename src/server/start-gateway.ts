import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { NormalizedConfig } from '../config/normalize-config.ts';
import type { TransportContext } from '../plugins/use-transport-security.ts';
import { reloadCertificatesOnChange } from '../tls/reload-certificates.ts';
import { createGateway, type Gateway } from './create-gateway.ts';
import { guardRequestSize } from './guard-request-size.ts';

/** A gateway listening on a port. */
export interface RunningGateway {
  gateway: Gateway;
  /** The main listener: HTTPS when `tls` is configured (an `https.Server` is an `http.Server` too). */
  server: Server;
  /** Base URL, e.g. `http://127.0.0.1:4000`, or `https://...` when `tls` is configured. */
  url: string;
  /** Base URL of the plain-HTTP listener beside HTTPS (`tls.http`), when there is one. */
  httpUrl?: string;
  /**
   * Graceful stop: `/readyz` turns 503, the ports stop accepting, in-flight requests finish (at most
   * `shutdownTimeout` ms, after which their connections are closed), then upstream pools close.
   */
  close(): Promise<void>;
}

const serverOptions = { keepAliveTimeout: 5_000 };

/**
 * Composes the gateway and listens on `config.port` (0 picks a free port): over HTTPS when `tls`
 * is configured, with the optional plain-HTTP listener on `tls.http.port` and certificate reload.
 */
export async function startGateway(config: NormalizedConfig): Promise<RunningGateway> {
  const gateway = await createGateway(config);
  const handle = (context: TransportContext) => (request: IncomingMessage, response: ServerResponse) => {
    guardRequestSize(request, config.maxRequestBytes, () => void gateway.yoga(request, response, context));
  };
  const { tls } = config;
  const secure = tls && createHttpsServer({ ...serverOptions, cert: tls.cert, key: tls.key, ca: tls.ca }, handle({}));
  const server: Server = secure || createServer(serverOptions, handle({}));
  const servers = [server];
  let stopWatching = () => {};
  try {
    const port = await listen(server, config.port, config.host);
    let httpUrl: string | undefined;
    if (tls?.http) {
      const plain = createServer(serverOptions, handle({ httpsPort: port }));
      servers.push(plain);
      httpUrl = baseUrl('http', config.host, await listen(plain, tls.http.port, config.host));
    }
    if (secure && tls.reload) stopWatching = reloadCertificatesOnChange(secure, tls);
    let closing: Promise<void> | undefined;
    return {
      gateway,
      server,
      url: baseUrl(tls ? 'https' : 'http', config.host, port),
      ...(httpUrl ? { httpUrl } : {}),
      close: () => (closing ??= shutDown(gateway, servers, config.shutdownTimeout, stopWatching)),
    };
  } catch (error) {
    await shutDown(gateway, servers, 0, stopWatching);
    throw error;
  }
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function baseUrl(scheme: 'http' | 'https', host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `${scheme}://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

async function shutDown(gateway: Gateway, servers: Server[], timeout: number, stopWatching: () => void): Promise<void> {
  gateway.drain();
  stopWatching();
  const listening = servers.filter((server) => server.listening);
  const closed = Promise.all(listening.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  const closeIdle = () => listening.forEach((server) => server.closeIdleConnections());
  const idleSweep = setInterval(closeIdle, 50);
  const deadline = setTimeout(() => listening.forEach((server) => server.closeAllConnections()), timeout);
  closeIdle();
  await closed;
  clearInterval(idleSweep);
  clearTimeout(deadline);
  await gateway.close();
}
