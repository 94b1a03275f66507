/**
 * The deterministic data of the four benchmark subgraphs (accounts, inventory, products, reviews),
 * shaped like The Guild's federation gateway benchmark, and a single non-federated schema over the
 * same data that answers the benchmark query directly: the reference answer the gateway must match.
 */
import { buildSchema, graphql, type GraphQLSchema } from 'graphql';

export interface User {
  id: string;
  name: string;
  username: string;
}
export interface Product {
  upc: string;
  name: string;
  price: number;
  weight: number;
}
export interface Review {
  id: string;
  body: string;
  authorId: string;
  upc: string;
}

/** Sizes chosen so that the benchmark query's answer is about 85 KB. */
const USERS = 13;
const PRODUCTS = 12;
const REVIEWS_PER_USER = 3;

export const users: User[] = Array.from({ length: USERS }, (_, index) => ({
  id: String(index + 1),
  name: `User Name ${index + 1}`,
  username: `user${index + 1}`,
}));

export const products: Product[] = Array.from({ length: PRODUCTS }, (_, index) => ({
  upc: String(index + 1),
  name: `Product ${index + 1}`,
  price: 100 + ((index * 337) % 1400),
  weight: 1 + ((index * 53) % 120),
}));

export const reviews: Review[] = users.flatMap((user, userIndex) =>
  Array.from({ length: REVIEWS_PER_USER }, (_, reviewIndex) => {
    const id = String(userIndex * REVIEWS_PER_USER + reviewIndex + 1);
    const product = products[(userIndex * REVIEWS_PER_USER + reviewIndex) % PRODUCTS]!;
    return { id, body: `Review ${id} by ${user.username} of ${product.name}`, authorId: user.id, upc: product.upc };
  }),
);

export const userById = new Map(users.map((user) => [user.id, user]));
export const productByUpc = new Map(products.map((product) => [product.upc, product]));
export const reviewById = new Map(reviews.map((review) => [review.id, review]));
export const reviewsByAuthor = groupBy(reviews, (review) => review.authorId);
export const reviewsByProduct = groupBy(reviews, (review) => review.upc);

/** Inventory's fields: stock is a function of the UPC, the estimate of the price and weight (@requires). */
export const inStock = (upc: string): boolean => Number(upc) % 3 !== 0;
export const shippingEstimate = (price: number, weight: number): number => (price > 1000 ? 0 : Math.round(weight * 0.5));

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

const monolithSdl = /* GraphQL */ `
  type User { id: ID! name: String username: String reviews: [Review] }
  type Product { upc: String! name: String price: Int weight: Int inStock: Boolean shippingEstimate: Int reviews: [Review] }
  type Review { id: ID! body: String author: User product: Product }
  type Query { me: User user(id: ID!): User users: [User] topProducts(first: Int = 5): [Product] }
`;

/** The whole graph in one schema, no federation: what the composed supergraph must answer. */
export function monolithSchema(): GraphQLSchema {
  const schema = buildSchema(monolithSdl);
  const resolve = (typeName: string, fields: Record<string, (parent: never, args: never) => unknown>) => {
    const type = schema.getType(typeName) as unknown as { getFields(): Record<string, { resolve?: unknown }> };
    for (const [name, resolver] of Object.entries(fields)) type.getFields()[name]!.resolve = resolver;
  };
  resolve('Query', {
    me: () => users[0],
    user: (_: never, { id }: { id: string }) => userById.get(id) ?? null,
    users: () => users,
    topProducts: (_: never, { first }: { first: number }) => products.slice(0, first),
  });
  resolve('User', { reviews: (user: User) => reviewsByAuthor.get(user.id) ?? [] });
  resolve('Product', {
    inStock: (product: Product) => inStock(product.upc),
    shippingEstimate: (product: Product) => shippingEstimate(product.price, product.weight),
    reviews: (product: Product) => reviewsByProduct.get(product.upc) ?? [],
  });
  resolve('Review', { author: (review: Review) => userById.get(review.authorId), product: (review: Review) => productByUpc.get(review.upc) });
  return schema;
}

/** The reference answer to `query`, serialized as a GraphQL response body. */
export async function referenceAnswer(query: string): Promise<string> {
  const result = await graphql({ schema: monolithSchema(), source: query });
  if (result.errors?.length) throw new Error(`the reference schema failed the query: ${result.errors.map((error) => error.message).join('; ')}`);
  return JSON.stringify({ data: result.data });
}
