/**
 * Child process: the `static` row, a bare node:http server that answers every request with the
 * bytes of BENCH_STATIC_BODY_FILE (the benchmark query's exact answer). It reads the request body
 * and does nothing else: the ceiling of what Node's HTTP server can serve for this answer size.
 * Prints `{"url":"http://127.0.0.1:<port>/graphql"}`.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { serveUntilAsked } from '../child-ready.ts';

const file = process.env['BENCH_STATIC_BODY_FILE'];
if (!file) throw new Error('BENCH_STATIC_BODY_FILE is not set: start this file through `npm run bench:federation`');
const body = readFileSync(file);
const headers = { 'content-type': 'application/graphql-response+json; charset=utf-8', 'content-length': String(body.length) };

const server = createServer({ keepAliveTimeout: 5_000 }, (request, response) => {
  request.resume();
  request.once('end', () => response.writeHead(200, headers).end(body));
});
await serveUntilAsked('static', server, '/graphql');
