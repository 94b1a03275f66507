import { BASE_DATE, ORDER_WINDOW_DAYS, orderTotal, seed as defaultSeed, type Order, type OrderItem, type SeedData } from './seed.ts';

/** The outcome of {@link OrderStore.cancel}. */
export type CancelResult =
  | { readonly kind: 'cancelled'; readonly order: Order }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'conflict'; readonly order: Order };

const MINUTE_MS = 60_000;

/**
 * The orders of one orders-service instance: the seed orders plus those created or cancelled since
 * start. Writes never touch the shared seed, so two instances in one process stay independent.
 * Created orders get ids after the last seed id and deterministic timestamps after the seed window,
 * one minute apart, so they are always the newest.
 */
export class OrderStore {
  readonly #orders: Map<string, Order>;
  readonly #idsByUser: Map<string, string[]>;
  #nextId: number;
  #nextPlacedAtMs: number;

  constructor(data: SeedData = defaultSeed) {
    this.#orders = new Map(data.ordersById);
    this.#idsByUser = new Map([...data.ordersByUserId].map(([userId, orders]) => [userId, orders.map((order) => order.id)]));
    this.#nextId = Math.max(0, ...data.orders.map((order) => Number(order.id))) + 1;
    this.#nextPlacedAtMs = Date.parse(BASE_DATE) + ORDER_WINDOW_DAYS * 86_400_000;
  }

  /** The order with `id`, if any. */
  get(id: string): Order | undefined {
    return this.#orders.get(id);
  }

  /** At most `limit` orders of `userId`, newest first. */
  listByUser(userId: string, limit: number): Order[] {
    const ids = this.#idsByUser.get(userId) ?? [];
    return ids.slice(0, limit).map((id) => this.#orders.get(id)!);
  }

  /** Records a new PENDING order; the caller has checked that the user and products exist. */
  create(userId: string, items: readonly OrderItem[]): Order {
    const order: Order = Object.freeze({
      id: String(this.#nextId++),
      userId,
      status: 'PENDING',
      placedAt: new Date(this.#nextPlacedAtMs).toISOString(),
      total: orderTotal(items),
      items: Object.freeze(items.map((item) => Object.freeze({ ...item }))),
    });
    this.#nextPlacedAtMs += MINUTE_MS;
    this.#orders.set(order.id, order);
    const userIds = this.#idsByUser.get(userId);
    if (userIds) userIds.unshift(order.id);
    else this.#idsByUser.set(userId, [order.id]);
    return order;
  }

  /** Cancels an order unless it has shipped or been delivered; cancelling a cancelled order is a no-op. */
  cancel(id: string): CancelResult {
    const order = this.#orders.get(id);
    if (!order) return { kind: 'not-found' };
    if (order.status === 'SHIPPED' || order.status === 'DELIVERED') return { kind: 'conflict', order };
    if (order.status === 'CANCELLED') return { kind: 'cancelled', order };
    const cancelled: Order = Object.freeze({ ...order, status: 'CANCELLED' });
    this.#orders.set(id, cancelled);
    return { kind: 'cancelled', order: cancelled };
  }
}
