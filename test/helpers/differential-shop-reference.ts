import { GraphQLError, printSchema, type GraphQLSchema } from 'graphql';
import { createSchema } from 'graphql-yoga';
import { seed, type Order, type OrderItem, type Payment, type Product, type User } from '../../examples/ecommerce/seed.ts';
import { injectedError, shopFaults } from './differential-shop.ts';

/** A user or product as a service answered it, or only its id (an `@ref`, to be completed by the owner). */
type Loaded<T> = T | { id: string };

const { users, orders, payments, inventory, shipping } = shopFaults;

/** What `usersByIds` answers for one id, as the gateway should pass it on. */
function lookUpUser(id: string): User | null {
  if (id === users.error) throw injectedError(users.injected, true);
  return id === users.missing ? null : (seed.usersById.get(id) ?? null);
}

/** A field of the users service on a user that another service named (`Order.customer`): looked up by id. */
const userField = (name: 'name' | 'email') => (user: Loaded<User>) => ('name' in user ? user : lookUpUser(user.id))?.[name] ?? null;
const productField = (name: keyof Product) => (product: Loaded<Product>) => ('name' in product ? product : seed.productsById.get(product.id))?.[name] ?? null;
const restError = (code: string, message: string) => new GraphQLError(message, { extensions: { code } });

/**
 * The reference of the shop differential: one graphql-js schema, built from the gateway's public SDL,
 * whose resolvers read the seed data the example services serve, with the same {@link shopFaults}.
 * Each field reads what the service owning it answers: the users service's fields of a user another
 * service named are looked up by id (and fail for the faulty id), lists answer as the services do.
 */
export function shopReference(publicSchema: GraphQLSchema): GraphQLSchema {
  return createSchema({
    typeDefs: printSchema(publicSchema),
    resolvers: {
      Query: {
        me: () => seed.usersById.get('1'),
        user: (_: unknown, { id }: { id: string }) => lookUpUser(id),
        users: (_: unknown, { first, offset }: { first: number; offset: number }) => seed.users.slice(offset, offset + first),
        order: (_: unknown, { id }: { id: string }) => {
          if (id === orders.unavailable) throw restError('SERVICE_UNAVAILABLE', `/orders/${id} is not available now`);
          return seed.ordersById.get(id) ?? null;
        },
        product: (_: unknown, { id }: { id: string }) => seed.productsById.get(id) ?? null,
        products: (_: unknown, { first, offset }: { first: number; offset: number }) => seed.products.slice(offset, offset + first),
        payment: (_: unknown, { id }: { id: string }) => {
          if (id === payments.failing) throw restError('DOWNSTREAM_SERVICE_ERROR', `/payments/${id} is not available now`);
          return seed.paymentsById.get(id) ?? null;
        },
        shipment: (_: unknown, { trackingNumber }: { trackingNumber: string }) => {
          if (trackingNumber === shipping.trackingNumber) throw injectedError(shipping.injected, true);
          return seed.shipmentsByTrackingNumber.get(trackingNumber) ?? null;
        },
      },
      User: {
        name: userField('name'),
        email: userField('email'),
        orders: (user: Loaded<User>, { first }: { first: number }) => seed.ordersByUserId.get(user.id)?.slice(0, first) ?? [],
      },
      Order: {
        customer: (order: Order) => ({ id: order.userId }),
        payment: (order: Order) => seed.paymentsByOrderId.get(order.id) ?? null,
        shipment: (order: Order) => {
          if (order.id === shipping.order) throw injectedError(shipping.injected, true);
          return seed.shipmentsByOrderId.get(order.id) ?? null;
        },
      },
      OrderItem: { product: (item: OrderItem) => ({ id: item.productId }) },
      Product: {
        name: productField('name'),
        description: productField('description'),
        price: productField('price'),
        category: productField('category'),
        inventory: (product: Loaded<Product>) => {
          if (product.id === inventory.error) throw injectedError(inventory.injected, true);
          return product.id === inventory.missing ? null : (seed.inventoryByProductId.get(product.id) ?? null);
        },
      },
      Payment: { customer: (payment: Payment) => ({ id: payment.userId }) },
    },
  });
}
