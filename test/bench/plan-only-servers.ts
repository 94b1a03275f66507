/**
 * The layers under the gateway, served alone, so that `npm run bench:alloc` can show what each adds
 * to a request: the gateway's own planner and sources over plain `node:http` (no Yoga, no plugin:
 * the JSON body parsed, the document parsed and validated once, the plan run, its result
 * stringified), and the same planner under graphql-yoga with no plugin but the one that runs plans.
 * Measurement harnesses only: neither checks, limits or authorizes anything.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse, validate, type DocumentNode, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import { createYoga } from 'graphql-yoga';
import type { QueryPlanner } from '../../src/execution/create-query-planner.ts';
import { loadGatewayModule } from './gateway-build.ts';

/** What both servers run: a running gateway's current schema and planner. */
export interface PlannedGraph {
  schema: GraphQLSchema;
  planner: QueryPlanner;
}

/** The planner over `node:http`: POST /graphql with a JSON body, nothing else. */
export async function startPlanOnlyServer(graph: PlannedGraph): Promise<{ url: string; close(): Promise<void> }> {
  const documents = new Map<string, DocumentNode>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void answer(graph, documents, Buffer.concat(chunks).toString()).then((text) => {
        response.writeHead(200, { 'content-type': 'application/graphql-response+json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
        response.end(text);
      });
    });
  });
  return listen(server);
}

async function answer(graph: PlannedGraph, documents: Map<string, DocumentNode>, body: string): Promise<string> {
  const { query, variables, operationName } = JSON.parse(body) as { query: string; variables?: Record<string, unknown>; operationName?: string };
  let document = documents.get(query);
  if (!document) {
    document = parse(query);
    const errors = validate(graph.schema, document);
    if (errors.length > 0) return JSON.stringify({ errors });
    documents.set(query, document);
  }
  const args: ExecutionArgs = { schema: graph.schema, document, variableValues: variables ?? {}, contextValue: {}, operationName: operationName ?? null };
  const planned = graph.planner.execute(args);
  if ('reason' in planned) return JSON.stringify({ errors: [{ message: `not planned: ${planned.reason}` }] });
  return JSON.stringify(await planned.result);
}

/** The planner under graphql-yoga, with the gateway's plan-running plugin and no other. */
export async function startYogaPlanServer(graph: PlannedGraph): Promise<{ url: string; close(): Promise<void> }> {
  const { useQueryPlans } = await loadGatewayModule<typeof import('../../src/plugins/use-query-plans.ts')>('plugins/use-query-plans');
  const yoga = createYoga({
    schema: graph.schema,
    logging: false,
    graphiql: false,
    landingPage: false,
    // As the gateway: its body limit is measured before Yoga reads the body.
    maxRequestBodySize: false,
    plugins: [useQueryPlans(graph.planner)],
  });
  return listen(createServer(yoga));
}

async function listen(server: Server): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
