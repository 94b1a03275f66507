import { setTimeout as delay } from 'node:timers/promises';
import { schemaVersionHeader } from '../../src/registry/use-schema-version-header.ts';
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
 * Asks `query` until an answer carries `x-concierge-schema-version: <version>` or later, at most
 * `attempts` times, `pause` ms apart: the gateway swaps once it has read and built the new graph
 * (the embedded store is polled), so the first answers may still come from the old one.
 */
export async function answerFromVersion(endpoint: string, version: number, query: string, headers: Record<string, string> = {}, { attempts = 200, pause = 50 } = {}): Promise<GraphQLResponse> {
  let last: GraphQLResponse | undefined;
  for (let attempt = 0; attempt < attempts; attempt++) {
    last = await postGraphQL(endpoint, query, undefined, headers);
    if (Number(last.headers.get(schemaVersionHeader)) >= version) return last;
    await delay(pause);
  }
  throw new Error(`no answer from graph v${version} after ${attempts} requests: the last came from v${last?.headers.get(schemaVersionHeader)} (${last?.text})`);
}
