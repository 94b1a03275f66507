/**
 * The peer gateways' own dependencies (peers/package.json and its lock file), installed on demand
 * with `npm ci --prefix <peers>` the first time the bench needs them, so the root package.json and
 * CI never carry them.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the peers' package.json, lock file, node_modules and child files live. */
const peersDir = fileURLToPath(new URL('./peers/', import.meta.url));

/** Whether the peers are usable: installed now or before, or why not. */
export type PeersInstall = { ok: true } | { ok: false; reason: string };

/** Runs `npm ci` in {@link peersDir} when one of its dependencies is missing; never throws. */
export async function installPeers(): Promise<PeersInstall> {
  const manifest = JSON.parse(readFileSync(path.join(peersDir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const missing = Object.keys(manifest.dependencies ?? {}).filter((name) => !existsSync(path.join(peersDir, 'node_modules', name, 'package.json')));
  if (missing.length === 0) return { ok: true };
  console.log(`Installing the peer gateways (npm ci --prefix ${path.relative(process.cwd(), peersDir) || peersDir}; missing ${missing.join(', ')})…`);
  const started = Date.now();
  const result = await run('npm', ['ci', '--prefix', peersDir, '--no-audit', '--no-fund', '--loglevel=error']);
  if (!result.ok) return result;
  console.log(`Installed in ${Math.round((Date.now() - started) / 1000)} s.\n`);
  return { ok: true };
}

function run(command: string, args: string[]): Promise<PeersInstall> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
    child.once('error', (error) => resolve({ ok: false, reason: `could not run ${command}: ${error.message}` }));
    child.once('exit', (code, signal) =>
      resolve(code === 0 ? { ok: true } : { ok: false, reason: `${command} ${args[0]} failed (${signal ?? `exit code ${code}`}):\n${stderr.trim()}` }),
    );
  });
}
