import { schemaVersionHeader } from '../../src/registry/use-schema-version-header.ts';
import type { Gateway } from '../../src/server/create-gateway.ts';
import { runSchemaCommand } from '../../src/registry/run-schema-command.ts';
import { postGraphQL, type GraphQLResponse } from './graphql-request.ts';

/** What a `concierge schema` run printed, and its exit code. */
export interface SchemaRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `concierge schema <args>` in this process, in `cwd`, with only the given environment. */
export async function runSchema(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<SchemaRun> {
  let stdout = '';
  let stderr = '';
  const code = await runSchemaCommand(args, { cwd, env, stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) });
  return { code, stdout, stderr };
}

/**
 * The answer to `query` at `endpoint` once `gateway` serves graph v`version` or later: the gateway
 * swaps once it has read and built the new graph (the embedded store is polled), so this waits for
 * its registry follower to get there (`reached`), and fails with the reason when it could not.
 */
export async function answerFromVersion(
  endpoint: string,
  gateway: Gateway,
  version: number,
  query: string,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse> {
  const follower = gateway.registry?.follower;
  if (!follower) throw new Error('the gateway follows no registry');
  const failed = await follower.reached(version);
  if (failed) throw new Error(`graph v${version} is not served: ${failed.reason}`);
  const answer = await postGraphQL(endpoint, query, undefined, headers);
  if (Number(answer.headers.get(schemaVersionHeader)) < version)
    throw new Error(`graph v${version} is served, yet the answer came from v${answer.headers.get(schemaVersionHeader)} (${answer.text})`);
  return answer;
}
