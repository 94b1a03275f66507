import type { Plugin } from 'graphql-yoga';
import type { Clock } from '../clock.ts';
import { ObjectSlot } from '../object-slot.ts';

/** The clock deadlines are read on: a monotonic one, unmoved by changes of the wall clock. */
const monotonic: Clock = { now: () => performance.now() };

const deadlines = new ObjectSlot<Request, { at: number; clock: Clock }>('operation deadline');

/**
 * Starts each request's deadline when it arrives: `operationTimeout` milliseconds within which
 * every upstream call of the operation must be answered. `0` sets none.
 */
export function useOperationDeadline(operationTimeout: number, clock: Clock = monotonic): Plugin {
  return {
    onRequest({ request }) {
      if (operationTimeout > 0) deadlines.set(request, { at: clock.now() + operationTimeout, clock });
    },
  };
}

/**
 * What is left of a client request's deadline, in milliseconds (0 once it passed), or `undefined`
 * when the call serves no client request or the request has none.
 */
export function remainingTime(request: Request | undefined): number | undefined {
  const deadline = request && deadlines.get(request);
  return deadline === undefined ? undefined : Math.max(0, deadline.at - deadline.clock.now());
}
