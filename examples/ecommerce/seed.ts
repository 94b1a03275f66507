/**
 * Deterministic in-memory data for the example shop. Everything is derived from one fixed PRNG seed,
 * so every process (services, gateway tests, benchmarks) sees the same users, products and orders.
 */

import { createSeededRandom, type SeededRandom } from './seeded-random.ts';

/** Lifecycle of an order. */
export type OrderStatus = 'PENDING' | 'PAID' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED';
/** Lifecycle of a payment. */
export type PaymentStatus = 'PENDING' | 'CAPTURED' | 'REFUNDED' | 'FAILED';
/** Lifecycle of a shipment. */
export type ShipmentStatus = 'LABEL_CREATED' | 'IN_TRANSIT' | 'DELIVERED';

/** A customer, owned by the users service. */
export interface User {
  readonly id: string;
  readonly name: string;
  readonly email: string;
}

/** A catalogue entry, owned by the products service. */
export interface Product {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** In currency units, two decimals. */
  readonly price: number;
  readonly category: string;
}

/** One line of an order; `unitPrice` is the product price when the order was placed. */
export interface OrderItem {
  readonly productId: string;
  readonly quantity: number;
  readonly unitPrice: number;
}

/** An order, owned by the orders service. */
export interface Order {
  readonly id: string;
  readonly userId: string;
  readonly status: OrderStatus;
  /** ISO 8601 timestamp. */
  readonly placedAt: string;
  /** Sum of quantity * unitPrice, two decimals. */
  readonly total: number;
  readonly items: readonly OrderItem[];
}

/** The payment of one order, owned by the payments service. */
export interface Payment {
  readonly id: string;
  readonly orderId: string;
  /** The order's customer, so that the gateway can tell who may read the payment. */
  readonly userId: string;
  readonly status: PaymentStatus;
  readonly method: string;
  readonly amount: number;
}

/** The shipment of one order, owned by the shipping service. */
export interface Shipment {
  readonly orderId: string;
  readonly carrier: string;
  readonly trackingNumber: string;
  readonly status: ShipmentStatus;
  /** ISO 8601 date (YYYY-MM-DD) of expected delivery; null once delivered. */
  readonly eta: string | null;
}

/** Stock of one product, owned by the inventory service. */
export interface Inventory {
  readonly inStock: number;
  readonly warehouse: string;
}

/** The whole data set with lookup maps. */
export interface SeedData {
  readonly users: readonly User[];
  readonly usersById: ReadonlyMap<string, User>;
  readonly products: readonly Product[];
  readonly productsById: ReadonlyMap<string, Product>;
  /** Ascending by id, which is also ascending by placedAt. */
  readonly orders: readonly Order[];
  readonly ordersById: ReadonlyMap<string, Order>;
  /** Every user has an entry; each list is newest first. */
  readonly ordersByUserId: ReadonlyMap<string, readonly Order[]>;
  readonly payments: readonly Payment[];
  readonly paymentsById: ReadonlyMap<string, Payment>;
  readonly paymentsByOrderId: ReadonlyMap<string, Payment>;
  readonly shipmentsByOrderId: ReadonlyMap<string, Shipment>;
  readonly shipmentsByTrackingNumber: ReadonlyMap<string, Shipment>;
  readonly inventoryByProductId: ReadonlyMap<string, Inventory>;
}

/** The fixed PRNG seed of {@link seed}. */
export const SEED = 20260101;
/** Orders are placed within {@link ORDER_WINDOW_DAYS} days after this instant. */
export const BASE_DATE = '2026-01-01T00:00:00.000Z';
/** Length of the window in which seed orders are placed. */
export const ORDER_WINDOW_DAYS = 120;
/** The id of the first seed order; later ids follow in order of placement. */
export const FIRST_ORDER_ID = 1001;

