import type { Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';

/** A server's open connections, followed from its start so that it can stop without losing a request. */
export interface TrackedConnections {
  /**
   * Stops accepting connections at once, answers every request with `Connection: close`, closes
   * each idle kept-alive connection once the keep-alive timeout it announced has passed, and
   * resolves once every connection has closed. After `timeout` ms the connections still open are
   * destroyed, in-flight requests with them.
   */
  drain(timeout: number): Promise<void>;
}

/** One HTTP connection (for HTTPS, the TLS socket that carries the requests). */
interface Connection {
  /** Answers not yet sent in full. */
  pending: Set<ServerResponse>;
  /** When it last went quiet: opened, or its last answer sent. The client's keep-alive countdown starts then. */
  quietSince: number;
  /** While draining and quiet: closes it once its client no longer sends on it. */
  grace?: NodeJS.Timeout;
}

/**
 * Follows the connections of `server` (call it before `listen`) so that `drain` loses no request.
 *
 * A kept-alive connection is the client's as much as the server's: between two requests, the client
 * may be writing the next one at any moment, and if the server closes the connection while that
 * request is on its way, the request is lost (`ECONNRESET`, "socket hang up", "other side closed")
 * and the client cannot tell whether it was executed. `http.Server#close` does exactly that to
 * every idle connection. So a draining server never closes a connection its client may still
 * write on without having told the client first:
 * - it stops listening (`net.Server#close`, without http's closing of idle connections), so new
 *   connections are refused and never carry a request;
 * - every answer not yet begun, in flight or to a request still to come, carries
 *   `Connection: close`: the client sends nothing more on that connection, and Node closes it after
 *   the answer;
 * - a connection that is quiet (its last answer was sent without `Connection: close`, or it was
 *   opened and carried nothing yet) stays open for the client to use once more, until the
 *   keep-alive timeout announced in `Keep-Alive: timeout=<s>` has passed since it went quiet. Clients
 *   stop reusing a connection before that hint (Node's agent 1 s before, undici 2 s before), so
 *   none is still writing when it closes (in normal operation Node closes it 1 s later still).
 * A drain thus ends as soon as every client has had its last answer, or at most one keep-alive
 * timeout later for a client that stays idle; `timeout` bounds the whole.
 */
export function trackConnections(server: Server): TrackedConnections {
  /** Every TCP connection, TLS handshakes included: what the deadline destroys. */
  const sockets = new Set<Socket>();
  const connections = new Map<Socket, Connection>();
  let draining = false;

  const closeWhenQuiet = (socket: Socket, connection: Connection) => {
    if (socket.writableEnded || socket.destroyed) return;
    const left = connection.quietSince + server.keepAliveTimeout - Date.now();
    connection.grace = setTimeout(() => socket.destroy(), Math.max(0, left));
  };
  const track = (socket: Socket): Connection => {
    const known = connections.get(socket);
    if (known) return known;
    const connection: Connection = { pending: new Set(), quietSince: Date.now() };
    connections.set(socket, connection);
    socket.once('close', () => {
      clearTimeout(connection.grace);
      connections.delete(socket);
    });
    if (draining) closeWhenQuiet(socket, connection);
    return connection;
  };

  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on(server instanceof TlsServer ? 'secureConnection' : 'connection', track);
  server.prependListener('request', ({ socket }, response) => {
    const connection = track(socket);
    clearTimeout(connection.grace);
    if (draining) response.setHeader('connection', 'close');
    connection.pending.add(response);
    response.once('close', () => {
      connection.pending.delete(response);
      if (connection.pending.size > 0) return;
      connection.quietSince = Date.now();
      if (draining) closeWhenQuiet(socket, connection);
    });
  });

  return {
    drain(timeout) {
      draining = true;
      if (!server.listening) return Promise.resolve();
      return new Promise((resolve) => {
        const deadline = setTimeout(() => sockets.forEach((socket) => socket.destroy()), timeout);
        NetServer.prototype.close.call(server, () => {
          clearTimeout(deadline);
          resolve();
        });
        for (const [socket, connection] of connections) {
          for (const response of connection.pending) if (!response.headersSent) response.setHeader('connection', 'close');
          if (connection.pending.size === 0) closeWhenQuiet(socket, connection);
        }
      });
    },
  };
}
