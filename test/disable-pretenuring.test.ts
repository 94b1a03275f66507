import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { root } from './helpers/start-shop.ts';

const run = promisify(execFile);
const moduleUrl = pathToFileURL(`${root}src/server/disable-pretenuring.ts`).href;

/**
 * A process that calls disablePretenuring(), prints what it returned, then keeps literals alive
 * across scavenges in batches, as a server keeps request objects: with pretenuring on, V8 traces
 * its decisions about their allocation sites (`--trace-pretenuring-statistics`).
 */
async function traced(nodeOptions: string[]): Promise<{ returned: boolean; decisions: number }> {
  const script = `
    const { disablePretenuring } = await import(${JSON.stringify(moduleUrl)});
    console.log('returned ' + disablePretenuring());
    function make(i) { return { a: i, b: [i, i + 1] }; }
    let kept = [];
    for (let i = 0; i < 1e6; i++) { kept.push(make(i)); if (kept.length > 100000) kept = []; }
  `;
  const { stdout } = await run(process.execPath, [...nodeOptions, '--trace-pretenuring-statistics', '--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    maxBuffer: 16 * 1024 * 1024,
  });
  return {
    returned: /^returned true$/m.test(stdout),
    decisions: stdout.split('\n').filter((line) => line.includes('pretenuring: AllocationSite')).length,
  };
}

test('disablePretenuring turns V8 allocation-site pretenuring off at run time, unless the command line turned it on', async () => {
  const off = await traced([]);
  assert.deepEqual(off, { returned: true, decisions: 0 });
  const asked = await traced(['--allocation-site-pretenuring']);
  assert.equal(asked.returned, false, 'an explicit --allocation-site-pretenuring is kept');
  assert.ok(asked.decisions > 0, 'with pretenuring on, the same allocations make V8 decide about their sites');
});
