import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The child side of the bench's process protocol: a child prints one JSON line on stdout once it
 * listens, and stops on SIGTERM/SIGINT or when its stdin closes (the bench holds the other end, so
 * the pipe closes even if the bench is killed with SIGKILL and cannot signal).
 */

/** Prints the ready line, e.g. `{"url":"http://127.0.0.1:37001"}`. */
export function announceReady(payload: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(payload)}\n`);
}

/** Runs `close` once on the first stop signal or end of stdin, then exits (forcibly after 5 s). */
export function stopWhenAsked(name: string, close: () => Promise<void>): void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), 5_000).unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`[${name}] failed to stop:`, error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdin.once('end', stop);
  process.stdin.once('error', stop);
  process.stdin.resume();
}

/**
 * Serves `server` on a free port of 127.0.0.1, stops it when asked ({@link stopWhenAsked}: open
 * connections closed, then `close`), and announces `{"url":"http://127.0.0.1:<port><path>"}`.
 */
export async function serveUntilAsked(name: string, server: Server, path: string, close: () => void | Promise<void> = () => {}): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  stopWhenAsked(name, async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await close();
  });
  announceReady({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}` });
}

/** The service URLs the bench hands to the gateway and aggregator children (BENCH_SERVICE_URLS, JSON). */
export function serviceUrlsFromEnv<K extends string>(names: readonly K[]): Record<K, string> {
  const raw = process.env['BENCH_SERVICE_URLS'];
  if (!raw) throw new Error('BENCH_SERVICE_URLS is not set: start this file through `npm run bench`');
  const parsed = JSON.parse(raw) as Record<string, unknown>;
  for (const name of names) {
    if (typeof parsed[name] !== 'string') throw new Error(`BENCH_SERVICE_URLS: expected a URL for "${name}"`);
  }
  return parsed as Record<K, string>;
}
