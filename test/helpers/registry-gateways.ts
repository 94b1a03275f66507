import type { TestContext } from 'node:test';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import type { Registry } from '../../src/registry/create-registry.ts';
import type { RegistryLocation } from '../../src/registry/registry-config.ts';
import { startGateway, type RunningGateway } from '../../src/server/start-gateway.ts';
import type { GatewayOptions } from '../../src/server/create-gateway.ts';
import { json, startFixtureServer, type FixtureServer } from './fixture-server.ts';
import { writeTestConfig, type TestSource } from './start-test-gateway.ts';

/**
 * A GraphQL service that answers any root field `name` with `"<tag>:<name>"`, so an answer tells
 * which instance (URL) and which field served it. A field named `slow` waits for `release()`.
 */
export async function startTaggedService(t: TestContext, tag: string): Promise<FixtureServer & { release(): void; held: Promise<void> }> {
  let release = () => {};
  let arrived = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const held = new Promise<void>((resolve) => (arrived = resolve));
  const server = await startFixtureServer(t, async (request, response) => {
    const { query } = JSON.parse(request.body) as { query: string };
    const operation = parse(query).definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
    const data: Record<string, string> = {};
    for (const selection of operation?.selectionSet.selections ?? []) {
      if (selection.kind !== Kind.FIELD) continue;
      if (selection.name.value === 'slow') {
        arrived();
        await gate;
      }
      data[selection.alias?.value ?? selection.name.value] = selection.name.value === '__typename' ? 'Query' : `${tag}:${selection.name.value}`;
    }
    json(response, 200, { data });
  });
  return Object.assign(server, { release, held });
}

/** Registers a cleanup. */
export type Defer = (close: () => Promise<unknown>) => void;

/**
 * Cleanups that run before the ones added after this call (node:test runs `after` hooks in the
 * order added), newest first: gateways and registries close before their test database is dropped.
 */
export function closeBeforeStore(t: TestContext): Defer {
  const closers: Array<() => Promise<unknown>> = [];
  t.after(async () => {
    for (const close of closers.reverse()) await close();
  });
  return (close) => void closers.push(close);
}

/** The SDL of the tagged service with fields f0..f<last> (and `slow`). */
export function taggedSdl(last: number): string {
  return `type Query {\n  slow: String\n${Array.from({ length: last + 1 }, (_, index) => `  f${index}: String`).join('\n')}\n}\n`;
}

/** A gateway following the registry at `location`, with no config source unless given; closed when the test ends. */
export async function startFollowingGateway(
  t: TestContext,
  location: RegistryLocation,
  {
    sources = {},
    registry = {},
    options = {},
    extra = {},
    defer = (close) => t.after(close),
  }: {
    sources?: Record<string, TestSource>;
    registry?: Record<string, unknown>;
    options?: GatewayOptions;
    extra?: Record<string, unknown>;
    defer?: Defer;
  } = {},
): Promise<RunningGateway & { endpoint: string }> {
  const { config } = await writeTestConfig(t, sources, { ...extra, registry: { ...location, pollInterval: 100, ...registry } });
  const running = await startGateway(config, options);
  defer(() => running.close());
  return Object.assign(running, { endpoint: `${running.url}${config.graphqlEndpoint}` });
}

/** Publishes the tagged service at `url` with fields f0..f<last>; resolves to the new graph version. */
export async function publishTagged(registry: Registry, url: string, last: number, author = 'ci'): Promise<number> {
  const result = await registry.publish({ service: 'svc', kind: 'graphql', urls: [`${url}/graphql`], sdl: taggedSdl(last), author });
  if (result.outcome !== 'published' || !result.graph)
    throw new Error(`publish of f0..f${last} at ${url}: ${result.outcome} ${JSON.stringify(result.report?.errors)}`);
  return result.graph.version;
}
