/**
 * The bench's side of its child processes: each runs `node --import tsx <file>`, prints one JSON line
 * on stdout when it listens (see child-ready.ts), and is stopped when the bench ends, whether it ends
 * normally, on an error, or on SIGINT/SIGTERM. Children also stop on their own when their stdin
 * (held by the bench) closes, which covers a bench killed with SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { root } from './settings.ts';

/** How to start one child. */
export interface ChildSpec {
  /** Shown in messages and before the child's stray stdout lines. */
  name: string;
  /** Path relative to the project root. */
  file: string;
  env?: NodeJS.ProcessEnv;
  /** Extra node options, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  /** Run through `taskset -c <cpus>`. */
  cpus?: string;
  /** Receives the child's stdout lines other than its ready message (else they are printed, prefixed with its name). */
  onLine?: (line: string) => void;
}

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 6_000;

/** The running children; {@link stopAll} is safe to call more than once. */
export class Children {
  readonly #running = new Map<string, ChildProcess>();
  #stopping: Promise<void> | undefined;

  constructor() {
    // Last resort: whatever path leads to exit, no child outlives the bench.
    process.once('exit', () => {
      for (const child of this.#running.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        console.error(`\n${signal}: stopping the bench's child processes`);
        void this.stopAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
      });
    }
  }

  /** Starts a child and resolves with its ready message; rejects if it exits or stays silent first. */
  async start<T>(spec: ChildSpec): Promise<T> {
    const nodeCommand = [process.execPath, ...(spec.nodeArgs ?? []), '--import', 'tsx', spec.file];
    const [command, ...args] = spec.cpus ? ['taskset', '-c', spec.cpus, ...nodeCommand] : nodeCommand;
    const child = spawn(command!, args, { cwd: root, env: spec.env ?? process.env, stdio: ['pipe', 'pipe', 'inherit'] });
    this.#running.set(spec.name, child);
    child.stdin?.on('error', () => {}); // EPIPE once the child is gone

    return new Promise<T>((resolve, reject) => {
      let ready = false;
      const fail = (message: string): void => {
        if (ready) return;
        ready = true;
        clearTimeout(timer);
        reject(new Error(`${spec.name} (${spec.file}): ${message}`));
      };
      const timer = setTimeout(() => fail(`not ready after ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);
      child.once('error', (error) => fail(`could not start: ${error.message}`));
      child.once('exit', (code, signal) => fail(`exited (${signal ?? `code ${code}`}) before it was ready`));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (!ready && line.startsWith('{')) {
          try {
            const message = JSON.parse(line) as T;
            ready = true;
            clearTimeout(timer);
            resolve(message);
            return;
          } catch {
            // not the ready line
          }
        }
        if (spec.onLine) spec.onLine(line);
        else console.error(`[${spec.name}] ${line}`);
      });
    });
  }

  /** The pid of a running child. */
  pid(name: string): number | undefined {
    return this.#running.get(name)?.pid;
  }

  /** Stops one child as {@link stopAll} does; resolves when it has exited. */
  async stop(name: string): Promise<void> {
    const child = this.#running.get(name);
    if (!child) return;
    await stopChild(child);
    this.#running.delete(name);
  }

  /** SIGTERM to every child, SIGKILL to any still running after a few seconds; resolves when all have exited. */
  stopAll(): Promise<void> {
    this.#stopping ??= Promise.all([...this.#running.values()].map(stopChild)).then(() => undefined);
    return this.#stopping;
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
    child.stdin?.end();
  });
}
