/** Which gateway the bench children run: the compiled package (dist/) or the TypeScript sources (BENCH_GATEWAY_FROM). */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { root, type BenchSettings } from './settings.ts';

/**
 * In a bench's own process: builds `dist/` once when the children run it (the gateway as the
 * package ships it), and tells the children which to run.
 */
export function prepareGatewayBuild(settings: BenchSettings): void {
  if (settings.gatewayFrom === 'dist') execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
  process.env['BENCH_GATEWAY_FROM'] = settings.gatewayFrom;
}

/**
 * In a gateway child: imports one of the gateway's modules (`server/start-gateway`) from `dist/`,
 * or from `src/` with BENCH_GATEWAY_FROM=src; the same modules either way.
 */
export function loadGatewayModule<T>(module: string): Promise<T> {
  const file = process.env['BENCH_GATEWAY_FROM'] === 'src' ? `src/${module}.ts` : `dist/${module}.js`;
  return import(pathToFileURL(path.join(root, file)).href) as Promise<T>;
}
