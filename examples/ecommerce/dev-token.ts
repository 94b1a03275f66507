import { parseArgs } from 'node:util';
import { mintDevToken } from './dev-keys.ts';

/**
 * `npm run token -- --sub 1 --scope orders:read [--scope more] [--ttl 3600]`: prints a token the
 * example shop's gateway accepts, signed with the development key (created on first use).
 */
const { values } = parseArgs({
  options: { sub: { type: 'string' }, scope: { type: 'string', multiple: true }, ttl: { type: 'string' } },
});
if (!values.sub) {
  console.error('Usage: npm run token -- --sub <user id> [--scope <scope>]... [--ttl <seconds>]');
  process.exit(1);
}
const ttl = values.ttl === undefined ? 3600 : Number(values.ttl);
if (!Number.isInteger(ttl) || ttl <= 0) {
  console.error(`--ttl: expected a whole number of seconds, got "${values.ttl}"`);
  process.exit(1);
}
console.log(await mintDevToken({ sub: values.sub, scopes: values.scope ?? [], ttl }));
