import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execute, parse, validate } from 'graphql';
import { createSchema } from 'graphql-yoga';
import { mulberry32 } from '../examples/ecommerce/seeded-random.ts';
import { startFederation } from './helpers/federation-gateways.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { goods, requiresSubgraphs } from './helpers/requires-subgraphs.ts';

/**
 * Differential: random valid operations over the requires supergraph, answered by the planning
 * gateway and by one plain graphql-js schema over the same data, must be equal (data, and errors by
 * path and code). DIFF_SEED replays a run, DIFF_COUNT sets its size.
 */

const reference = createSchema({
  typeDefs: /* GraphQL */ `
    interface Attachment { id: ID! }
    type Image implements Attachment { id: ID! size: Int! }
    type Video implements Attachment { id: ID! length: Int! }
    type Product { upc: String! name: String! price: Int! weight: Int! attachments: [Attachment!]! inStock: Boolean! label: String! shippingEstimate: Int! packing: Int! insurance: String! }
    type Query { products: [Product!]! stock: [Product!]! }
  `,
  resolvers: {
    Query: { products: () => goods, stock: () => goods },
    Attachment: { __resolveType: (value: { __typename: string }) => value.__typename },
    Product: {
      inStock: (product: (typeof goods)[number]) => product.upc === 'p1',
      label: (product: (typeof goods)[number]) => `${product.name}${product.upc === 'p1' ? '' : ' (sold out)'}`,
      shippingEstimate: (product: (typeof goods)[number]) => product.price / 10 + product.weight,
      packing: (product: (typeof goods)[number]) => product.attachments.reduce((total, item) => total + (item.__typename === 'Image' ? (item.size ?? 0) : (item.length ?? 0)), 0),
      insurance: (product: (typeof goods)[number]) => `${product.name}: ${(product.price / 10 + product.weight) * 2}`,
    },
  },
});

const productFields = ['upc', 'name', 'price', 'weight', 'inStock', 'label', 'shippingEstimate', 'packing', 'insurance'];

/** A random operation: aliases (also on key and required names), fragments, @skip/@include on a variable. */
function operation(next: () => number): { query: string; variables: Record<string, unknown> } {
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const used = new Set<string>();
  const key = (name: string) => {
    const alias = next() < 0.35 ? pick(productFields.filter((candidate) => !used.has(candidate))) : undefined;
    const chosen = alias ?? (used.has(name) ? undefined : name);
    if (chosen === undefined || used.has(chosen)) return undefined;
    used.add(chosen);
    return chosen === name ? name : `${chosen}: ${name}`;
  };
  const condition = () => (next() < 0.2 ? ` @${pick(['skip', 'include'])}(if: $flag)` : '');
  const parts: string[] = [];
  for (const name of productFields) {
    if (next() < 0.5) continue;
    const head = key(name);
    if (head) parts.push(next() < 0.2 ? `... on Product${condition()} { ${head} }` : `${head}${condition()}`);
  }
  if (next() < 0.4 && !used.has('attachments')) {
    used.add('attachments');
    const inner = [next() < 0.5 ? '__typename' : '', next() < 0.5 ? '... on Attachment { id }' : 'id', next() < 0.6 ? '... on Image { size }' : '', next() < 0.6 ? '... on Video { length }' : ''].filter(Boolean);
    parts.push(`attachments { ${inner.join(' ')} }`);
  }
  if (parts.length === 0) parts.push('upc');
  const root = pick(['products', 'stock']);
  const body = parts.join(' ');
  return body.includes('$flag') ? { query: `query ($flag: Boolean!) { ${root} { ${body} } }`, variables: { flag: next() < 0.5 } } : { query: `{ ${root} { ${body} } }`, variables: {} };
}

function comparable(body: { data?: unknown; errors?: readonly { path?: readonly unknown[]; extensions?: { code?: unknown } }[] }): string {
  return JSON.stringify({ data: body.data ?? null, errors: (body.errors ?? []).map((error) => [error.path ?? null, error.extensions?.code ?? null]) });
}

test('random operations answer what one graphql-js schema over the same data answers', async (t) => {
  const seed = Number(process.env['DIFF_SEED'] ?? Date.now() % 1_000_000);
  const count = Number(process.env['DIFF_COUNT'] ?? 200);
  const gateways = await startFederation(t, requiresSubgraphs);
  const next = mulberry32(seed);
  let planned = 0;
  for (let index = 0; index < count; index++) {
    const { query, variables } = operation(next);
    const document = parse(query);
    assert.deepEqual(validate(reference, document), [], `seed ${seed}: the generator made an invalid operation: ${query}`);
    if (gateways.declines(query, variables) === undefined) planned++;
    const expected = comparable((await execute({ schema: reference, document, variableValues: variables })) as never);
    const { body } = await postGraphQL(gateways.planned.endpoint, query, variables);
    assert.equal(comparable(body), expected, `seed ${seed} (replay with DIFF_SEED=${seed}), operation ${index}: ${query} ${JSON.stringify(variables)}`);
  }
  assert.ok(planned >= count * 0.9, `seed ${seed}: only ${planned} of ${count} operations were planned`);
});
