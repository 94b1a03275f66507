/**
 * The order-history page through graphql-yoga with nothing else: one graphql-js schema of the
 * gateway's public types whose one resolver (`Query.user`) makes the hand-written aggregator's 6 calls
 * (hand-written-aggregator.ts), so Yoga parses, validates and executes the same query the gateway
 * gets and answers the same bytes. Against the hand-written aggregator it measures what Yoga and
 * graphql-js cost on this workload: the most any gateway built on Yoga can reach here, before it
 * plans, authorizes, observes or does anything else (the federation bench's monolith row, for
 * the shop). Served at `POST /graphql` on 127.0.0.1.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import { announceReady, serviceUrlsFromEnv, stopWhenAsked } from './child-ready.ts';
import { createOrderHistory, type ServiceUrls } from './hand-written-aggregator.ts';

// The gateway's own public schema (as `npm run codegen` prints it), so Yoga validates and executes
// the query against the types the gateway serves; only `Query.user` needs a resolver.
const typeDefs = readFileSync(new URL('../../generated/composed.graphql', import.meta.url), 'utf8');

/** Serves the page on a free port of 127.0.0.1 (or `port`). */
export async function startYogaAggregator(urls: ServiceUrls, port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const orderHistory = createOrderHistory(urls);
  const schema = createSchema({
    typeDefs,
    resolvers: {
      Query: { user: async (_root: unknown, { id }: { id: string }) => ((await orderHistory.load(id)) as { data: { user: unknown } }).data.user },
    },
  });
  const yoga = createYoga({ schema, logging: false, graphiql: false, landingPage: false });
  const server = createServer(yoga);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}/graphql`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await orderHistory.close();
    },
  };
}

const running = await startYogaAggregator(serviceUrlsFromEnv(['users', 'orders', 'products', 'inventory', 'payments', 'shipping']));
stopWhenAsked('yoga', () => running.close());
announceReady({ url: running.url });
