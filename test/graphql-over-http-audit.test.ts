import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auditServer, type AuditResult } from 'graphql-http';
import { startFederation } from './helpers/federation-gateways.ts';
import { link } from './helpers/federation-subgraph.ts';
import { startShop } from './helpers/start-shop.ts';

// The GraphQL-over-HTTP specification's own conformance audit (graphql-http's `auditServer`,
// written by the specification's editor): every MUST, SHOULD and MAY it checks. Not our reading of the
// spec: theirs, run against the gateway as a client sees it.
async function audit(url: string): Promise<void> {
  const results: AuditResult[] = await auditServer({ url, fetchFn: fetch });
  const failed = results.flatMap((result) => (result.status === 'ok' ? [] : [`${result.status} ${result.id} ${result.name}: ${result.reason}`]));
  assert.ok(results.length >= 50, `the audit ran (${results.length} checks)`);
  assert.deepEqual(failed, [], 'every check is ok: no error, warning (a SHOULD) or notice');
}

test('GraphQL over HTTP audit: the example shop passes every check', async (t) => {
  const shop = await startShop(t);
  await audit(shop.endpoint);
});

test('GraphQL over HTTP audit: a federation gateway passes every check', async (t) => {
  const gateways = await startFederation(t, {
    products: {
      sdl: `${link('key')}
        type Product @key(fields: "upc") { upc: String! name: String! }
        type Query { top: [Product!]! }`,
      resolvers: { Query: { top: () => [{ upc: '1', name: 'Table' }] } },
    },
  });
  await audit(gateways.planned.endpoint);
});
