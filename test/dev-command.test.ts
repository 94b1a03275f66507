import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { graphql } from 'graphql';
import { createSchema } from 'graphql-yoga';
import { json, startFixtureServer } from './helpers/fixture-server.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { spawnGatewayProcess } from './helpers/spawn-gateway-process.ts';
import { waitForOutput } from './helpers/wait-for-output.ts';

/** The service always answers every field; the registered SDL decides which ones the gateway serves. */
const serviceSdl = /* GraphQL */ `
  type Query { hello: String! greeting: String! farewell: String! }
`;
const registered = (...fields: string[]) => /* GraphQL */ `
  type Query { hello: String! ${fields.map((field) => `${field}: String!`).join(' ')} }
`;

async function project(t: TestContext): Promise<{ configFile: string; sdlFile: string; config: (extra?: Record<string, unknown>) => Promise<void> }> {
  const schema = createSchema({ typeDefs: serviceSdl, resolvers: { Query: { hello: () => 'hi', greeting: () => 'good day', farewell: () => 'bye' } } });
  const service = await startFixtureServer(t, async (request, response) => {
    const { query, variables } = JSON.parse(request.body) as { query: string; variables?: Record<string, unknown> };
    json(response, 200, await graphql({ schema, source: query, variableValues: variables ?? null }));
  });
  const dir = await mkdtemp(path.join(tmpdir(), 'concierge-dev-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(path.join(dir, 'schemas'));
  const sdlFile = path.join(dir, 'schemas', 'greeter.graphql');
  await writeFile(sdlFile, registered());
  const configFile = path.join(dir, 'gateway.config.json');
  const config = (extra: Record<string, unknown> = {}) =>
    writeFile(
      configFile,
      JSON.stringify({ host: '127.0.0.1', shutdownTimeout: 1_000, sources: { greeter: { kind: 'graphql', url: `${service.url}/graphql` } }, ...extra }),
    );
  await config();
  return { configFile, sdlFile, config };
}

const count = (text: string, pattern: RegExp) => text.match(new RegExp(pattern, 'g'))?.length ?? 0;

test('dev swaps an edited SDL file in without a restart, keeps the graph on a broken one (told once), restarts on a config change, and stops on SIGTERM', async (t) => {
  const { configFile, sdlFile, config } = await project(t);
  const dev = await spawnGatewayProcess(t, ['bin/concierge.js', 'dev', '--config', configFile, '--port', '0'], {}, /dev: serving \d+ sources at (http\S+)/);
  const answers = async (field: string) => (await postGraphQL(dev.url, `{ ${field} }`)).body;
  assert.deepEqual(await answers('hello'), { data: { hello: 'hi' } });
  assert.match(dev.output(), /dev: watching .*gateway\.config\.json and 1 SDL files/);
  assert.match((await fetch(dev.url, { headers: { accept: 'text/html' } })).headers.get('content-type') ?? '', /text\/html/, 'GraphiQL is on');

  await writeFile(sdlFile, registered('greeting'));
  await waitForOutput(dev, /schemas\/greeter\.graphql changed; serving the new graph \(revision 2\)/);
  assert.deepEqual(await answers('greeting'), { data: { greeting: 'good day' } });

  await writeFile(sdlFile, 'type Query { hello: String! greeting: }');
  await waitForOutput(dev, /not served, the running graph stays/);
  assert.match(dev.output(), /schemas\/greeter\.graphql changed; not served, the running graph stays:\nInvalid schema:\n {2}- /);
  assert.deepEqual(await answers('greeting'), { data: { greeting: 'good day' } }, 'the running graph stays');

  await writeFile(sdlFile, 'type Query { hello: String! greeting: }\n');
  await writeFile(sdlFile, registered('greeting', 'farewell'));
  await waitForOutput(dev, /serving the new graph[^]*serving the new graph/);
  assert.deepEqual(await answers('farewell'), { data: { farewell: 'bye' } });
  assert.equal(count(dev.output(), /Invalid schema:/), 1, dev.output());

  await config({ shutdownTimeout: 2_000 });
  await waitForOutput(dev, /dev: restarted at /);
  assert.match(dev.output(), new RegExp(`dev: restarted at ${dev.url.replace(/[.:/]/g, '\\$&')}: .*gateway\\.config\\.json changed \\(shutdownTimeout\\)`));
  assert.deepEqual(await answers('farewell'), { data: { farewell: 'bye' } }, 'served on the same port with the SDL as it is now');

  const exited = once(dev.child, 'exit');
  dev.child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 0, dev.output());
});

test('dev swaps a config whose sources alone changed without a restart', async (t) => {
  const { configFile, config } = await project(t);
  const dev = await spawnGatewayProcess(t, ['bin/concierge.js', 'dev', '--config', configFile, '--port', '0'], {}, /dev: serving \d+ sources at (http\S+)/);
  await config({ sources: { greeter: { kind: 'graphql', url: 'http://127.0.0.1:9/graphql' } } });
  await waitForOutput(dev, /config sources changed; serving the new graph \(revision 2\)/);
  assert.equal((await postGraphQL(dev.url, '{ hello }')).body.data, null, 'the new URL answers nothing');
  assert.doesNotMatch(dev.output(), /restarted/);
});
