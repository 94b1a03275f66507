import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NormalizedConfig } from '../config/normalize-config.ts';
import { createGateway, type Gateway } from './create-gateway.ts';
import { guardRequestSize } from './guard-request-size.ts';

/** A gateway listening on a port. */
export interface RunningGateway {
  gateway: Gateway;
  server: Server;
  /** Base URL, e.g. `http://127.0.0.1:4000`. */
  url: string;
  /**
   * Graceful stop: `/readyz` turns 503, the port stops accepting, in-flight requests finish (at most
   * `shutdownTimeout` ms, after which their connections are closed), then upstream pools close.
   */
  close(): Promise<void>;
}

/** Composes the gateway and listens on `config.port` (0 picks a free port). */
export async function startGateway(config: NormalizedConfig): Promise<RunningGateway> {
  const gateway = await createGateway(config);
  const server = createServer({ keepAliveTimeout: 5_000 }, (request, response) => {
    if (guardRequestSize(request, response, config.maxRequestBytes)) void gateway.yoga(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  let closing: Promise<void> | undefined;
  return {
    gateway,
    server,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () => (closing ??= shutDown(gateway, server, config.shutdownTimeout)),
  };
}

async function shutDown(gateway: Gateway, server: Server, timeout: number): Promise<void> {
  gateway.drain();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const idleSweep = setInterval(() => server.closeIdleConnections(), 50);
  const deadline = setTimeout(() => server.closeAllConnections(), timeout);
  server.closeIdleConnections();
  await closed;
  clearInterval(idleSweep);
  clearTimeout(deadline);
  await gateway.close();
}
