import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { parse } from 'graphql';
import { NotPlannable } from '../../src/execution/collect-fields.ts';
import type { QueryPlan } from '../../src/execution/create-query-planner.ts';
import { serveSubgraph, type SubgraphOptions, type SubgraphServer } from './federation-subgraph.ts';
import { postGraphQL, type ClientError, type GraphQLResponse } from './graphql-request.ts';
import { startTestGateway, type TestSource } from './start-test-gateway.ts';

/** Hand-written subgraphs behind a planning gateway (and, when asked, one with `queryPlanner: false`). */
export interface FederationGateways {
  planned: Awaited<ReturnType<typeof startTestGateway>>;
  stitched?: Awaited<ReturnType<typeof startTestGateway>>;
  servers: Record<string, SubgraphServer>;
  /** GraphQL requests each subgraph received (the `_service` SDL read at start-up left out). */
  calls(): Record<string, number>;
  /** The planner's plan of a query; fails the test when it is not planned. */
  plan(query: string, variables?: Record<string, unknown>): QueryPlan;
  /** The planner's reason for not planning a query, or undefined when it plans it. */
  declines(query: string, variables?: Record<string, unknown>): string | undefined;
  /** Posts to the planning gateway (failing the test when the planner would not plan it) and returns the body with the subgraph calls it made. */
  ask(query: string, variables?: Record<string, unknown>): Promise<{ body: GraphQLResponse['body']; calls: Record<string, number> }>;
}

/** How {@link startFederation} starts its gateways. */
export interface FederationOptions {
  /** Also start a gateway with `queryPlanner: false` (`stitched`). */
  stitched?: boolean;
  /**
   * Configure the gateways with `supergraph:`, a file holding this SDL made for the subgraphs' URLs
   * (as `rover supergraph compose` writes it), instead of one federation source per subgraph.
   */
  supergraph?: (urls: Record<string, string>) => string;
}

/** Serves the subgraphs and starts the gateways over them; all closed when the test ends. */
export async function startFederation(
  t: TestContext,
  subgraphs: Record<string, SubgraphOptions>,
  { stitched = false, supergraph }: FederationOptions = {},
): Promise<FederationGateways> {
  const servers = Object.fromEntries(
    await Promise.all(Object.entries(subgraphs).map(async ([name, options]) => [name, await serveSubgraph(t, options)] as const)),
  );
  const extra: Record<string, unknown> = { limits: { maxCost: 1_000_000, maxDepth: 50, maxAliases: 1000 } };
  let sources: Record<string, TestSource> = Object.fromEntries(
    Object.entries(servers).map(([name, server]) => [name, { kind: 'federation' as const, url: server.url, sdl: '', dedupeInFlight: false }]),
  );
  if (supergraph) {
    const dir = await mkdtemp(path.join(tmpdir(), 'concierge-supergraph-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    extra['supergraph'] = path.join(dir, 'supergraph.graphql');
    await writeFile(extra['supergraph'] as string, supergraph(Object.fromEntries(Object.entries(servers).map(([name, server]) => [name, server.url]))));
    sources = {};
  }
  const [planned, reference] = await Promise.all([
    startTestGateway(t, sources, extra),
    stitched ? startTestGateway(t, sources, { ...extra, queryPlanner: false }) : undefined,
  ]);
  const calls = () =>
    Object.fromEntries(Object.entries(servers).map(([name, server]) => [name, server.queries().filter((query) => !query.includes('_service')).length]));
  const planOrReason = (query: string, variables?: Record<string, unknown>) => {
    const made = planned.gateway.planner?.plan(parse(query), undefined, variables);
    assert.ok(made, 'the gateway has a planner');
    return made;
  };
  return {
    planned,
    ...(reference ? { stitched: reference } : {}),
    servers,
    calls,
    plan(query, variables) {
      const made = planOrReason(query, variables);
      assert.ok(!(made instanceof NotPlannable), `not planned: ${made instanceof NotPlannable ? made.message : ''}`);
      return made;
    },
    declines(query, variables) {
      const made = planOrReason(query, variables);
      return made instanceof NotPlannable ? made.message : undefined;
    },
    async ask(query, variables) {
      const made = planOrReason(query, variables);
      assert.ok(!(made instanceof NotPlannable), `not planned: ${made instanceof NotPlannable ? made.message : ''}`);
      const before = calls();
      const { body } = await postGraphQL(planned.endpoint, query, variables);
      const after = calls();
      return {
        body,
        calls: Object.fromEntries(
          Object.entries(after)
            .map(([name, count]) => [name, count - (before[name] ?? 0)])
            .filter(([, count]) => count !== 0),
        ),
      };
    },
  };
}

/** Errors as `[path, code, service]`, the way tests compare them. */
export function errorsOf(body: { errors?: ClientError[] }): Array<[ClientError['path'], string | undefined, string | undefined]> | undefined {
  return body.errors?.map((error) => [error.path, error.extensions?.code, error.extensions?.service]);
}
