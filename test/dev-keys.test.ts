import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const devKeys = fileURLToPath(new URL('../examples/ecommerce/dev-keys.ts', import.meta.url));

// `npm run bench` starts three gateways at once; on a fresh checkout each created a key pair of its
// own, and a gateway then refused the tokens signed with another one's private key.
test("the example shop's development keys: processes creating them at once all end up with one pair", async (t) => {
  const directory = `${mkdtempSync(path.join(tmpdir(), 'concierge-dev-keys-'))}/`;
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const script = `const { ensureDevKeys } = await import(${JSON.stringify(devKeys)});
const { readFileSync } = await import('node:fs');
const { publicKeyFile } = await ensureDevKeys(${JSON.stringify(directory)});
process.stdout.write(readFileSync(publicKeyFile, 'utf8'));`;
  const runs = Array.from({ length: 6 }, () => promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]));
  const publicKeys = new Set((await Promise.all(runs)).map((run) => run.stdout));

  assert.equal(publicKeys.size, 1, 'every process reads the same public key');
  const privatePem = readFileSync(`${directory}dev-jwt-private.pem`, 'utf8');
  assert.equal(createPublicKey(privatePem).export({ type: 'spki', format: 'pem' }), [...publicKeys][0], "and it is the private key's");
  assert.deepEqual(readdirSync(directory).sort(), ['dev-jwt-private.pem', 'dev-jwt-public.pem'], 'no drafts left behind');
});
