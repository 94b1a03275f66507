import { ObjectSlot } from '../object-slot.ts';

const costs = new ObjectSlot<object, number>('operation cost');

/** The static cost of the operation executing with this context, once the limits plugin computed it. */
export function operationCostOf(context: object): number | undefined {
  return costs.get(context);
}

/** Records the static cost of the operation executing with this context. */
export function recordOperationCost(context: object, cost: number): void {
  costs.set(context, cost);
}
