import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { normalizeConfig } from '../../src/config/normalize-config.ts';
import type { GatewayOptions } from '../../src/server/create-gateway.ts';
import { startGateway, type RunningGateway } from '../../src/server/start-gateway.ts';

/** A source of a test gateway: its config plus the SDL to register for it. */
export type TestSource = Record<string, unknown> & { kind: 'graphql' | 'rest' | 'federation'; url: string; sdl: string };

/** Writes the sources' SDL to a temporary schemas/ folder and normalizes a config around them. */
export async function writeTestConfig(t: TestContext, sources: Record<string, TestSource>, extra: Record<string, unknown> = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const configured: Record<string, unknown> = {};
  for (const [name, { sdl, ...source }] of Object.entries(sources)) {
    await writeFile(path.join(dir, `${name}.graphql`), sdl);
    configured[name] = { ...source, schema: `${name}.graphql` };
  }
  // shutdownTimeout 0: a test closes its gateway once its requests are answered, so close() need not
  // wait for the kept-alive connections of its fetch calls (test/shutdown.test.ts tests the drain).
  return {
    dir,
    config: normalizeConfig(
      { port: 0, host: '127.0.0.1', logging: { level: 'silent' }, shutdownTimeout: 0, ...extra, sources: configured },
      { baseDir: dir, env: {} },
    ),
  };
}

/** A gateway over the given sources on a free port (with a test's clock or upstream-call observer in `options`); closed when the test ends. */
export async function startTestGateway(
  t: TestContext,
  sources: Record<string, TestSource>,
  extra: Record<string, unknown> = {},
  options: GatewayOptions = {},
): Promise<RunningGateway & { endpoint: string }> {
  const { config } = await writeTestConfig(t, sources, extra);
  const running = await startGateway(config, options);
  t.after(() => running.close());
  return Object.assign(running, { endpoint: `${running.url}${config.graphqlEndpoint}` });
}
