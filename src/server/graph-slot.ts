/** What a slot holds: something with resources to release once nobody uses it. */
import type { GatewayLogger } from '../observability/gateway-logger.ts';
export interface Closable {
  close(): Promise<void>;
}

/** The graph a request runs on, pinned for its whole life. */
export interface PinnedGraph<G> {
  graph: G;
  /** Call once the request's answer is finished (sent, or the connection gone); calling again does nothing. */
  leave(): void;
}

/** The graph the gateway serves now, and the ones it still finishes requests on. */
export interface GraphSlot<G extends Closable> {
  /** The graph new requests get. */
  readonly current: G;
  /** Pins the current graph for one request. */
  enter(): PinnedGraph<G>;
  /** Makes `next` current at once; the previous graph closes once its last pinned request leaves. */
  swap(next: G): void;
  /** Requests pinned to each graph still open (the current one included). */
  inFlight(): Map<G, number>;
  /** Closes the current graph and every retired one, whether requests remain or not (after the server drained). */
  close(): Promise<void>;
}

/**
 * Holds the served graph and swaps it atomically.
 *
 * Why requests pin a graph rather than read "the current one" when they need it: a request reads
 * its graph many times (schema at parse, validation and execution, the planner, the sources' pools
 * for each upstream call). Had it read the current one each time, a swap in the middle would have
 * a request validated against one schema and planned or executed against another, which can fail
 * (a field gone, a URL changed) in ways neither version alone would. So a request is given one
 * graph when it arrives and keeps it; a swap only changes what the next request is given, which
 * is one assignment and so atomic. The cost: the previous graph must live as long as any request
 * pinned to it, so it is closed (its upstream connection pools with it) only when its count of
 * pinned requests falls to zero — at once when there is none.
 */
export function createGraphSlot<G extends Closable>(logger: Pick<GatewayLogger, 'error'>, first: G): GraphSlot<G> {
  let current = first;
  const pinned = new Map<G, number>([[first, 0]]);
  const retired = new Set<G>();
  const closing: Array<Promise<void>> = [];

  const retire = (graph: G) => {
    pinned.delete(graph);
    retired.delete(graph);
    closing.push(graph.close().catch((error: Error) => logger.error(`closing a replaced graph failed: ${error.message}`)));
  };

  return {
    get current() {
      return current;
    },
    enter() {
      const graph = current;
      pinned.set(graph, (pinned.get(graph) ?? 0) + 1);
      let left = false;
      return {
        graph,
        leave() {
          if (left) return;
          left = true;
          const count = (pinned.get(graph) ?? 1) - 1;
          pinned.set(graph, count);
          if (count === 0 && retired.has(graph)) retire(graph);
        },
      };
    },
    swap(next) {
      const previous = current;
      current = next;
      pinned.set(next, pinned.get(next) ?? 0);
      if (previous === next) return;
      retired.add(previous);
      if ((pinned.get(previous) ?? 0) === 0) retire(previous);
    },
    inFlight: () => new Map(pinned),
    async close() {
      for (const graph of [...retired, current]) if (pinned.has(graph)) retire(graph);
      await Promise.all(closing);
    },
  };
}
