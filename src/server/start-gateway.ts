import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { NormalizedConfig } from '../config/normalize-config.ts';
import type { TransportContext } from '../plugins/use-transport-security.ts';
import { reloadCertificatesOnChange } from '../tls/reload-certificates.ts';
import { createGateway, type Gateway, type GatewayOptions } from './create-gateway.ts';
import { trackConnections, type TrackedConnections } from './track-connections.ts';
import { answerClientErrors } from './answer-client-errors.ts';
import { clientTimeoutOptions } from './client-timeouts.ts';

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
   * Graceful stop that loses no request sent on an open connection: `/readyz` turns 503, the ports
   * stop accepting, every answer from now on carries `Connection: close`, idle kept-alive
   * connections are closed once their announced keep-alive timeout has passed (see
   * track-connections.ts); after `shutdownTimeout` ms the connections still open are closed. Then
   * upstream pools close.
   */
  close(): Promise<void>;
}

/**
 * Composes the gateway and listens on `config.port` (0 picks a free port): over HTTPS when `tls`
 * is configured, with the optional plain-HTTP listener on `tls.http.port` and certificate reload.
 */
export async function startGateway(config: NormalizedConfig, options: GatewayOptions = {}): Promise<RunningGateway> {
  const gateway = await createGateway(config, options);
  const handle = (context: TransportContext) => (request: IncomingMessage, response: ServerResponse) => gateway.handle(request, response, context);
  const { tls } = config;
  const serverOptions = clientTimeoutOptions(config);
  const secure = tls && createHttpsServer({ ...serverOptions, cert: tls.cert, key: tls.key, ca: tls.ca }, handle({}));
  const server: Server = secure || createServer(serverOptions, handle({}));
  answerClientErrors(server, gateway.refused);
  const tracked = [trackConnections(server)];
  let stopWatching = () => {};
  try {
    const port = await listen(server, config.port, config.host);
    let httpUrl: string | undefined;
    if (tls?.http) {
      const plain = createServer(serverOptions, handle({ httpsPort: port }));
      answerClientErrors(plain, gateway.refused);
      tracked.push(trackConnections(plain));
      httpUrl = baseUrl('http', config.host, await listen(plain, tls.http.port, config.host));
    }
    if (secure && tls.reload) stopWatching = reloadCertificatesOnChange(secure, tls, gateway.logger);
    let closing: Promise<void> | undefined;
    return {
      gateway,
      server,
      url: baseUrl(tls ? 'https' : 'http', config.host, port),
      ...(httpUrl ? { httpUrl } : {}),
      close: () => (closing ??= shutDown(gateway, tracked, config.shutdownTimeout, stopWatching)),
    };
  } catch (error) {
    await shutDown(gateway, tracked, 0, stopWatching);
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

async function shutDown(gateway: Gateway, tracked: TrackedConnections[], timeout: number, stopWatching: () => void): Promise<void> {
  gateway.drain();
  stopWatching();
  await Promise.all(tracked.map((connections) => connections.drain(timeout)));
  await gateway.close();
}
