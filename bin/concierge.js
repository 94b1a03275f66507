#!/usr/bin/env node
// Loads TypeScript (the CLI and gateway.config.ts) through tsx, then runs the CLI.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