const USER_COUNT = 50;
const PRODUCT_COUNT = 200;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const FIRST_NAMES = [
  'Ada',
  'Alan',
  'Grace',
  'Linus',
  'Margaret',
  'Dennis',
  'Barbara',
  'Ken',
  'Frances',
  'Edsger',
  'Radia',
  'Donald',
  'Hedy',
  'Tim',
  'Katherine',
  'John',
  'Sophie',
  'Niklaus',
  'Joan',
  'Guido',
];
const LAST_NAMES = [
  'Lovelace',
  'Turing',
  'Hopper',
  'Torvalds',
  'Hamilton',
  'Ritchie',
  'Liskov',
  'Thompson',
  'Allen',
  'Dijkstra',
  'Perlman',
  'Knuth',
  'Lamarr',
  'Berners-Lee',
  'Johnson',
  'Backus',
  'Wilson',
  'Wirth',
  'Clarke',
  'van Rossum',
];
const CATEGORIES: Readonly<Record<string, readonly string[]>> = {
  Kitchen: ['Kettle', 'Teapot', 'Cutting Board', 'Chef Knife', 'Mug'],
  Office: ['Desk Lamp', 'Notebook', 'Chair', 'Pen Set', 'Monitor Stand'],
  Outdoor: ['Backpack', 'Tent', 'Water Bottle', 'Headlamp', 'Hammock'],
  Audio: ['Headphones', 'Speaker', 'Turntable', 'Microphone', 'Amplifier'],
  Home: ['Blanket', 'Vase', 'Candle', 'Rug', 'Wall Clock'],
};
const ADJECTIVES = ['Compact', 'Classic', 'Rugged', 'Elegant', 'Ergonomic', 'Handmade', 'Minimal', 'Sturdy', 'Lightweight', 'Vintage'];
const MATERIALS = ['Oak', 'Steel', 'Ceramic', 'Bamboo', 'Wool', 'Copper', 'Glass', 'Cotton'];
const PAYMENT_METHODS = ['card', 'paypal', 'bank_transfer', 'gift_card'];
const CARRIERS: readonly (readonly [name: string, prefix: string])[] = [
  ['UPS', '1Z'],
  ['DHL', 'JD'],
  ['FedEx', 'FX'],
  ['PostNL', '3S'],
];
const WAREHOUSES = ['AMS-1', 'BER-2', 'LHR-1', 'NYC-3'];

/** The order total of `items`: sum of quantity * unitPrice, computed in cents and returned with two decimals. */
export function orderTotal(items: readonly Pick<OrderItem, 'quantity' | 'unitPrice'>[]): number {
  const cents = items.reduce((sum, item) => sum + item.quantity * Math.round(item.unitPrice * 100), 0);
  return cents / 100;
}

function statusForAge(random: SeededRandom, ageDays: number): OrderStatus {
  if (ageDays < 3)
    return random.weighted<OrderStatus>([
      ['PENDING', 5],
      ['PAID', 4],
      ['CANCELLED', 1],
    ]);
  if (ageDays < 10)
    return random.weighted<OrderStatus>([
      ['PAID', 3],
      ['SHIPPED', 6],
      ['CANCELLED', 1],
    ]);
  if (ageDays < 20)
    return random.weighted<OrderStatus>([
      ['SHIPPED', 4],
      ['DELIVERED', 5],
      ['CANCELLED', 1],
    ]);
  return random.weighted<OrderStatus>([
    ['DELIVERED', 9],
    ['CANCELLED', 1],
  ]);
}

