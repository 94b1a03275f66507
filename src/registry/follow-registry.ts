import type { GraphVersion } from './registry-store.ts';

/** One attempt to serve a new graph version. */
export interface SwapRecord {
  /** The registry graph version, or the supergraph file's revision (counted from 1 at start-up). */
  version: number;
  /** What answers carry in `x-concierge-schema-version` for it, when not the version: a supergraph file's hash prefix. */
  label?: string;
  result: 'applied' | 'failed';
  /** Why it failed: the problems start-up would report. */
  reason?: string;
  /** When the attempt ended (ISO). */
  at: string;
  /** From hearing of the version to serving it (or giving up), milliseconds. */
  durationMs: number;
}

/**
 * Where graph versions come from: the schema registry, or a watched supergraph file. Versions
 * only grow; `subscribe` tells of a newer one, `latestGraph` reads the newest.
 */
export interface GraphFeed<V extends { version: number }> {
  latestGraph(): Promise<V | undefined>;
  subscribe(onChange: (version: number) => void): { close(): Promise<void> };
}

/** Options of {@link followRegistry}. */
export interface FollowOptions<G, V extends { version: number; label?: string } = GraphVersion> {
  /** The registry, or another feed of graph versions (a supergraph file). */
  feed: GraphFeed<V>;
  /** The graph version served now; `undefined` when none from the feed. */
  served: () => number | undefined;
  /** Builds everything a graph version needs, off the request path; throws when it cannot be served here. */
  build: (graph: V) => Promise<G>;
  /** Serves a built graph (see `GraphSlot.swap`). */
  swap: (built: G, graph: V) => void;
  /** Called with each attempt, applied or failed (metrics, logs). */
  onAttempt: (record: SwapRecord) => void;
  /**
   * Attempts kept for the status page, newest first.
   * @default 20
   */
  keep?: number;
  /**
   * Milliseconds to wait before reading the store again when it did not answer.
   * @default 2000
   */
  retryDelay?: number;
}

/** A gateway following the registry (or a supergraph file). */
export interface GraphFollower {
  /** The last attempts, newest first. */
  readonly attempts: readonly SwapRecord[];
  /** Resolves once a version at least `version` is served, or with the attempt that failed on it. */
  reached(version: number): Promise<SwapRecord | undefined>;
  /** Stops following; a graph being built is closed unserved. */
  close(): Promise<void>;
}

/**
 * Follows the registry's graph versions: on each announcement, reads the newest graph, builds it
 * (one build at a time; announcements that arrive meanwhile collapse into one look at the newest)
 * and hands it to `swap`. A version that cannot be built here leaves the served graph as it is:
 * the attempt is recorded, with its reason, once.
 */
export function followRegistry<G extends { close(): Promise<void> }, V extends { version: number; label?: string } = GraphVersion>(
  options: FollowOptions<G, V>,
): GraphFollower {
  const { feed, served, build, swap, onAttempt, keep = 20, retryDelay = 2_000 } = options;
  const attempts: SwapRecord[] = [];
  const waiters = new Set<{ version: number; resolve: (record: SwapRecord | undefined) => void }>();
  let heard = 0;
  let tried = served() ?? 0;
  let running: Promise<void> | undefined;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;

  const settle = (record?: SwapRecord) => {
    for (const waiter of waiters) {
      if ((served() ?? 0) >= waiter.version || (record && record.version >= waiter.version)) {
        waiters.delete(waiter);
        waiter.resolve((served() ?? 0) >= waiter.version ? undefined : record);
      }
    }
  };
  const record = (entry: SwapRecord) => {
    attempts.unshift(entry);
    attempts.splice(keep);
    onAttempt(entry);
    settle(entry);
  };
  const attempt = async (graph: V, started: number) => {
    tried = graph.version;
    const named = { version: graph.version, ...(graph.label === undefined ? {} : { label: graph.label }) };
    try {
      const built = await build(graph);
      if (closed) return void (await built.close());
      swap(built, graph);
      record({ ...named, result: 'applied', at: new Date().toISOString(), durationMs: performance.now() - started });
    } catch (error) {
      const problems = (error as { problems?: readonly string[] }).problems;
      const reason = problems ? problems.join('; ') : (error as Error).message;
      record({ ...named, result: 'failed', reason, at: new Date().toISOString(), durationMs: performance.now() - started });
    }
  };
  const loop = async () => {
    while (!closed && heard > tried) {
      const started = performance.now();
      let graph: V | undefined;
      try {
        graph = await feed.latestGraph();
      } catch {
        // subscribeToGraphs tells store outages; look again later.
        retry = setTimeout(kick, retryDelay);
        retry.unref();
        return;
      }
      if (!graph || graph.version <= tried) {
        tried = Math.max(tried, heard);
        continue;
      }
      await attempt(graph, started);
    }
  };
  function kick() {
    if (running || closed) return;
    running = loop().finally(() => {
      running = undefined;
      if (heard > tried) kick();
    });
  }

  const subscription = feed.subscribe((version) => {
    heard = Math.max(heard, version);
    kick();
  });
  return {
    get attempts() {
      return attempts;
    },
    reached(version) {
      return new Promise((resolve) => {
        waiters.add({ version, resolve });
        settle(attempts.find((entry) => entry.version >= version));
      });
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      await subscription.close();
      await running;
      for (const waiter of waiters) waiter.resolve(undefined);
      waiters.clear();
    },
  };
}
