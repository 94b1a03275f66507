import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getNamedType, isLeafType, isObjectType, isUnionType, isInterfaceType, type GraphQLField, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { mintDevToken } from '../examples/ecommerce/dev-keys.ts';
import { mulberry32 } from '../examples/ecommerce/seeded-random.ts';
import { postGraphQL } from './helpers/graphql-request.ts';
import { startShopPair } from './helpers/start-shop.ts';

/**
 * Differential over the example shop: random valid queries (aliases, inline and named fragments, `@skip`/`@include` on a variable, nesting through every service)
 * through the planning gateway and a `queryPlanner: false` one must answer the same data, byte for
 * byte, and the same errors. DIFF_SEED replays a run, DIFF_COUNT sets its size.
 */

type Next = () => number;

/** Arguments for the fields that need them (the shop's list fields need their slicing argument). */
const argumentsOf: Record<string, (next: Next) => string> = {
  'Query.user': (next) => `(id: "${next() < 0.1 ? 'nobody' : 1 + Math.floor(next() * 40)}")`,
  'Query.order': (next) => `(id: "${next() < 0.1 ? '999999' : 1 + Math.floor(next() * 1400)}")`,
  'Query.product': (next) => `(id: "${next() < 0.1 ? 'none' : 1 + Math.floor(next() * 200)}")`,
  'Query.products': (next) => `(first: ${1 + Math.floor(next() * 4)}, offset: ${Math.floor(next() * 50)})`,
  'Query.users': (next) => `(first: ${1 + Math.floor(next() * 3)}, offset: ${Math.floor(next() * 20)})`,
  'User.orders': (next) => `(first: ${1 + Math.floor(next() * 3)})`,
};

function operation(schema: GraphQLSchema, next: Next): { query: string; variables: Record<string, unknown> } {
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const fragments: string[] = [];
  let usesFlag = false;
  const condition = () => {
    if (next() >= 0.15) return '';
    usesFlag = true;
    return ` @${pick(['skip', 'include'])}(if: $flag)`;
  };
  const usable = (type: GraphQLObjectType, field: GraphQLField<unknown, unknown>) => !field.args.some((argument) => argument.type.toString().endsWith('!') && argument.defaultValue === undefined) || `${type.name}.${field.name}` in argumentsOf;
  const selection = (type: GraphQLObjectType, depth: number): string => {
    const fields = Object.values(type.getFields()).filter((field) => usable(type, field) && (depth < 4 || isLeafType(getNamedType(field.type))));
    const used = new Set<string>();
    const parts: string[] = [];
    for (const field of fields) {
      if (next() < 0.45) continue;
      // Aliases never take another field's name, and `id` is never skipped: stitching merges the
      // client's fields with the keys it needs, so `products { id: category }` answers the id,
      // `order { payment: customer { id } }` and `product { id @skip(if: true) inventory { inStock } }`
      // send null keys (test/stitched-plans.test.ts shows the planner's right answers to those).
      const alias = next() < 0.25 ? `a${used.size}_${field.name}` : field.name;
      if (used.has(alias)) continue;
      used.add(alias);
      const named = getNamedType(field.type);
      const args = argumentsOf[`${type.name}.${field.name}`]?.(next) ?? '';
      const sub = isObjectType(named) ? ` { ${selection(named, depth + 1)} }` : isUnionType(named) || isInterfaceType(named) ? ' { __typename }' : '';
      const head = `${alias === field.name ? '' : `${alias}: `}${field.name}${args}${field.name === 'id' ? '' : condition()}${sub}`;
      const wrap = next();
      if (wrap < 0.1) parts.push(`... on ${type.name}${condition()} { ${head} }`);
      else if (wrap < 0.18) {
        fragments.push(`fragment F${fragments.length} on ${type.name} { ${head} }`);
        parts.push(`...F${fragments.length - 1}`);
      } else parts.push(head);
    }
    if (parts.length === 0) parts.push(next() < 0.5 ? '__typename' : (Object.values(type.getFields()).find((field) => isLeafType(getNamedType(field.type)))?.name ?? '__typename'));
    return parts.join(' ');
  };
  const body = selection(schema.getQueryType() as GraphQLObjectType, 0);
  const query = `${usesFlag ? 'query ($flag: Boolean!) ' : ''}{ ${body} } ${fragments.join(' ')}`;
  return { query, variables: usesFlag ? { flag: next() < 0.5 } : {} };
}

type Body = { data?: unknown; errors?: ReadonlyArray<{ message: string; path?: readonly unknown[]; extensions?: Record<string, unknown> }> };

/** Data as bytes; errors as a sorted set of message, path and code (see test/stitched-plans-fixtures.test.ts for the one message that differs). */
function comparable(body: Body): string {
  const errors = (body.errors ?? []).map((error) => JSON.stringify([error.message.startsWith('Cannot return null for non-nullable field') ? 'Unexpected error.' : error.message, error.path ?? null, error.extensions?.['code'] ?? null, error.extensions?.['service'] ?? null])).sort();
  return `${JSON.stringify(body.data ?? null)}\n${errors.join('\n')}`;
}

test('random queries over the shop answer what stitching answers', async (t) => {
  const seed = Number(process.env['DIFF_SEED'] ?? Date.now() % 1_000_000);
  const count = Number(process.env['DIFF_COUNT'] ?? 150);
  // Without the operation limits: random documents go past the shop's cost, depth and alias limits, which are not under test here.
  const { shop, stitchedEndpoint, planner } = await startShopPair(t, (config) => {
    config.limits = { ...config.limits, maxCost: Number.MAX_SAFE_INTEGER, maxDepth: 1000, maxAliases: 100_000 };
  });
  const headers = { authorization: `Bearer ${await mintDevToken({ sub: '1', scopes: ['orders:read', 'orders:read:any', 'users:read:any'] })}` };
  const next = mulberry32(seed);
  const fallbacks = () => [...planner.fallbacks().values()].reduce((sum, value) => sum + value, 0);
  let planned = 0;
  for (let index = 0; index < count; index++) {
    const { query, variables } = operation(shop.gateway.gateway.schema, next);
    const before = fallbacks();
    const answer = await postGraphQL(shop.endpoint, query, variables, headers);
    if (fallbacks() === before) planned++;
    const reference = await postGraphQL(stitchedEndpoint, query, variables, headers);
    assert.equal(comparable(answer.body as Body), comparable(reference.body as Body), `seed ${seed}, operation ${index}: ${query} ${JSON.stringify(variables)}`);
  }
  t.diagnostic(`seed ${seed}: ${planned} of ${count} planned; to stitching: ${JSON.stringify([...planner.fallbacks()])}`);
  assert.ok(planned >= count * 0.9, `only ${planned} of ${count} planned: ${JSON.stringify([...planner.fallbacks()])}`);
});
