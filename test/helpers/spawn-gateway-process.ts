import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { TestContext } from 'node:test';
import { readableLog } from './readable-log.ts';
import { root } from './start-shop.ts';

/** A gateway in its own process, as an operator runs it. */
export interface GatewayProcess {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** What `ready` matched: the first capture group. */
  url: string;
  /** Everything it printed so far, stdout and stderr, JSON log lines shown as their messages (see readableLog). */
  output(): string;
  /** Everything it printed so far, as printed. */
  rawOutput(): string;
}

/**
 * Runs `node <args>` in the project folder (or `cwd`) and waits until its readable output matches
 * `ready`; killed when the test ends. Its stdout is a pipe, so the gateway logs JSON lines. Rejects with the output when the process exits first.
 */
export async function spawnGatewayProcess(t: TestContext, args: string[], env: NodeJS.ProcessEnv, ready: RegExp, cwd = root): Promise<GatewayProcess> {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill('SIGKILL'));
  let output = '';
  child.stderr.on('data', (chunk) => (output += String(chunk)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += String(chunk);
      const match = ready.exec(readableLog(output));
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`process exited with ${code} before it was ready:\n${output}`)));
  });
  return { child, url, output: () => readableLog(output), rawOutput: () => output };
}
