// `npm run build`: the TypeScript of src/ compiled to dist/ (JavaScript, declarations, source maps),
// with the files the code reads at run time beside it (SDL of directives, registry migrations).
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync(`${root}dist`, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', `${root}tsconfig.build.json`], { stdio: 'inherit' });
const assets = /\.(graphql|sql)$/;
cpSync(`${root}src`, `${root}dist`, { recursive: true, filter: (source) => !/\.\w+$/.test(source) || assets.test(source) });
