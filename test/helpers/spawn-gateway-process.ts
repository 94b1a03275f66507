import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { TestContext } from 'node:test';
import { root } from './start-shop.ts';

/** A gateway in its own process, as an operator runs it. */
export interface GatewayProcess {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** What `ready` matched: the first capture group. */
  url: string;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
}

/**
 * Runs `node <args>` in the project folder (or `cwd`) and waits until its output matches `ready`;
 * killed when the test ends. Rejects with the output when the process exits first.
 */
export async function spawnGatewayProcess(t: TestContext, args: string[], env: NodeJS.ProcessEnv, ready: RegExp, cwd = root): Promise<GatewayProcess> {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill('SIGKILL'));
  let output = '';
  child.stderr.on('data', (chunk) => (output += String(chunk)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += String(chunk);
      const match = ready.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`process exited with ${code} before it was ready:\n${output}`)));
  });
  return { child, url, output: () => output };
}
