import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { normalizeConfig } from '../../src/config/normalize-config.ts';
import type { GatewayOptions } from '../../src/server/create-gateway.ts';
import { startGateway, type RunningGateway } from '../../src/server/start-gateway.ts';
import { json, startFixtureServer, type FixtureServer } from './fixture-server.ts';
import type { ManualClock } from './manual-clock.ts';

/** The SDL of the services {@link startWhoAmI} starts. */
export const whoAmISdl = /* GraphQL */ `
  type Query {
    whoami: String
  }
`;

/** A GraphQL service answering `{ whoami }` with its own name, counting its calls. */
export async function startWhoAmI(t: TestContext, name: string): Promise<FixtureServer> {
  return startFixtureServer(t, (_request, response) => json(response, 200, { data: { whoami: name } }));
}

/**
 * A gateway with one graphql source `products` (SDL {@link whoAmISdl}) configured by `source`
 * (a `discovery`, with or without `url`), on the discovery clock `clock`; closed when the test ends.
 */
export async function startDiscoveryGateway(
  t: TestContext,
  source: Record<string, unknown>,
  clock: ManualClock,
  extra: Record<string, unknown> = {},
  options: GatewayOptions = {},
): Promise<RunningGateway & { endpoint: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-discovery-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'products.graphql'), whoAmISdl);
  const raw = {
    port: 0,
    host: '127.0.0.1',
    logging: { level: 'silent' },
    shutdownTimeout: 0,
    ...extra,
    sources: { products: { kind: 'graphql', schema: 'products.graphql', retries: false, ...source } },
  };
  const config = normalizeConfig(raw, { baseDir: dir, env: {} });
  const running = await startGateway(config, { ...options, discoveryClock: clock });
  t.after(() => running.close());
  return Object.assign(running, { endpoint: `${running.url}${config.graphqlEndpoint}` });
}
