#!/usr/bin/env node
// The compiled CLI (dist/, as the package is installed), or in a checkout of the repository, where
// src/ is, the TypeScript itself through tsx.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import('../dist/cli.js');
}
