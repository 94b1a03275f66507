/**
 * Child process: the `apollo-gateway` row, Apollo Gateway over the four benchmark subgraphs:
 * `new ApolloGateway({ supergraphSdl })` in Apollo Server's standalone server on a free port of
 * 127.0.0.1, with the landing page and usage reporting off and the gateway's logger quiet below errors.
 * BENCH_SUPERGRAPH_FILE is the supergraph SDL composed from the subgraphs (see ../compose-supergraph.ts).
 * Prints `{"url":"http://127.0.0.1:<port>/"}`.
 */
import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled, ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { announceReady, stopWhenAsked } from '../../child-ready.ts';

const file = process.env['BENCH_SUPERGRAPH_FILE'];
if (!file) throw new Error('BENCH_SUPERGRAPH_FILE is not set: start this file through `npm run bench:federation`');

const logger = { debug: () => {}, info: () => {}, warn: () => {}, error: (message: unknown) => console.error(message) };
const gateway = new ApolloGateway({ supergraphSdl: readFileSync(file, 'utf8'), logger });
const server = new ApolloServer({ gateway, logger, plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginUsageReportingDisabled()] });
const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
stopWhenAsked('apollo-gateway', () => server.stop());
announceReady({ url });
