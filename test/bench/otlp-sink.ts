import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A collector stand-in that accepts OTLP/HTTP trace exports and drops them, so tracing does its
 * real work. It answers each encoding as a collector does: an empty protobuf message, or `{}`.
 */
export async function startOtlpSink(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    request.resume();
    const json = request.headers['content-type'] === 'application/json';
    request.on('end', () => response.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' }).end(json ? '{}' : ''));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
