import { GraphQLError, type GraphQLFieldResolver } from 'graphql';
import { createSchema } from 'graphql-yoga';
import type { Random } from './differential-generator.ts';
import type { Reference, SubgraphOptions } from './federation-subgraph.ts';
import { goods, requiresSubgraphs } from './requires-subgraphs.ts';

type Good = (typeof goods)[number];
type Graph = 'products' | 'inventory' | 'shipping';

/** A fault injected for one operation: the graph fails its root field (`upc` undefined) or the fields it resolves of one product. */
export interface RequiresFault {
  graph: Graph;
  upc?: string;
}

/** The code each subgraph's fault sends, and the code the gateway passes on (ours, or DOWNSTREAM_SERVICE_ERROR). */
const codes: Record<Graph, { sent: string; seen: string }> = {
  products: { sent: 'SERVICE_UNAVAILABLE', seen: 'SERVICE_UNAVAILABLE' },
  inventory: { sent: 'GATEWAY_TIMEOUT', seen: 'GATEWAY_TIMEOUT' },
  shipping: { sent: 'CARRIER_DOWN', seen: 'DOWNSTREAM_SERVICE_ERROR' },
};

/** The fault of the operation under way: the subgraphs and the reference read it. */
let current: RequiresFault | undefined;

/** Sets the fault of the next operation (undefined: none). */
export function injectFault(fault: RequiresFault | undefined): void {
  current = fault;
}

/** A fault for about a third of the operations: a root field, or one product in one graph. */
export function pickFault(random: Random): RequiresFault | undefined {
  if (random() >= 0.35) return undefined;
  const graph = (['products', 'inventory', 'shipping'] as const)[Math.floor(random() * 3)] as Graph;
  const root = graph !== 'shipping' && random() < 0.2;
  return root ? { graph } : { graph, upc: random() < 0.5 ? 'p1' : 'p2' };
}

/** Throws the fault's error where `graph` answers for `upc` (or its root field, for `upc` undefined). */
function failIfFaulty(graph: Graph, upc: string | undefined, seen: boolean): void {
  if (current?.graph !== graph || current.upc !== upc) return;
  const code = seen ? codes[graph].seen : codes[graph].sent;
  throw new GraphQLError(`${graph} cannot answer ${upc === undefined ? 'its root field' : `for ${upc}`}`, { extensions: { code } });
}

const guarded =
  (graph: Graph, resolve: GraphQLFieldResolver<Reference, unknown>): GraphQLFieldResolver<Reference, unknown> =>
  (product, args, context, info) => {
    failIfFaulty(graph, String(product['upc']), false);
    return resolve(product, args, context, info);
  };
const own =
  (field: string): GraphQLFieldResolver<Reference, unknown> =>
  (product) =>
    product[field];
const subgraph = requiresSubgraphs as Record<Graph, SubgraphOptions>;
const resolverOf = (graph: Graph, type: string, field: string) => subgraph[graph].resolvers?.[type]?.[field] as GraphQLFieldResolver<Reference, unknown>;
const root = (graph: Graph, field: string) => () => {
  failIfFaulty(graph, undefined, false);
  return (resolverOf(graph, 'Query', field) as () => unknown)();
};

/** {@link requiresSubgraphs}, each failing as {@link injectFault} says. */
export const faultySubgraphs: Record<Graph, SubgraphOptions> = {
  products: {
    ...subgraph.products,
    resolvers: {
      ...subgraph.products.resolvers,
      Query: { products: root('products', 'products') },
      Product: {
        ...Object.fromEntries(['name', 'price', 'weight', 'attachments'].map((field) => [field, guarded('products', own(field))])),
        label: guarded('products', resolverOf('products', 'Product', 'label')),
      },
    },
  },
  inventory: {
    ...subgraph.inventory,
    resolvers: {
      ...subgraph.inventory.resolvers,
      Query: { stock: root('inventory', 'stock') },
      Product: Object.fromEntries(
        ['inStock', 'shippingEstimate', 'packing'].map((field) => [field, guarded('inventory', resolverOf('inventory', 'Product', field))]),
      ),
    },
  },
  shipping: { ...subgraph.shipping, resolvers: { Product: { insurance: guarded('shipping', resolverOf('shipping', 'Product', 'insurance')) } } },
};

/** Each product field: the graph answering it, the fields it `@requires`, and its value from the data. */
const fields: Record<string, [Graph, string[], (good: Good) => unknown]> = {
  name: ['products', [], (good) => good.name],
  price: ['products', [], (good) => good.price],
  weight: ['products', [], (good) => good.weight],
  attachments: ['products', [], (good) => good.attachments],
  inStock: ['inventory', [], (good) => good.upc === 'p1'],
  label: ['products', ['inStock'], (good) => `${good.name}${good.upc === 'p1' ? '' : ' (sold out)'}`],
  shippingEstimate: ['inventory', ['price', 'weight'], (good) => good.price / 10 + good.weight],
  packing: [
    'inventory',
    ['attachments'],
    (good) => good.attachments.reduce((total, item) => total + (item.__typename === 'Image' ? (item.size ?? 0) : (item.length ?? 0)), 0),
  ],
  insurance: ['shipping', ['shippingEstimate', 'name'], (good) => `${good.name}: ${(good.price / 10 + good.weight) * 2}`],
};

/** A field's value as the reference sees it: its required fields first (whose faults it inherits), then its own graph's. */
function valueOf(field: string, good: Good): unknown {
  const [graph, requires, value] = fields[field] as (typeof fields)[string];
  for (const required of requires) valueOf(required, good);
  failIfFaulty(graph, good.upc, true);
  return value(good);
}

/**
 * The reference of the federation differential: one plain graphql-js schema over {@link goods}, with
 * the fault of the operation: a field fails when its graph fails for the product, or when a field it
 * `@requires` does (with that field's error, as its value could not be computed).
 */
export const requiresReference = createSchema({
  typeDefs: /* GraphQL */ `
    interface Attachment { id: ID! }
    type Image implements Attachment { id: ID! size: Int! }
    type Video implements Attachment { id: ID! length: Int! }
    type Product { upc: String! name: String! price: Int! weight: Int! attachments: [Attachment!]! inStock: Boolean! label: String! shippingEstimate: Int! packing: Int! insurance: String! }
    type Query { products: [Product!]! stock: [Product!]! }
  `,
  resolvers: {
    Query: {
      products: () => (failIfFaulty('products', undefined, true), goods),
      stock: () => (failIfFaulty('inventory', undefined, true), goods),
    },
    Attachment: { __resolveType: (value: { __typename: string }) => value.__typename },
    Product: Object.fromEntries(Object.keys(fields).map((field) => [field, (good: Good) => valueOf(field, good)])),
  },
});