function buildUsers(random: SeededRandom): User[] {
  return Array.from({ length: USER_COUNT }, (_, index) => {
    const first = random.pick(FIRST_NAMES);
    const last = random.pick(LAST_NAMES);
    const id = String(index + 1);
    const local = `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '');
    return Object.freeze({ id, name: `${first} ${last}`, email: `${local}${id}@example.com` });
  });
}

function buildProducts(random: SeededRandom): Product[] {
  const categories = Object.keys(CATEGORIES);
  return Array.from({ length: PRODUCT_COUNT }, (_, index) => {
    const category = random.pick(categories);
    const noun = random.pick(CATEGORIES[category] ?? []);
    const adjective = random.pick(ADJECTIVES);
    const material = random.pick(MATERIALS);
    return Object.freeze({
      id: String(index + 1),
      name: `${adjective} ${material} ${noun}`,
      description: `A ${adjective.toLowerCase()} ${noun.toLowerCase()} made of ${material.toLowerCase()}, from our ${category.toLowerCase()} range.`,
      price: random.int(199, 29_999) / 100,
      category,
    });
  });
}

interface OrderDraft {
  readonly userId: string;
  readonly placedAtMs: number;
  readonly items: readonly OrderItem[];
}

function buildOrders(random: SeededRandom, users: readonly User[], products: readonly Product[]): Order[] {
  const baseMs = Date.parse(BASE_DATE);
  const windowMinutes = ORDER_WINDOW_DAYS * 24 * 60;
  const drafts: OrderDraft[] = [];
  for (const user of users) {
    const isShowcase = user.id === '1';
    const count = isShowcase ? 12 : random.int(3, 12);
    for (let n = 0; n < count; n++) {
      const itemCount = isShowcase ? random.int(3, 5) : random.int(1, 5);
      const productIds = new Set<string>();
      while (productIds.size < itemCount) productIds.add(random.pick(products).id);
      const items = [...productIds].map((productId) =>
        Object.freeze({ productId, quantity: random.int(1, 4), unitPrice: products[Number(productId) - 1]!.price }),
      );
      drafts.push({ userId: user.id, placedAtMs: baseMs + random.int(0, windowMinutes - 1) * MINUTE_MS, items: Object.freeze(items) });
    }
  }
  drafts.sort((a, b) => a.placedAtMs - b.placedAtMs || Number(a.userId) - Number(b.userId));
  const endMs = baseMs + ORDER_WINDOW_DAYS * DAY_MS;
  return drafts.map((draft, index) =>
    Object.freeze({
      id: String(FIRST_ORDER_ID + index),
      userId: draft.userId,
      status: statusForAge(random, (endMs - draft.placedAtMs) / DAY_MS),
      placedAt: new Date(draft.placedAtMs).toISOString(),
      total: orderTotal(draft.items),
      items: draft.items,
    }),
  );
}

function paymentStatusFor(random: SeededRandom, status: OrderStatus): PaymentStatus {
  if (status === 'PENDING')
    return random.weighted<PaymentStatus>([
      ['PENDING', 4],
      ['FAILED', 1],
    ]);
  if (status === 'CANCELLED')
    return random.weighted<PaymentStatus>([
      ['REFUNDED', 4],
      ['FAILED', 1],
    ]);
  return 'CAPTURED';
}

function shipmentStatusFor(status: OrderStatus): ShipmentStatus {
  if (status === 'DELIVERED') return 'DELIVERED';
  if (status === 'SHIPPED') return 'IN_TRANSIT';
  return 'LABEL_CREATED';
}

function buildPayments(random: SeededRandom, orders: readonly Order[]): Payment[] {
  return orders.flatMap((order) => {
    if (order.userId !== '1' && random.float() >= 0.9) return [];
    const status = paymentStatusFor(random, order.status);
    return [
      Object.freeze({ id: `pay_${order.id}`, orderId: order.id, userId: order.userId, status, method: random.pick(PAYMENT_METHODS), amount: order.total }),
    ];
  });
}

function buildShipments(random: SeededRandom, orders: readonly Order[]): Shipment[] {
  return orders.flatMap((order) => {
    if (order.userId !== '1' && random.float() >= 0.85) return [];
    const [carrier, prefix] = random.pick(CARRIERS);
    const status = shipmentStatusFor(order.status);
    const etaMs = Date.parse(order.placedAt) + random.int(3, 8) * DAY_MS;
    return [
      Object.freeze({
        orderId: order.id,
        carrier,
        trackingNumber: `${prefix}${order.id.padStart(6, '0')}${String(random.int(0, 9999)).padStart(4, '0')}`,
        status,
        eta: status === 'DELIVERED' ? null : new Date(etaMs).toISOString().slice(0, 10),
      }),
    ];
  });
}

function indexBy<T, K>(values: readonly T[], key: (value: T) => K): Map<K, T> {
  return new Map(values.map((value) => [key(value), value]));
}

/** Builds the whole data set from `seedValue`; the same seed always gives the same data. */
export function buildSeed(seedValue: number = SEED): SeedData {
  const random = createSeededRandom(seedValue);
  const users = buildUsers(random);
  const products = buildProducts(random);
  const orders = buildOrders(random, users, products);
  const payments = buildPayments(random, orders);
  const shipments = buildShipments(random, orders);
  const inventoryByProductId = new Map(
    products.map((product) => [product.id, Object.freeze({ inStock: random.float() < 0.1 ? 0 : random.int(1, 500), warehouse: random.pick(WAREHOUSES) })]),
  );
  const ordersByUserId = new Map<string, Order[]>(users.map((user) => [user.id, []]));
  for (const order of [...orders].reverse()) ordersByUserId.get(order.userId)?.push(order);
  const shipmentsByTrackingNumber = indexBy(shipments, (shipment) => shipment.trackingNumber);
  if (shipmentsByTrackingNumber.size !== shipments.length) throw new Error('seed: duplicate tracking numbers');
  return {
    users,
    usersById: indexBy(users, (user) => user.id),
    products,
    productsById: indexBy(products, (product) => product.id),
    orders,
    ordersById: indexBy(orders, (order) => order.id),
    ordersByUserId,
    payments,
    paymentsById: indexBy(payments, (payment) => payment.id),
    paymentsByOrderId: indexBy(payments, (payment) => payment.orderId),
    shipmentsByOrderId: indexBy(shipments, (shipment) => shipment.orderId),
    shipmentsByTrackingNumber,
    inventoryByProductId,
  };
}

/** The example shop's data, built once per process from {@link SEED}. */
export const seed: SeedData = buildSeed();
