/**
 * Child process: the `monolith` row, one graphql-js schema over the benchmark's data in memory
 * (data.ts: the schema the reference answer comes from), served by node:http with no subgraph and
 * no network hop behind it: what the same query costs when one process owns all the data. Parsed
 * and validated documents are cached by query text, as Yoga caches them, so a request pays for
 * execution and serialization only.
 * Prints `{"url":"http://127.0.0.1:<port>/graphql"}`.
 */
import { createServer } from 'node:http';
import { execute, parse, validate, type DocumentNode, type GraphQLError } from 'graphql';
import { serveUntilAsked } from '../child-ready.ts';
import { monolithSchema } from './data.ts';

const schema = monolithSchema();
const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();
const headers = { 'content-type': 'application/graphql-response+json; charset=utf-8' };

function documentOf(query: string): DocumentNode | readonly GraphQLError[] {
  let known = documents.get(query);
  if (!known) {
    const document = parse(query);
    const errors = validate(schema, document);
    documents.set(query, (known = errors.length > 0 ? errors : document));
  }
  return known;
}

const server = createServer({ keepAliveTimeout: 5_000 }, (request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.once('end', async () => {
    const { query, variables, operationName } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      query: string;
      variables?: Record<string, unknown>;
      operationName?: string;
    };
    const document = documentOf(query);
    const result = Array.isArray(document)
      ? { errors: document }
      : await execute({ schema, document: document as DocumentNode, variableValues: variables ?? null, operationName: operationName ?? null });
    response.writeHead(200, headers).end(JSON.stringify(result));
  });
});
await serveUntilAsked('monolith', server, '/graphql');
